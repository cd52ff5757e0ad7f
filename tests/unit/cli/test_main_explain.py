"""explain's usage errors and settings, which never reach a cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirrorctl.cli.main import main


@pytest.mark.parametrize(
    "argv",
    [
        ["explain", "a", "b", "c"],
        ["explain", "svc", "web"],
        ["explain", "md", "blue", "-n", "team"],
        ["explain", "web", "--timeout", "0"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("mirrorctl explain: ")
    assert err.count("\n") == 1


def test_argparse_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["explain", "web", "-o", "yaml"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["explain"])
    assert exit_info.value.code == 2


def test_a_bad_setting_exits_2_naming_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "web", "--contrail-api-version", "latest"]) == 2
    err = capsys.readouterr().err
    assert "contrail_api_version" in err
    assert err.count("\n") == 1


def test_a_bad_setting_from_the_environment_names_no_flag_explain_lacks(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRRORCTL_QPS", "-1")
    assert main(["explain", "web"]) == 2
    err = capsys.readouterr().err
    assert "invalid setting qps (MIRRORCTL_QPS)" in err
    assert "--qps" not in err
    monkeypatch.delenv("MIRRORCTL_QPS")
    monkeypatch.setenv("MIRRORCTL_CONTRAIL_API_VERSION", "latest")
    assert main(["explain", "web"]) == 2
    assert "(--contrail-api-version / MIRRORCTL_CONTRAIL_API_VERSION)" in capsys.readouterr().err


def test_a_missing_kubeconfig_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "web", "--kubeconfig", str(tmp_path / "nope")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_a_pod_outside_the_watched_namespace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MIRRORCTL_NAMESPACE", "team-a")
    kubeconfig = tmp_path / "kc"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    assert main(["explain", "web", "-n", "team-b", "--kubeconfig", str(kubeconfig)]) == 1
    assert "watch namespace 'team-a' only" in capsys.readouterr().err


def test_a_kubeconfig_that_is_not_utf8_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_bytes(b"\x00\xff garbage")
    assert main(["explain", "web", "--kubeconfig", str(kubeconfig)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("mirrorctl: cannot load the cluster configuration:")
