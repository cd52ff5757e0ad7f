"""Metrics and probes configured on one address spelled two ways share one listener, as the
same spelling twice does (two listeners on one port would fail at bind)."""

from __future__ import annotations

import socket

import pytest

from mirrorctl.client import Client
from mirrorctl.manager import Manager, ManagerOptions

from .support import get, no_task_leaks, running

pytestmark = pytest.mark.integration


def _free_port(family: socket.AddressFamily, host: str) -> int:
    with socket.socket(family) as probe:
        try:
            probe.bind((host, 0))
        except OSError as err:
            pytest.skip(f"cannot bind {host}: {err}")
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize(
    ("family", "metrics", "health"),
    [
        (socket.AF_INET, ":{port}", "0.0.0.0:{port}"),
        (socket.AF_INET6, "[::]:{port}", "[0:0:0:0:0:0:0:0]:{port}"),
        (socket.AF_INET, "127.0.0.1:{port}", "127.0.0.1:{port}"),
    ],
    ids=["empty-host-and-any", "ipv6-any-two-spellings", "identical"],
)
async def test_two_spellings_of_one_address_share_a_listener(
    admin_client: Client, family: socket.AddressFamily, metrics: str, health: str
) -> None:
    port = _free_port(family, "::" if family == socket.AF_INET6 else "0.0.0.0")
    options = ManagerOptions(
        metrics_bind_address=metrics.format(port=port),
        health_probe_bind_address=health.format(port=port),
    )
    async with no_task_leaks():
        manager = Manager(admin_client, options)
        async with running(manager) as task:
            await manager.wait_serving()
            assert not task.done(), task.exception()
            address = manager.metrics_address
            assert address is not None
            assert manager.health_address == address
            assert address.port == port
            assert (await get(address, "/metrics"))[0] == 200
            assert (await get(address, "/healthz"))[0] == 200
