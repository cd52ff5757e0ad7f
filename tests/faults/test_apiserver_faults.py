"""The apiserver restarted or frozen in the middle of a fan-out:
the controller (its own process, identity and RBAC) rides it out and every VMI converges."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.faults.plane import Plane
from tests.faults.scenario import converged, new_fleet, start_controller, start_fan_out

pytestmark = pytest.mark.integration

FREEZE = 20.0


async def test_apiserver_restarted_mid_fan_out(plane: Plane, tmp_path: Path) -> None:
    controller = start_controller(plane, tmp_path)
    try:
        fleet = await new_fleet(plane)
        await converged(fleet, controller)
        fan_out = await start_fan_out(fleet)
        await fleet.wait_for_progress(fan_out.expected, fan_out.total // 5)
        await plane.control_plane.arestart_apiserver()
        assert await fleet.count_configured(fan_out.expected) < fan_out.total, (
            "the fan-out was over before the restart: nothing was tested"
        )
        await converged(fleet, controller)
        assert controller.running(), controller.tail()
    finally:
        await controller.stop()


async def test_apiserver_frozen_mid_fan_out(plane: Plane, tmp_path: Path) -> None:
    """SIGSTOP: connections stay open and nothing answers, for 20 s; then SIGCONT."""
    cp = plane.control_plane
    controller = start_controller(plane, tmp_path)
    try:
        fleet = await new_fleet(plane)
        await converged(fleet, controller)
        fan_out = await start_fan_out(fleet)
        await fleet.wait_for_progress(fan_out.expected, fan_out.total // 5)
        cp.pause_apiserver()
        try:
            await asyncio.sleep(FREEZE)
        finally:
            cp.resume_apiserver()
        assert await fleet.count_configured(fan_out.expected) < fan_out.total, (
            "the fan-out was over before the freeze: nothing was tested"
        )
        await converged(fleet, controller)
        assert controller.running(), controller.tail()
    finally:
        await controller.stop()
