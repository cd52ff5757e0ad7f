"""A client certificate from an exec plugin that expires, on the real apiserver: the client
takes the renewed one, for new requests and for watches, without a restart."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.envtest import ControlPlane
from tests.integration.client.rotation_support import (
    started_client,
    watch_resumed,
    write_user_kubeconfig,
)

pytestmark = pytest.mark.integration

LIFETIME = 8  # seconds: renewed after half of it, refused by the apiserver after all of it

# Signs a new certificate for a cluster admin on every run: <client CA cert> <key> <state dir>.
_PLUGIN = f"""\
import datetime, json, pathlib, sys
from mirrorctl.envtest.certs import issue_client_certificate
ca_cert, ca_key, state = (pathlib.Path(a) for a in sys.argv[1:4])
runs = state / "runs"
runs.write_text(str(int(runs.read_text()) + 1 if runs.exists() else 1))
certificate, key, expiry = issue_client_certificate(
    ca_cert, ca_key, "exec-user", ("system:masters",), datetime.timedelta(seconds={LIFETIME})
)
status = {{
    "clientCertificateData": certificate.decode(),
    "clientKeyData": key.decode(),
    "expirationTimestamp": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
}}
print(json.dumps({{
    "apiVersion": "client.authentication.k8s.io/v1",
    "kind": "ExecCredential",
    "status": status,
}}))
"""


def _kubeconfig(directory: Path, control_plane: ControlPlane) -> Path:
    plugin = directory / "plugin.py"
    plugin.write_text(_PLUGIN)
    ca_cert, ca_key = control_plane.client_ca
    user: dict[str, Any] = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": [str(plugin), str(ca_cert), str(ca_key), str(directory)],
            "interactiveMode": "Never",
        }
    }
    return write_user_kubeconfig(directory, control_plane, "exec", user)


async def test_an_expiring_client_certificate_is_rotated_for_requests_and_watches(
    admin_client: Client, namespace: str, control_plane: ControlPlane, tmp_path: Path
) -> None:
    async with started_client(_kubeconfig(tmp_path, control_plane), namespace) as (
        client,
        informer,
    ):
        assert (tmp_path / "runs").read_text() == "1"

        await asyncio.sleep(LIFETIME + 1)  # the first certificate has expired
        # The kept connection presented the expired certificate: were it reused, the
        # apiserver would answer 401 however often the plugin ran again.
        await client.create(CONFIGMAPS, {"metadata": {"name": "after"}}, namespace)
        assert (tmp_path / "runs").read_text() == "2"  # renewed ahead of expiry, no 401

        await watch_resumed(admin_client, informer, namespace)


async def test_a_second_client_of_the_same_config_presents_the_current_certificate(
    namespace: str, control_plane: ControlPlane, tmp_path: Path
) -> None:
    # The manager builds the leader election's client from ``client.config``: it shares the
    # exec credentials, whose certificate the first client may already have renewed.
    first = await Client.from_kubeconfig(_kubeconfig(tmp_path, control_plane))
    early = Client(first.config)  # built before any renewal, holding a kept connection
    try:
        await early.list(CONFIGMAPS, namespace)
        await asyncio.sleep(LIFETIME + 1)  # the first certificate has expired
        await first.list(CONFIGMAPS, namespace)  # renews it, for both clients
        assert (tmp_path / "runs").read_text() == "2"

        # Neither the client that saw the renewal happen elsewhere nor one built after it
        # presents the expired certificate: no 401, so no third run of the plugin.
        await early.create(CONFIGMAPS, {"metadata": {"name": "early"}}, namespace)
        late = Client(first.config)
        try:
            await late.create(CONFIGMAPS, {"metadata": {"name": "late"}}, namespace)
        finally:
            await late.close()
        assert (tmp_path / "runs").read_text() == "2"
    finally:
        await early.close()
        await first.close()
