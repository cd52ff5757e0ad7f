from __future__ import annotations

import datetime
import ssl
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_asyncio.client import Configuration
from kubernetes_asyncio.config import load_kube_config

from mirrorctl.client.config import ClientConfig
from mirrorctl.client.credentials import ConfigurationCredentials, StaticCredentials
from mirrorctl.client.loading import config_from_configuration, load_kubeconfig
from mirrorctl.clock import FakeClock
from tests.unit.client.renewal import check_hourly_renewal

SECRET = "s3cr3t-t0ken-value"
WALL = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)


def kubeconfig(tmp_path: Path, users: dict[str, dict[str, Any]], current: str) -> Path:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "plain", "cluster": {"server": "http://127.0.0.1:8080"}},
            {
                "name": "tls",
                "cluster": {
                    "server": "https://10.0.0.1:6443/",
                    "insecure-skip-tls-verify": True,
                    "tls-server-name": "kubernetes.default",
                },
            },
        ],
        "users": [{"name": name, "user": user} for name, user in users.items()],
        "contexts": [
            {"name": n, "context": {"cluster": "tls" if n == "tls" else "plain", "user": n}}
            for n in users
        ],
        "current-context": current,
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(doc))
    return path


def exec_plugin(tmp_path: Path, lifetime: datetime.timedelta) -> dict[str, Any]:
    """A kubeconfig exec entry whose plugin hands out token-1, token-2, ... on each run."""
    counter = tmp_path / "runs"
    script = tmp_path / "plugin.py"
    expiry = (WALL + lifetime).strftime("%Y-%m-%dT%H:%M:%SZ")
    script.write_text(
        "import json, pathlib\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1',\n"
        "  'kind': 'ExecCredential',\n"
        f"  'status': {{'token': f'token-{{n}}', 'expirationTimestamp': {expiry!r}}}}}))\n"
    )
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": sys.executable,
            "args": [str(script)],
        }
    }


def test_config_repr_never_shows_the_token() -> None:
    configuration = Configuration()
    configuration.host = "https://k8s:6443"
    configuration.api_key["BearerToken"] = f"Bearer {SECRET}"
    config = config_from_configuration(configuration)
    assert config.credentials.authorization == f"Bearer {SECRET}"
    for text in (repr(config), str(config), repr(config.credentials)):
        assert SECRET not in text
        assert "<redacted>" in text
    static = StaticCredentials(f"Bearer {SECRET}")
    assert SECRET not in repr(static)
    assert SECRET not in repr(ClientConfig("https://k8s", credentials=static))


def test_config_repr_never_shows_a_proxy_password() -> None:
    # A kubeconfig's proxy-url may carry basic-auth credentials, as client-go allows.
    config = ClientConfig("https://k8s", proxy=f"http://alice:{SECRET}@proxy:3128")
    assert config.proxy == f"http://alice:{SECRET}@proxy:3128"
    for text in (repr(config), str(config)):
        assert SECRET not in text
        assert "http://alice:<redacted>@proxy:3128" in text


def test_api_key_prefix_and_basic_auth() -> None:
    configuration = Configuration()
    configuration.api_key["BearerToken"] = "abc"
    configuration.api_key_prefix["BearerToken"] = "Bearer"
    assert ConfigurationCredentials(configuration).authorization == "Bearer abc"
    basic = Configuration(username="u", password="p")
    assert ConfigurationCredentials(basic).authorization == "Basic dTpw"
    assert ConfigurationCredentials(Configuration()).authorization is None


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="http"):
        ClientConfig("k8s:6443")
    with pytest.raises(ValueError, match="qps"):
        ClientConfig("https://k8s", qps=0)
    with pytest.raises(ValueError, match="max_retries"):
        ClientConfig("https://k8s", max_retries=-1)


def test_host_label_and_base_url() -> None:
    config = ClientConfig("https://10.0.0.1:6443/")
    assert config.base_url == "https://10.0.0.1:6443"
    assert config.host_label == "10.0.0.1:6443"


