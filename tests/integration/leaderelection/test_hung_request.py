"""A Lease request hung on a dead connection costs the leader one attempt, not its Lease."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import AsyncIterator

import pytest

from mirrorctl.client import Client
from mirrorctl.client.loading import load_kubeconfig
from mirrorctl.client.resources import LEASES
from mirrorctl.envtest import ControlPlane
from mirrorctl.leaderelection import LeaderElectionConfig, LeaderElector
from tests.faults.proxy import LoopbackProxy

pytestmark = pytest.mark.integration

BOUND = 30.0


@pytest.fixture
async def proxy(control_plane: ControlPlane) -> AsyncIterator[LoopbackProxy]:
    proxy = LoopbackProxy(int(control_plane.url.rpartition(":")[2]))
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.close()


async def test_a_renewal_hung_on_a_dead_connection_is_retried_in_time(
    control_plane: ControlPlane, admin_client: Client, namespace: str, proxy: LoopbackProxy
) -> None:
    config = await load_kubeconfig(control_plane.admin_kubeconfig)
    client = Client(dataclasses.replace(config, host=proxy.url))
    lease = f"hung-{uuid.uuid4().hex[:6]}"
    election = LeaderElectionConfig(
        name=lease,
        namespace=namespace,
        identity="hung",
        lease_duration=4.0,
        renew_deadline=3.0,
        retry_period=0.3,
    )
    elector = LeaderElector(client, election)
    leading = asyncio.Event()
    stopped = asyncio.Event()

    async def lead() -> None:
        leading.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(elector.run(lead, stopped.set))
    try:
        await asyncio.wait_for(leading.wait(), BOUND)
        before = (await admin_client.get(LEASES, lease, namespace))["spec"]["renewTime"]
        # The pooled connection the next renewal will use now leads nowhere; a new one would.
        proxy.stall()
        connections = proxy.connections
        # Twice the renew deadline: a leader that waited out its hung request has given up.
        await asyncio.sleep(2 * election.renew_deadline)
        assert not stopped.is_set(), "one hung request cost the leader its Lease"
        assert elector.is_leader()
        assert proxy.connections > connections
        after = (await admin_client.get(LEASES, lease, namespace))["spec"]["renewTime"]
        assert after != before
    finally:
        task.cancel()
        await asyncio.wait({task})
        await client.close()
