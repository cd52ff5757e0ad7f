"""What the client-certificate rotation tests share: a kubeconfig with a user entry of the
test's own, a client and informer started on it, and the check that the informer's watch
resumed after a rotation."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import yaml

from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.envtest import ControlPlane
from mirrorctl.informers import InformerFactory
from mirrorctl.informers.shared import SharedInformer
from tests.integration.informers.support import eventually

__all__ = ["started_client", "watch_resumed", "write_user_kubeconfig"]


def write_user_kubeconfig(
    directory: Path, control_plane: ControlPlane, name: str, user: dict[str, Any]
) -> Path:
    """``directory/kubeconfig``: the control plane's server and CA, and ``user`` as ``name``."""
    cluster = {"server": control_plane.url, "certificate-authority": str(control_plane.ca_cert)}
    path = directory / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "envtest", "cluster": cluster}],
                "users": [{"name": name, "user": user}],
                "contexts": [{"name": name, "context": {"cluster": "envtest", "user": name}}],
                "current-context": name,
            }
        )
    )
    return path


@contextlib.asynccontextmanager
async def started_client(
    kubeconfig: Path, namespace: str
) -> AsyncIterator[tuple[Client, SharedInformer]]:
    """A client of ``kubeconfig`` holding a keep-alive connection made with its first
    certificate, and a synced informer of the namespace's configmaps on it."""
    client = await Client.from_kubeconfig(kubeconfig)
    factory = InformerFactory(client)
    informer = factory.informer(CONFIGMAPS, namespace)
    try:
        await client.list(CONFIGMAPS, namespace)
        await factory.start()
        assert await factory.wait_for_sync(timeout=30)
        yield client, informer
    finally:
        await factory.stop()
        await client.close()


async def watch_resumed(admin_client: Client, informer: SharedInformer, namespace: str) -> None:
    """Wait until ``informer``, started before a rotation, sees a configmap made after it: its
    watch was cut with the old connections and resumed with the new certificate."""
    await admin_client.create(CONFIGMAPS, {"metadata": {"name": "seen"}}, namespace)
    await eventually(
        lambda: informer.store.get_by_key(f"{namespace}/seen") is not None,
        what="the informer's cache holding a configmap made after the rotation",
    )
