"""Exec credential plugins: a small Python script run with sys.executable (no apiserver)."""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from mirrorctl.client.config import ClientConfig
from mirrorctl.client.credentials import ClientCertificate
from mirrorctl.client.exec_credentials import ExecCredentials, renewal_delay
from mirrorctl.client.exec_plugin import EXEC_INFO_ENV, ExecConfig, ExecPlugin, ExecResult
from mirrorctl.client.key_material import KeyMaterial
from mirrorctl.client.kubeconfig import kubeconfig_paths, read_kubeconfig, select_context
from mirrorctl.client.kubeconfig_config import client_config_from_kubeconfig
from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.clock import FakeClock
from tests.unit.client.kubeconfig_files import (
    b64,
    exec_entry,
    kubeconfig_doc,
    write_doc,
    write_plugin,
)
from tests.unit.client.renewal import check_hourly_renewal

WALL = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "FROM_PARENT": "parent"}


def rfc3339(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def content(path: str) -> bytes:
    return Path(path).read_bytes()


def runs(state: Path) -> int:
    counter = state / "runs"
    return int(counter.read_text()) if counter.exists() else 0


def env_of_run(state: Path, run: int) -> dict[str, str]:
    env: dict[str, str] = json.loads((state / f"env-{run}.json").read_text())
    return env


async def load(
    tmp_path: Path,
    user: dict[str, Any],
    *,
    cluster: dict[str, Any] | None = None,
    clock: FakeClock | None = None,
    **options: Any,
) -> ClientConfig:
    path = write_doc(tmp_path / "config", kubeconfig_doc(cluster=cluster, user=user))
    selected = select_context(read_kubeconfig(kubeconfig_paths(path)))
    keys = tmp_path / "keys"
    keys.mkdir(mode=0o700, exist_ok=True)
    return await client_config_from_kubeconfig(
        selected,
        key_material=KeyMaterial(keys),
        clock=clock,
        wall=lambda: WALL,
        environ=BASE_ENV,
        **options,
    )


async def test_token_is_renewed_ahead_of_expiry_and_after_a_401(tmp_path: Path) -> None:
    state = tmp_path / "state"
    expiry = rfc3339(WALL + datetime.timedelta(hours=1))
    user = exec_entry(write_plugin(tmp_path), state, expiry=expiry)
    clock = FakeClock()
    config = await load(tmp_path, user, clock=clock)
    assert "token-1" not in repr(config)
    await check_hourly_renewal(clock, config.credentials)
    assert runs(state) == 3  # the first run, the early renewal, the forced one


async def test_concurrent_refreshes_run_the_plugin_once(tmp_path: Path) -> None:
    state = tmp_path / "state"
    expiry = rfc3339(WALL + datetime.timedelta(minutes=10))
    clock = FakeClock()
    config = await load(
        tmp_path, exec_entry(write_plugin(tmp_path), state, expiry=expiry), clock=clock
    )
    credentials = config.credentials
    await clock.advance(5 * 60)
    assert credentials.stale()
    await asyncio.gather(*(credentials.refresh() for _ in range(3)))
    assert runs(state) == 2
    await asyncio.gather(*(credentials.refresh(force=True) for _ in range(3)))
    assert runs(state) == 3
    assert credentials.authorization == "Bearer token-3"


async def test_without_expiry_the_token_is_kept_until_a_401(tmp_path: Path) -> None:
    state = tmp_path / "state"
    clock = FakeClock()
    config = await load(tmp_path, exec_entry(write_plugin(tmp_path), state), clock=clock)
    await clock.advance(10**7)
    assert not config.credentials.stale()
    await config.credentials.refresh(force=True)
    assert config.credentials.authorization == "Bearer token-2"


def test_renewal_lead_is_capped_at_half_the_lifetime() -> None:
    assert renewal_delay(WALL + datetime.timedelta(hours=1), WALL) == 3300
    assert renewal_delay(WALL + datetime.timedelta(minutes=2), WALL) == 60
    assert renewal_delay(WALL - datetime.timedelta(minutes=2), WALL) == 1


async def test_environment_and_exec_info(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    ca = b"-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"
    cluster = {
        "server": "https://k8s.example:6443",
        "certificate-authority-data": b64(ca),
        "tls-server-name": "kubernetes",
        "proxy-url": "http://proxy:3128",
        "extensions": [
            {"name": "client.authentication.k8s.io/exec", "extension": {"audience": "k8s"}},
            {"name": "other", "extension": {"ignored": True}},
        ],
    }
    user = exec_entry(
        write_plugin(tmp_path),
        state,
        env=[{"name": "PLUGIN_MODE", "value": "x"}, {"name": "FROM_PARENT", "value": "mine"}],
        provideClusterInfo=True,
    )
    await load(tmp_path, user, cluster=cluster)
    env = env_of_run(state, 1)
    assert env["PLUGIN_MODE"] == "x"
    assert env["FROM_PARENT"] == "mine"  # the configured env wins over ours
    info = json.loads(env[EXEC_INFO_ENV])
    assert info == {
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "spec": {
            "interactive": False,
            "cluster": {
                "server": "https://k8s.example:6443",
                "certificate-authority-data": base64.b64encode(ca).decode(),
                "tls-server-name": "kubernetes",
                "proxy-url": "http://proxy:3128",
                "config": {"audience": "k8s"},
            },
        },
    }
    # The plugin's stderr reaches ours.
    assert "plugin run 1 says hello" in capfd.readouterr().err


async def test_cluster_info_only_when_asked(tmp_path: Path) -> None:
    state = tmp_path / "state"
    await load(tmp_path, exec_entry(write_plugin(tmp_path), state))
    env = env_of_run(state, 1)
    assert env["FROM_PARENT"] == "parent"
    assert json.loads(env[EXEC_INFO_ENV])["spec"] == {"interactive": False}


async def test_ca_file_is_sent_as_data(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (tmp_path / "ca.crt").write_bytes(b"CA-PEM")
    user = exec_entry(write_plugin(tmp_path), state, provideClusterInfo=True)
    cluster = {"server": "https://k:6443", "certificate-authority": "ca.crt"}
    await load(tmp_path, user, cluster=cluster)
    info = json.loads(env_of_run(state, 1)[EXEC_INFO_ENV])
    assert base64.b64decode(info["spec"]["cluster"]["certificate-authority-data"]) == b"CA-PEM"


async def test_relative_command_resolves_against_the_kubeconfig(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "plugin"
    state = tmp_path / "state"
    state.mkdir()
    launcher.write_text(
        f"#!{sys.executable}\n"
        "import json\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',"
        " 'kind': 'ExecCredential', 'status': {'token': 'relative'}}))\n"
    )
    launcher.chmod(0o755)
    user = {
        "exec": {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "./bin/plugin"}
    }
    config = await load(tmp_path, user)
    assert config.credentials.authorization == "Bearer relative"


async def test_client_certificate_from_the_plugin(tmp_path: Path) -> None:
    state = tmp_path / "state"
    config = await load(tmp_path, exec_entry(write_plugin(tmp_path), state, mode="cert"))
    assert config.credentials.authorization is None
    assert config.cert_file is not None
    assert config.key_file is not None
    assert content(config.cert_file) == b"CERT-PEM-1"
    assert content(config.key_file) == b"KEY-PEM-1"


async def test_a_refresh_offers_the_plugins_new_client_certificate(tmp_path: Path) -> None:
    state = tmp_path / "state"
    config = await load(tmp_path, exec_entry(write_plugin(tmp_path), state, mode="cert"))
    credentials = config.credentials
    assert isinstance(credentials, ExecCredentials)
    assert credentials.client_certificate == ClientCertificate(b"CERT-PEM-1", b"KEY-PEM-1")
    await credentials.refresh(force=True)
    assert credentials.client_certificate == ClientCertificate(b"CERT-PEM-2", b"KEY-PEM-2")
    assert "PEM" not in repr(credentials.client_certificate)


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("fail", "exited with status 3"),
        ("badjson", "did not print a JSON ExecCredential"),
        ("wrongversion", "configured for apiVersion 'client.authentication.k8s.io/v1' but printed"),
        ("notoken", "neither a token nor a client certificate"),
    ],
)
async def test_plugin_failures(tmp_path: Path, mode: str, message: str) -> None:
    state = tmp_path / "state"
    with pytest.raises(KubeconfigError, match=message) as caught:
        await load(tmp_path, exec_entry(write_plugin(tmp_path), state, mode=mode))
    assert "token-" not in str(caught.value)
    assert "user 'main'" in str(caught.value)


async def test_failed_refresh_keeps_the_old_token_and_stays_due(tmp_path: Path) -> None:
    state = tmp_path / "state"
    script = write_plugin(tmp_path)
    expiry = rfc3339(WALL + datetime.timedelta(minutes=10))
    clock = FakeClock()
    config = await load(tmp_path, exec_entry(script, state, expiry=expiry), clock=clock)
    await clock.advance(600)
    # The plugin starts failing: the refresh raises and the next request tries again.
    (tmp_path / "plugin.py").write_text("import sys\nsys.exit(1)\n")
    with pytest.raises(KubeconfigError, match="exited with status 1"):
        await config.credentials.refresh()
    assert config.credentials.authorization == "Bearer token-1"
    assert config.credentials.stale()


async def test_command_not_found_shows_the_install_hint(tmp_path: Path) -> None:
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "mirrorctl-no-such-plugin",
            "interactiveMode": "IfAvailable",
            "installHint": "Install it with: brew install no-such-plugin",
        }
    }
    with pytest.raises(KubeconfigError) as caught:
        await load(tmp_path, user)
    text = str(caught.value)
    assert "'mirrorctl-no-such-plugin' of user 'main': executable not found" in text
    assert text.endswith("\n\nInstall it with: brew install no-such-plugin")


