"""Another writer on the same VMIs during a fan-out: its merge patches and conflicting updates
interleave with mirrorctl's patches; none of its keys is lost and mirrorctl's converge."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.faults.foreign_writer import ForeignWriter
from tests.faults.plane import Plane
from tests.faults.scenario import (
    CONVERGE_TIMEOUT,
    converged,
    new_fleet,
    start_controller,
    start_fan_out,
)

pytestmark = pytest.mark.integration


async def test_another_writer_on_the_same_vmis(plane: Plane, tmp_path: Path) -> None:
    controller = start_controller(plane, tmp_path)
    stop = asyncio.Event()
    writing: asyncio.Task[None] | None = None
    try:
        fleet = await new_fleet(plane)
        writer = ForeignWriter(fleet)
        await converged(fleet, controller)
        fan_out = await start_fan_out(fleet)
        writing = asyncio.create_task(writer.run(stop), name="foreign-writer")
        # The writer keeps going for the whole fan-out, so every patch of mirrorctl's lands
        # among its reads and writes.
        await fleet.wait_for_progress(fan_out.expected, fan_out.total, timeout=CONVERGE_TIMEOUT)
        assert not writing.done(), "the writer stopped early"
        stop.set()
        await writing
        await converged(fleet, controller)
        assert controller.running(), controller.tail()
        # The interleaving was real: some of its updates lost a race to a write of mirrorctl's.
        assert writer.conflicts > 0
    finally:
        stop.set()
        if writing is not None and not writing.done():
            writing.cancel()
            await asyncio.gather(writing, return_exceptions=True)
        await controller.stop()
