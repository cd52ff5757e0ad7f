from pathlib import Path

import pytest

from mirrorctl.cli.main import main


def test_missing_kubeconfig_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--kubeconfig", "/nonexistent/kubeconfig"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["mirrorctl: kubeconfig /nonexistent/kubeconfig does not exist"]


def test_unparsable_kubeconfig_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "kubeconfig"
    bad.write_text("garbage: [\n")
    assert main(["run", "--kubeconfig", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("mirrorctl: cannot load the cluster configuration:")


def test_auto_with_a_kubeconfig_flag_means_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.kube/config
    # `run` (not `dev`) is chosen: it fails on the missing file instead of starting a cluster.
    assert main(["auto", "--kubeconfig", str(tmp_path / "absent")]) == 1
    assert "kubeconfig" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["--renew-deadline", "20"], "renew_deadline"),
        (
            ["--lease-duration", "3", "--renew-deadline", "2", "--retry-period", "1.9"],
            "retry_period",
        ),
        (["--retry-period", "0"], "retry_period"),
    ],
)
def test_inconsistent_lease_timings_name_the_setting(
    flags: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", *flags]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"invalid setting {named} " in err[0]
