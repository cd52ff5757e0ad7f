"""etcd compacted during churn, so every watch resuming from before the compaction gets 410 Gone
and relists; the fan-out that was under way still converges, with nothing foreign lost."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from mirrorctl.client import NotFoundError
from tests.faults.fleet import Fleet, R
from tests.faults.plane import Plane
from tests.faults.scenario import converged, new_fleet, proxied, start_controller, start_fan_out

pytestmark = pytest.mark.integration

CHURN_KEY = "churn.example.com/round"
EXPIRED = "watch resourceVersion expired, relisting"  # the reflector's log event on a 410


async def _churn(fleet: Fleet, round_: int) -> None:
    """Another writer touches a slice of the VMIs: history moves on past the controller."""
    for pod in sorted(fleet.sources)[round_ * 10 : round_ * 10 + 10]:
        name = f"{pod}.eth0"
        with contextlib.suppress(NotFoundError):
            await fleet.admin.patch(
                R.virtual_machine_interfaces,
                name,
                {"metadata": {"annotations": {CHURN_KEY: str(round_)}}},
                fleet.namespace,
            )
        fleet.foreign_annotations.setdefault(name, {})[CHURN_KEY] = str(round_)


async def test_etcd_compacted_during_churn(plane: Plane, tmp_path: Path) -> None:
    """While the controller is cut off (a proxy it reaches the apiserver through refuses it),
    others write, etcd is compacted again and again, and the apiserver restarts so its watch
    cache, which would otherwise still serve the old history, is gone. The controller comes
    back with the resourceVersions it had: every watch gets 410 Gone."""
    cp = plane.control_plane
    proxy, kubeconfig = await proxied(plane, tmp_path, "controller", record=False)
    controller = start_controller(plane, tmp_path, kubeconfig=kubeconfig)
    try:
        fleet = await new_fleet(plane)
        await converged(fleet, controller)
        fan_out = await start_fan_out(fleet, replace_analyzer=True)
        await fleet.wait_for_progress(fan_out.expected, fan_out.total // 5)
        await proxy.drop()
        for round_ in range(4):
            await _churn(fleet, round_)
            await asyncio.to_thread(cp.compact_etcd)
        # Compacted after the last write: etcd holds nothing older than now.
        await asyncio.to_thread(cp.restart_apiserver)
        await plane.wait_authorized()
        await _churn(fleet, 4)
        assert await fleet.count_configured(fan_out.expected) < fan_out.total, (
            "the fan-out was over before the compaction: nothing was tested"
        )
        await proxy.restore()
        await converged(fleet, controller)
        assert controller.running(), controller.tail()
    finally:
        await controller.stop()
        await proxy.close()
    expired = {e.get("resource") for e in controller.log_events() if e.get("event") == EXPIRED}
    # At least the VMI watch, which the churn and the fan-out kept busy, resumed into 410.
    assert "virtualmachineinterfaces" in expired, f"410 Gone only for {expired}"
