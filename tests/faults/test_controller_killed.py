"""The controller SIGKILLed in the middle of a fan-out and started again: the new process picks
up exactly the VMIs the old one had not reached, and rewrites nothing that was already right."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.plane import Plane
from tests.faults.scenario import (
    converged,
    new_fleet,
    proxied,
    start_controller,
    start_fan_out,
)

pytestmark = pytest.mark.integration


async def test_controller_killed_mid_fan_out_and_started_again(
    plane: Plane, tmp_path: Path
) -> None:
    first = start_controller(plane, tmp_path, "first")
    second = None
    proxy, kubeconfig = await proxied(plane, tmp_path, "second", record=True)
    try:
        fleet = await new_fleet(plane)
        await converged(fleet, first)
        fan_out = await start_fan_out(fleet, replace_analyzer=True)
        await fleet.wait_for_progress(fan_out.expected, fan_out.total // 5)
        first.kill()
        left = await fleet.unfinished(fan_out.expected)
        assert left, "the fan-out was over before the kill: nothing was tested"

        second = start_controller(plane, tmp_path, "second", kubeconfig=kubeconfig)
        await converged(fleet, second)
    finally:
        first.kill()
        if second is not None:
            await second.stop()
        await proxy.close()

    assert not proxy.errors, proxy.errors
    patched = [
        r.path.split("?", 1)[0].rsplit("/", 1)[1]
        for r in proxy.requests
        if r.method == "PATCH" and "/virtualmachineinterfaces/" in r.path
    ]
    # Every VMI the first process had finished is left alone: an unchanged configuration is
    # never rewritten, and a restart is no reason to.
    assert set(patched) <= left, sorted(set(patched) - left)[:10]
    assert len(patched) == len(set(patched)), "a VMI was patched twice"