def test_ssl_context_follows_the_settings() -> None:
    assert ClientConfig("http://127.0.0.1:8080").ssl_context() is None
    strict = ClientConfig("https://k8s").ssl_context()
    assert strict is not None
    assert strict.verify_mode == ssl.CERT_REQUIRED
    assert strict.check_hostname
    lax = ClientConfig("https://k8s", verify_ssl=False).ssl_context()
    assert lax is not None
    assert lax.verify_mode == ssl.CERT_NONE


async def test_kubeconfig_token_user_and_context_choice(tmp_path: Path) -> None:
    path = kubeconfig(
        tmp_path,
        {"alice": {"token": SECRET}, "tls": {"token": "other"}},
        current="alice",
    )
    default = await load_kubeconfig(path, request_timeout=5.0)
    assert default.host == "http://127.0.0.1:8080"
    assert default.credentials.authorization == f"Bearer {SECRET}"
    assert default.request_timeout == 5.0
    assert not default.credentials.refreshable
    assert SECRET not in repr(default)

    tls = await load_kubeconfig(path, context="tls")
    assert tls.host == "https://10.0.0.1:6443"
    assert tls.credentials.authorization == "Bearer other"
    assert tls.verify_ssl is False
    assert tls.tls_server_name == "kubernetes.default"


async def test_kubeconfig_path_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = kubeconfig(tmp_path, {"alice": {"token": SECRET}}, current="alice")
    monkeypatch.setenv("KUBECONFIG", str(path))
    config = await load_kubeconfig()
    assert config.host == "http://127.0.0.1:8080"


async def test_exec_credential_is_renewed_ahead_of_its_expiry(tmp_path: Path) -> None:
    path = kubeconfig(
        tmp_path, {"robot": exec_plugin(tmp_path, datetime.timedelta(hours=1))}, current="robot"
    )
    configuration = Configuration()
    loader = await load_kube_config(
        config_file=str(path), client_configuration=configuration, persist_config=False
    )
    clock = FakeClock()
    credentials = ConfigurationCredentials(configuration, loader, clock=clock, wall=lambda: WALL)
    await check_hourly_renewal(clock, credentials)


async def test_short_lived_exec_credential_is_renewed_at_half_life(tmp_path: Path) -> None:
    path = kubeconfig(
        tmp_path, {"robot": exec_plugin(tmp_path, datetime.timedelta(minutes=2))}, current="robot"
    )
    configuration = Configuration()
    loader = await load_kube_config(
        config_file=str(path), client_configuration=configuration, persist_config=False
    )
    clock = FakeClock()
    credentials = ConfigurationCredentials(configuration, loader, clock=clock, wall=lambda: WALL)
    await clock.advance(59)
    assert not credentials.stale()
    await clock.advance(1)
    assert credentials.stale()


async def test_refresh_hook_is_polled_once_a_minute() -> None:
    configuration = Configuration()
    configuration.api_key["BearerToken"] = "Bearer old"
    calls: list[int] = []

    def hook(cfg: Any) -> None:
        calls.append(1)
        cfg.api_key["BearerToken"] = f"Bearer new-{len(calls)}"

    configuration.refresh_api_key_hook = hook
    clock = FakeClock()
    credentials = ConfigurationCredentials(configuration, clock=clock)
    assert credentials.authorization == "Bearer old"
    assert not credentials.stale()
    await clock.advance(60)
    assert credentials.stale()
    await credentials.refresh()
    assert credentials.authorization == "Bearer new-1"
    assert not credentials.stale()
    assert calls == [1]


async def test_static_credentials_never_go_stale() -> None:
    configuration = Configuration()
    configuration.api_key["BearerToken"] = "Bearer fixed"
    clock = FakeClock()
    credentials = ConfigurationCredentials(configuration, clock=clock)
    await clock.advance(10**9)
    assert not credentials.stale()
    await credentials.refresh(force=True)
    assert credentials.authorization == "Bearer fixed"
