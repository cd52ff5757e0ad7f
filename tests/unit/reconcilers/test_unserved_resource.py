"""A write that meets a 404 naming no object: what a restarted apiserver answers for custom
resources in the moment between accepting requests and serving them. The object is not gone,
so the reconcile must fail and come back until the write lands, never count as done."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from mirrorctl.client.errors import NotFoundError
from mirrorctl.mirroring import keys
from mirrorctl.reconcile.request import Request
from tests.unit.controller.support import harness
from tests.unit.mirroring import builders as b
from tests.unit.reconcilers.scenario import analyzer_setup, source_setup
from tests.unit.reconcilers.world import R, World

VMI = R.virtual_machine_interfaces
SOURCE = Request("s", "ns")


def udp_port(world: World) -> Any:
    text = world.annotations(VMI, "ns/s-eth0")[keys.MIRRORING_CONFIGURATION]
    return orjson.loads(text)["udp_port"]


async def fanned_out_world() -> World:
    """Converged on port 9000, then the MirrorDestination moved to 9001."""
    world = World()
    analyzer_setup(world)
    world.put(R.mirror_destinations, b.md("md1", {"udpPort": 9000}, selector="sniffer"))
    source_setup(world)
    await world.converge()
    assert udp_port(world) == 9000
    world.put(
        R.mirror_destinations, b.md("md1", {"udpPort": 9001}, selector="sniffer", generation=2)
    )
    return world


async def test_a_404_naming_no_object_fails_the_reconcile() -> None:
    world = await fanned_out_world()
    world.unserved.add(VMI)
    with pytest.raises(NotFoundError):
        await world.source.reconcile(SOURCE)
    assert udp_port(world) == 9000
    world.unserved.clear()
    await world.source.reconcile(SOURCE)
    assert udp_port(world) == 9001


async def test_a_404_naming_the_object_is_a_gone_object() -> None:
    world = await fanned_out_world()
    world.server[VMI].pop("ns/s-eth0")  # deleted; the cache has not heard yet
    await world.source.reconcile(SOURCE)
    assert "ns/s-eth0" not in world.server[VMI]


async def test_the_controller_retries_the_write_until_it_lands() -> None:
    world = await fanned_out_world()
    world.unserved.add(VMI)
    async with harness(world.source) as h:
        h.queue.add(SOURCE)
        await h.clock.advance(0)
        assert udp_port(world) == 9000
        world.unserved.clear()  # the apiserver now serves the custom resources
        await h.clock.advance(1)  # past the first back-off
        assert udp_port(world) == 9001
        assert h.metric("controller_runtime_reconcile_errors_total") == 1
        assert h.total("success") == 1
