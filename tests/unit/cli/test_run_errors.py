import socket
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


def _unreachable_kubeconfig(tmp_path: Path) -> Path:
    """Nothing listens on port 1: the manager fails on its listener before reading the cluster."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"
    )
    return kubeconfig


def test_a_bind_address_in_use_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kubeconfig = _unreachable_kubeconfig(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        argv = ["run", "--kubeconfig", str(kubeconfig), "--event-loop", "asyncio"]
        argv += ["--metrics-bind-address", address, "--health-probe-bind-address", "127.0.0.1:0"]
        assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("mirrorctl: ")
    assert address.rsplit(":", 1)[1] in err[-1]
    assert "address already in use" in err[-1]
    assert not any(line.startswith("Traceback") for line in err)


def test_a_bind_host_that_does_not_resolve_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The resolver's own message ("Name or service not known") named neither the host nor the
    # setting.
    kubeconfig = _unreachable_kubeconfig(tmp_path)
    argv = ["run", "--kubeconfig", str(kubeconfig), "--event-loop", "asyncio"]
    argv += ["--metrics-bind-address", "nosuchhost.invalid:8080"]
    argv += ["--health-probe-bind-address", "127.0.0.1:0"]
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("mirrorctl: ")
    assert "nosuchhost.invalid:8080" in err[-1]


@pytest.mark.parametrize("command", [["run"], ["explain", "web"]])
def test_a_directory_given_as_a_file_is_called_one(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It exists: "does not exist" sent the user looking for a typo in the path.
    assert main([*command, "--kubeconfig", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"mirrorctl: kubeconfig {tmp_path} is a directory, not a file"]
    assert main([*command, "--config", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"mirrorctl: config file {tmp_path} is a directory, not a file"]


@pytest.mark.parametrize(
    ("cluster", "user", "named"),
    [
        ("certificate-authority-data: bm90IGEgY2VydA==", "{token: t}", "certificate authority"),
        (
            "insecure-skip-tls-verify: true",
            "{client-certificate-data: bm90IGEgY2VydA==, client-key-data: bm90IGEga2V5}",
            "client certificate and key",
        ),
    ],
    ids=["ca", "key-pair"],
)
@pytest.mark.parametrize("command", [["run"], ["explain", "web"]])
def test_tls_material_that_does_not_load_is_named(
    cluster: str,
    user: str,
    named: str,
    command: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # OpenSSL's own words ("[SSL] PEM lib (_ssl.c:3905)") said neither what nor where.
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters: [{{name: c, cluster: {{server: 'https://127.0.0.1:1', {cluster}}}}}]\n"
        f"users: [{{name: u, user: {user}}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n"
    )
    assert main([*command, "--kubeconfig", str(kubeconfig)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"mirrorctl: cannot load the cluster configuration: the {named} ")
