from pathlib import Path

import pytest
import yaml

from mirrorctl.cli.main import main
from mirrorctl.cli.settings import RunSettings, unknown_variables


@pytest.mark.parametrize(
    ("env", "value", "named"),
    [
        ("MIRRORCTL_NAMESPACE", "Bad_NS", "namespace"),
        ("MIRRORCTL_NAMESPACE", "", "namespace"),
        ("MIRRORCTL_CLUSTER_NAME", "", "cluster_name"),
        ("MIRRORCTL_KUBECONFIG", "", "kubeconfig"),
        # The apiserver refuses the Lease (422) and run waited for it forever, logging why
        # at debug level only.
        ("MIRRORCTL_LEASE_NAME", "Mirrorctl_Leader", "lease_name"),
        ("MIRRORCTL_LEASE_NAMESPACE", "Mirrorctl System", "lease_namespace"),
    ],
)
@pytest.mark.parametrize("command", [["run"], ["explain", "web"]])
def test_a_value_the_controller_cannot_take_is_a_bad_setting(
    env: str,
    value: str,
    named: str,
    command: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # They reached the mirroring settings (a traceback, and an unclosed client session) or
    # read as the current directory ("kubeconfig . does not exist").
    monkeypatch.setenv(env, value)
    assert main(command) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"mirrorctl: invalid setting {named} ")


def test_a_bad_namespace_flag_is_a_bad_setting(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--namespace", "Team A"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "invalid setting namespace (--namespace / MIRRORCTL_NAMESPACE)" in err[0]
    assert "not a valid name" in err[0]


@pytest.mark.parametrize(
    "flags",
    [
        ["--lease-duration", "inf"],
        ["--lease-duration", "Infinity", "--renew-deadline", "1e308"],
    ],
)
def test_an_infinite_number_of_seconds_is_a_bad_setting(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # An infinite lease passed the settings and failed in the leader election's own check,
    # a traceback once the client was open.
    assert main(["run", "--leader-elect", *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"mirrorctl: invalid setting {flags[0][2:].replace('-', '_')} ")


@pytest.mark.parametrize("source", ["flag", "env", "file"])
def test_a_kubeconfig_under_home_may_be_written_with_a_tilde(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As the loader reads $KUBECONFIG: "kubeconfig ~/prod does not exist" followed before, in
    # a file, a quoted variable or --kubeconfig=~/prod, which no shell expands.
    monkeypatch.setenv("HOME", str(tmp_path))
    config = None
    flags: dict[str, str] = {}
    if source == "flag":
        flags["kubeconfig"] = "~/prod"
    elif source == "env":
        monkeypatch.setenv("MIRRORCTL_KUBECONFIG", "~/prod")
    else:
        config = tmp_path / "mirrorctl.yaml"
        config.write_text("kubeconfig: ~/prod\n")
    assert RunSettings.load(flags, config).kubeconfig == tmp_path / "prod"


def test_an_unknown_mirrorctl_variable_is_named_with_the_setting_it_resembles() -> None:
    environ = {
        "MIRRORCTL_WATCH_HOLDD": "0",  # a typo
        "mirrorctl_qps": "5",  # read as MIRRORCTL_QPS: settings ignore case
        "MIRRORCTL_CONFIG_DIR": "/etc/mirrorctl",  # read by the manifests command
        "MIRRORCTL_KUBE_APISERVER": "/usr/bin/kube-apiserver",  # read by envtest
        "MIRRORCTL_NOTHING_LIKE_IT_AT_ALL_XYZ": "1",
        "OTHER_MIRRORCTL_X": "1",
    }
    assert unknown_variables(environ) == [
        "mirrorctl: warning: MIRRORCTL_NOTHING_LIKE_IT_AT_ALL_XYZ is not a setting, ignored",
        "mirrorctl: warning: MIRRORCTL_WATCH_HOLDD is not a setting, ignored; "
        "did you mean MIRRORCTL_WATCH_HOLD?",
    ]


def test_the_command_warns_of_an_unknown_variable_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MIRRORCTL_WORKER", "8")
    assert main(["run", "--kubeconfig", "/nonexistent/kubeconfig"]) == 1  # as without it
    assert capsys.readouterr().err.strip().splitlines() == [
        "mirrorctl: warning: MIRRORCTL_WORKER is not a setting, ignored; "
        "did you mean MIRRORCTL_WORKERS?",
        "mirrorctl: kubeconfig /nonexistent/kubeconfig does not exist",
    ]


def test_the_shipped_config_file_sets_every_setting_and_nothing_else() -> None:
    shipped = yaml.safe_load((Path(__file__).parents[3] / "config/mirrorctl.yaml").read_text())
    assert sorted(shipped) == sorted(RunSettings.model_fields)
    RunSettings.load({}, Path(__file__).parents[3] / "config/mirrorctl.yaml")


def test_a_relative_kubeconfig_in_the_config_file_is_taken_from_the_file_s_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MIRRORCTL_KUBECONFIG", raising=False)
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = deploy / "mirrorctl.yaml"
    config.write_text("kubeconfig: clusters/prod\n")
    assert RunSettings.load({}, config).kubeconfig == deploy / "clusters/prod"
    config.write_text(f"kubeconfig: {tmp_path / 'abs'}\n")
    assert RunSettings.load({}, config).kubeconfig == tmp_path / "abs"
    # A flag (or variable) is a path as the shell gives it: from the working directory.
    assert RunSettings.load({"kubeconfig": "mine"}, config).kubeconfig == Path("mine")
