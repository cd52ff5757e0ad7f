from pathlib import Path

import pytest

from mirrorctl.cli.main import main


def refused(
    tmp_path: Path, content: bytes, command: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[Path, list[str]]:
    """Run ``command`` with a config file holding ``content``: exit 2; its file and stderr."""
    config = tmp_path / "mirrorctl.yaml"
    config.write_bytes(content)
    assert main([*command, "--config", str(config)]) == 2
    return config, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize(
    "content",
    [b"workers: [\n", b"- workers\n- 3\n", b"just a string\n", b"\tworkers: 3\n", b"\xff\xfe w\n"],
    ids=["unclosed", "a-list", "a-scalar", "a-tab", "not-utf8"],
)
@pytest.mark.parametrize("command", [["run"], ["explain", "web"]])
def test_a_malformed_or_unreadable_config_file_is_one_line_and_exit_2(
    tmp_path: Path, content: bytes, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    config, err = refused(tmp_path, content, command, capsys)
    assert len(err) == 1, err
    assert err[0].startswith(f"mirrorctl: config file {config}: ")


def test_an_unknown_key_in_the_file_names_the_file_not_a_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, err = refused(tmp_path, b"wrokers: 3\n", ["run"], capsys)
    # There is no --wrokers flag nor MIRRORCTL_WROKERS variable to point at.
    assert err == [f"mirrorctl: unknown setting wrokers in config file {config}"]
