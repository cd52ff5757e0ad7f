"""A control plane of the scenario's own: restarted, compacted, frozen and filled with hundreds
of objects without touching the session's (no namespace or garbage collector would ever clean
up after us there), with the CRDs and the shipped RBAC installed as in ``tests/conftest.py``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from mirrorctl.client import Client, ForbiddenError
from mirrorctl.client.resources import PODS
from mirrorctl.envtest import ControlPlane
from mirrorctl.manifests import apply_manifests, load_manifests, wait_for_crds

__all__ = ["Plane", "private_plane"]

CONFIG = Path(__file__).resolve().parents[2] / "config"


@dataclass(frozen=True, slots=True)
class Plane:
    control_plane: ControlPlane
    admin: Client

    @property
    def apiserver_port(self) -> int:
        return int(self.control_plane.url.rsplit(":", 1)[1])

    async def wait_authorized(self, timeout: float = 60.0) -> None:
        """Wait until the controller identity is authorized again: a restarted apiserver is
        ready (for the admin, whom RBAC does not concern) a moment before it grants our
        ClusterRole, and answers the controller with 403 meanwhile."""
        client = await Client.from_kubeconfig(self.control_plane.controller_kubeconfig)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    await client.list(PODS, limit=1)
                    return
                except ForbiddenError:
                    if time.monotonic() > deadline:
                        raise
                await asyncio.sleep(0.2)
        finally:
            await client.close()


@asynccontextmanager
async def private_plane() -> AsyncIterator[Plane]:
    control_plane = await asyncio.to_thread(ControlPlane().start)
    try:
        admin = await Client.from_kubeconfig(control_plane.admin_kubeconfig)
        try:
            crds = load_manifests(CONFIG / "crd")
            await apply_manifests(admin, crds)
            await wait_for_crds(admin, [d["metadata"]["name"] for d in crds])
            namespace = {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": "mirrorctl-system"},
            }
            await apply_manifests(admin, [namespace])
            await apply_manifests(admin, load_manifests(CONFIG / "rbac"))
            yield Plane(control_plane, admin)
        finally:
            await admin.close()
    finally:
        await asyncio.to_thread(control_plane.stop)
