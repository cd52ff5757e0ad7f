"""`mirrorctl.client.loading`: our loader by default, kubernetes-asyncio only for auth-provider."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from mirrorctl.client.credentials import ConfigurationCredentials
from mirrorctl.client.loading import load_kubeconfig
from tests.unit.client.kubeconfig_files import b64, kubeconfig_doc, write_doc


def unexpired_jwt() -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part({'exp': 4102444800})}.sig"  # expires in 2100


async def test_auth_provider_falls_back_to_kubernetes_asyncio(tmp_path: Path) -> None:
    token = unexpired_jwt()
    user = {
        "auth-provider": {
            "name": "oidc",
            "config": {"id-token": token, "idp-issuer-url": "https://issuer.example"},
        }
    }
    path = write_doc(tmp_path / "config", kubeconfig_doc(user=user))
    config = await load_kubeconfig(path, request_timeout=7.0)
    assert isinstance(config.credentials, ConfigurationCredentials)
    assert config.credentials.authorization == f"Bearer {token}"
    assert config.host == "https://k8s.example:6443"
    assert config.request_timeout == 7.0


def test_common_loading_never_imports_kubernetes_asyncio(tmp_path: Path) -> None:
    path = write_doc(
        tmp_path / "config",
        kubeconfig_doc(
            cluster={"server": "https://k8s:6443", "certificate-authority-data": b64(b"CA")},
            user={"token": "t"},
        ),
    )
    script = textwrap.dedent(
        f"""
        import asyncio, os, sys
        import mirrorctl.cli.main
        import mirrorctl.client
        from mirrorctl.client.loading import load_kubeconfig
        config = asyncio.run(load_kubeconfig({str(path)!r}))
        assert config.credentials.authorization == "Bearer t", config
        assert "kubernetes_asyncio" not in sys.modules, "kubernetes_asyncio was imported"
        print(os.path.dirname(config.ca_file))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    # The private key directory is gone once the interpreter exits.
    key_dir = Path(done.stdout.strip())
    assert key_dir.name.startswith("mirrorctl-keys-")
    assert not key_dir.exists()
