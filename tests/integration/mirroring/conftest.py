"""One mirroring controller per test module, run as the controller identity under the shipped
RBAC (never as the admin), against the session's control plane."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from mirrorctl.client import Client
from mirrorctl.envtest import ControlPlane
from mirrorctl.manager import Manager, ManagerOptions
from mirrorctl.reconcilers import Mirroring, MirroringSettings, setup_mirroring

from .support import CLUSTER, Lab

__all__ = ["Running", "start_controller", "stop_controller"]


@dataclass(frozen=True)
class Running:
    manager: Manager
    mirroring: Mirroring


async def start_controller(
    control_plane: ControlPlane, *, resync_period: float | None = None
) -> tuple[Running, asyncio.Task[None]]:
    manager = await Manager.from_kubeconfig(
        control_plane.controller_kubeconfig,
        options=ManagerOptions(resync_period=resync_period, graceful_shutdown_timeout=10.0),
    )
    mirroring = setup_mirroring(manager, MirroringSettings(cluster_name=CLUSTER, workers=2))
    task = asyncio.create_task(manager.start(), name="mirroring-manager")
    return Running(manager, mirroring), task


async def stop_controller(running: Running, task: asyncio.Task[None]) -> None:
    running.manager.stop()
    await asyncio.wait({task}, timeout=60)
    assert task.done(), "the mirroring manager did not stop"
    task.result()  # a manager that failed fails the module


@pytest.fixture(scope="module")
async def controller(
    control_plane: ControlPlane, crds: list[str], rbac: None
) -> AsyncIterator[Running]:
    running, task = await start_controller(control_plane)
    try:
        yield running
    finally:
        await stop_controller(running, task)


@pytest.fixture
def lab(admin_client: Client, namespace: str, controller: Running) -> Lab:
    return Lab(admin_client, namespace)
