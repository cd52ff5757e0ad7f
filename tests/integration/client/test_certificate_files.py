"""A client certificate in kubeconfig files that is renewed in place, on the real apiserver:
once the old one expires, the client reads the new one (on the 401, long before its periodic
re-read) and uses it for requests and watches, without a restart."""

from __future__ import annotations

import asyncio
import datetime
import os
from pathlib import Path

import pytest

from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.envtest import ControlPlane
from mirrorctl.envtest.certs import issue_client_certificate
from tests.integration.client.rotation_support import (
    started_client,
    watch_resumed,
    write_user_kubeconfig,
)

pytestmark = pytest.mark.integration

LIFETIME = 8  # seconds of the first certificate


def _issue(control_plane: ControlPlane, directory: Path, lifetime: float) -> None:
    """A new pair for a cluster admin, renamed into place as a kubelet or cert-manager
    renews one (each file whole, one after the other)."""
    ca_cert, ca_key = control_plane.client_ca
    certificate, key, _ = issue_client_certificate(
        ca_cert, ca_key, "file-user", ("system:masters",), datetime.timedelta(seconds=lifetime)
    )
    for name, data in (("client.crt", certificate), ("client.key", key)):
        partial = directory / f".{name}.partial"
        partial.write_bytes(data)
        os.replace(partial, directory / name)


def _kubeconfig(directory: Path, control_plane: ControlPlane) -> Path:
    user = {
        "client-certificate": str(directory / "client.crt"),
        "client-key": str(directory / "client.key"),
    }
    return write_user_kubeconfig(directory, control_plane, "files", user)


async def test_a_renewed_certificate_file_is_taken_once_the_old_one_expires(
    admin_client: Client, namespace: str, control_plane: ControlPlane, tmp_path: Path
) -> None:
    _issue(control_plane, tmp_path, LIFETIME)
    started = asyncio.get_running_loop().time()
    async with started_client(_kubeconfig(tmp_path, control_plane), namespace) as (
        client,
        informer,
    ):
        _issue(control_plane, tmp_path, 3600)  # renewed on disk, not yet read

        await asyncio.sleep(LIFETIME + 1 - (asyncio.get_running_loop().time() - started))
        # The first pair has expired and the periodic re-read is minutes away: the 401 makes
        # the client read the files again, and the kept connection, made with the expired
        # certificate, is not reused.
        await client.create(CONFIGMAPS, {"metadata": {"name": "after"}}, namespace)

        await watch_resumed(admin_client, informer, namespace)
