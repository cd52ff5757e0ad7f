"""The controller's connections cut in the middle of a fan-out: every connection through the
proxy it reaches the apiserver by is closed and new ones are refused for a few seconds, twice;
the controller reconnects on its own and every VMI converges."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.faults.plane import Plane
from tests.faults.scenario import converged, new_fleet, proxied, start_controller, start_fan_out

pytestmark = pytest.mark.integration

OUTAGE = 4.0


async def test_connections_cut_mid_fan_out(plane: Plane, tmp_path: Path) -> None:
    proxy, kubeconfig = await proxied(plane, tmp_path, "controller", record=False)
    controller = start_controller(plane, tmp_path, kubeconfig=kubeconfig)
    try:
        fleet = await new_fleet(plane)
        await converged(fleet, controller)
        fan_out = await start_fan_out(fleet, replace_analyzer=True)
        for share in (5, 2):  # at a fifth of the fan-out, then at half of it
            await fleet.wait_for_progress(fan_out.expected, fan_out.total // share)
            await proxy.drop()
            await asyncio.sleep(OUTAGE)
            left = fan_out.total - await fleet.count_configured(fan_out.expected)
            await proxy.restore()
            assert left > 0, "the fan-out was over before the cut: nothing was tested"
        # Its watches at least were open and were cut, each time.
        assert proxy.cut >= 2, proxy.cut
        await converged(fleet, controller)
        assert controller.running(), controller.tail()
    finally:
        await controller.stop()
        await proxy.close()
