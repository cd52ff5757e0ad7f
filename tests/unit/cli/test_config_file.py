from pathlib import Path

import pytest

from mirrorctl.cli.main import main


@pytest.mark.parametrize(
    "content",
    ["workers: [\n", "- workers\n- 3\n", "just a string\n", "\tworkers: 3\n"],
    ids=["unclosed", "a-list", "a-scalar", "a-tab"],
)
@pytest.mark.parametrize("command", [["run"], ["explain", "web"]])
def test_a_malformed_config_file_is_one_line_and_exit_2(
    tmp_path: Path, content: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "mirrorctl.yaml"
    config.write_text(content)
    assert main([*command, "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"mirrorctl: config file {config}: ")


def test_an_unreadable_config_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "mirrorctl.yaml"
    config.write_bytes(b"\xff\xfe workers: 3\n")
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"mirrorctl: config file {config}: ")


def test_an_unknown_key_in_the_file_names_the_file_not_a_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "mirrorctl.yaml"
    config.write_text("wrokers: 3\n")
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    # There is no --wrokers flag nor MIRRORCTL_WROKERS variable to point at.
    assert err == [f"mirrorctl: unknown setting wrokers in config file {config}"]