async def test_hanging_plugin_is_killed_at_the_timeout(tmp_path: Path) -> None:
    state = tmp_path / "state"
    plugin = ExecPlugin(
        ExecConfig(
            user="u",
            command=sys.executable,
            api_version="client.authentication.k8s.io/v1",
            args=(str(write_plugin(tmp_path)), str(state), "hang", "-"),
        ),
        timeout=0.2,
    )
    state.mkdir()
    with pytest.raises(KubeconfigError, match=r"did not finish within 0\.2 s"):
        await plugin.run()


async def test_interactive_always_is_refused(tmp_path: Path) -> None:
    user = exec_entry(write_plugin(tmp_path), tmp_path / "state", interactiveMode="Always")
    with pytest.raises(KubeconfigError, match="without a terminal"):
        await load(tmp_path, user)
    assert runs(tmp_path / "state") == 0


async def test_a_failed_early_renewal_keeps_the_token_until_it_expires(tmp_path: Path) -> None:
    # Renewal starts five minutes ahead of the expiry: a plugin failing then (its identity
    # provider briefly unreachable) must not fail requests a still-valid token can carry.
    state = tmp_path / "state"
    user = exec_entry(write_plugin(tmp_path), state, mode="fail")["exec"]
    config = ExecConfig(
        user="u",
        command=user["command"],
        api_version=user["apiVersion"],
        args=tuple(user["args"]),
        interactive_mode="Never",
    )
    clock = FakeClock()
    first = ExecResult(token="token-1", expiry=WALL + datetime.timedelta(hours=1))
    credentials = ExecCredentials(
        ExecPlugin(config, environ=BASE_ENV), first, clock=clock, wall=lambda: WALL
    )
    await clock.advance(55 * 60)
    assert credentials.stale()
    await credentials.refresh()
    assert runs(state) == 1
    assert credentials.authorization == "Bearer token-1"
    assert not credentials.stale()  # tried again later, not before every request
    await clock.advance(10)
    assert credentials.stale()
    # A 401 says the token is refused already: nothing left to keep.
    with pytest.raises(KubeconfigError, match="exited with status 3"):
        await credentials.refresh(force=True)
    await clock.advance(5 * 60)  # past the expiry
    assert credentials.stale()
    with pytest.raises(KubeconfigError, match="exited with status 3"):
        await credentials.refresh()
