"""A leader whose controllers saturate the client-side rate limit keeps its Lease."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid

import pytest

from mirrorctl.client import Client
from mirrorctl.client.loading import load_kubeconfig
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.envtest import ControlPlane
from mirrorctl.leaderelection import LeaderElectionConfig
from mirrorctl.manager import Manager, ManagerOptions, RunnableFunc

from .support import BOUND, no_task_leaks

pytestmark = pytest.mark.integration


async def test_requests_queued_behind_the_rate_limit_do_not_delay_renewals(
    control_plane: ControlPlane, namespace: str
) -> None:
    config = await load_kubeconfig(control_plane.admin_kubeconfig)
    client = Client(dataclasses.replace(config, qps=5.0, burst=1))
    election = LeaderElectionConfig(
        name=f"busy-{uuid.uuid4().hex[:6]}",
        namespace=namespace,
        identity="busy",
        lease_duration=3.0,
        renew_deadline=2.0,
        retry_period=0.3,
    )
    flooding = asyncio.Event()

    async def flood() -> None:
        # Ten seconds' worth of requests at 5 per second, queued at once: a fan-out.
        flooding.set()
        await asyncio.gather(
            *(client.get(CONFIGMAPS, "absent", namespace) for _ in range(50)),
            return_exceptions=True,
        )
        await asyncio.Event().wait()

    try:
        async with no_task_leaks():
            manager = Manager(client, ManagerOptions(namespace=namespace, leader_election=election))
            manager.add(RunnableFunc(flood))
            task = asyncio.create_task(manager.start())
            try:
                await asyncio.wait_for(flooding.wait(), BOUND)
                await asyncio.sleep(3 * election.renew_deadline)
                # Before: the renewals waited in the queue, leadership was lost and start()
                # raised LeaderElectionLostError.
                assert not task.done(), task.exception()
                assert manager.is_leader()
            finally:
                manager.stop_now()
                await asyncio.wait({task}, timeout=BOUND)
            assert task.result() is None
    finally:
        await client.close()
