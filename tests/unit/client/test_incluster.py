"""In-cluster settings from an injected service-account directory and environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirrorctl.client.incluster import in_cluster_config
from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.clock import FakeClock

ENV = {"KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}


def service_account(tmp_path: Path) -> Path:
    directory = tmp_path / "serviceaccount"
    directory.mkdir()
    (directory / "token").write_text("sa-token-1")
    (directory / "ca.crt").write_text("CA")
    return directory


async def test_host_token_and_ca(tmp_path: Path) -> None:
    directory = service_account(tmp_path)
    clock = FakeClock()
    config = in_cluster_config(directory=directory, environ=ENV, clock=clock, qps=5.0)
    assert config.host == "https://10.96.0.1:443"
    assert config.ca_file == str(directory / "ca.crt")
    assert config.qps == 5.0
    assert config.credentials.authorization == "Bearer sa-token-1"
    assert "sa-token-1" not in repr(config)
    # The kubelet rotates the projected token; we see it within a minute.
    (directory / "token").write_text("sa-token-2")
    await clock.advance(60)
    assert config.credentials.stale()
    await config.credentials.refresh()
    assert config.credentials.authorization == "Bearer sa-token-2"


def test_ipv6_host_is_bracketed(tmp_path: Path) -> None:
    env = {"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"}
    config = in_cluster_config(directory=service_account(tmp_path), environ=env)
    assert config.host == "https://[fd00::1]:6443"
    assert config.host_label == "[fd00::1]:6443"


@pytest.mark.parametrize("missing", ["KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT"])
def test_outside_a_cluster(tmp_path: Path, missing: str) -> None:
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(KubeconfigError, match="not running in a cluster"):
        in_cluster_config(directory=service_account(tmp_path), environ=env)


@pytest.mark.parametrize(("absent", "message"), [("token", "token file"), ("ca.crt", "the CA")])
def test_missing_files(tmp_path: Path, absent: str, message: str) -> None:
    directory = service_account(tmp_path)
    (directory / absent).unlink()
    with pytest.raises(KubeconfigError, match=message):
        in_cluster_config(directory=directory, environ=ENV)
