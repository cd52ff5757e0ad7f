"""Two replicas with leader election; the leader SIGKILLed in the middle of a fan-out. The standby
takes over once the Lease runs out, finishes the fan-out, and the two never write at the same
time: each replica reaches the apiserver through a recording proxy of its own, so every request
is attributed to the replica that sent it, with the time it was sent."""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from mirrorctl.client import NotFoundError
from mirrorctl.client.resources import LEASES
from tests.faults.controller_process import ControllerProcess
from tests.faults.plane import Plane
from tests.faults.polling import eventually
from tests.faults.requests_log import SeenRequest
from tests.faults.scenario import converged, new_fleet, proxied, start_controller, start_fan_out

pytestmark = pytest.mark.integration

LEASE_NAMESPACE = "mirrorctl-system"
# Shorter than the 15 s / 10 s / 2 s defaults, so the scenario runs in seconds.
LEASE_DURATION = 6.0
RENEW_DEADLINE = 4.0
RETRY_PERIOD = 0.5
JITTER = 1.2  # candidates wait up to retry_period * (1 + 1.2) between attempts
# Generous. The standby may take over one lease duration after it last saw the Lease change,
# which it sees up to a jittered retry period after the leader's last renewal, and it tries
# again every jittered retry period; the rest only absorbs a loaded machine.
TAKEOVER_BOUND = LEASE_DURATION + 2 * RETRY_PERIOD * (1 + JITTER) + 15.0


def _is_lease(request: SeenRequest) -> bool:
    return "/apis/coordination.k8s.io/" in request.path


def _mirroring_writes(requests: list[SeenRequest]) -> list[SeenRequest]:
    """Writes other than to Leases: what only a leader may send."""
    return [r for r in requests if r.is_write and not _is_lease(r)]


def _lease_writes(requests: list[SeenRequest]) -> list[SeenRequest]:
    return [r for r in requests if r.is_write and _is_lease(r)]


async def _lease(plane: Plane, name: str) -> dict[str, Any]:
    try:
        lease = await plane.admin.get(LEASES, name, LEASE_NAMESPACE)
    except NotFoundError:
        return {}
    spec = lease.get("spec")
    return spec if isinstance(spec, dict) else {}


def _seconds(micro_time: str) -> float:
    return datetime.fromisoformat(micro_time).timestamp()


async def test_leader_killed_standby_takes_over(plane: Plane, tmp_path: Path) -> None:
    lease = f"mirrorctl-faults-{uuid.uuid4().hex[:6]}"
    args = [
        "--leader-elect",
        f"--lease-name={lease}",
        f"--lease-namespace={LEASE_NAMESPACE}",
        f"--lease-duration={LEASE_DURATION}",
        f"--renew-deadline={RENEW_DEADLINE}",
        f"--retry-period={RETRY_PERIOD}",
    ]
    proxy_a, kubeconfig_a = await proxied(plane, tmp_path, "replica-a", record=True)
    proxy_b, kubeconfig_b = await proxied(plane, tmp_path, "replica-b", record=True)
    replicas: list[ControllerProcess] = []
    try:
        a = start_controller(plane, tmp_path, "replica-a", kubeconfig=kubeconfig_a, args=args)
        replicas.append(a)
        fleet = await new_fleet(plane)

        async def a_leads() -> bool:
            return bool((await _lease(plane, lease)).get("holderIdentity"))

        await eventually(a_leads, what="replica a to lead", timeout=60.0)
        holder_a = (await _lease(plane, lease))["holderIdentity"]
        b = start_controller(plane, tmp_path, "replica-b", kubeconfig=kubeconfig_b, args=args)
        replicas.append(b)

        async def b_stands_by() -> bool:
            return any(r.method == "GET" and lease in r.path for r in proxy_b.requests)

        await eventually(b_stands_by, what="replica b to contend for the Lease", timeout=60.0)
        await converged(fleet, a)

        fan_out = await start_fan_out(fleet)
        await fleet.wait_for_progress(fan_out.expected, fan_out.total // 5)
        killed_at = time.time()
        a.kill()
        assert await fleet.count_configured(fan_out.expected) < fan_out.total, (
            "the fan-out was over before the kill: nothing was tested"
        )
        await converged(fleet, b)
        assert b.running(), b.tail()
    finally:
        for replica in replicas:
            replica.kill()
        await proxy_a.close()
        await proxy_b.close()

    assert not proxy_a.errors, proxy_a.errors
    assert not proxy_b.errors, proxy_b.errors
    record = await _lease(plane, lease)
    assert record["holderIdentity"] not in (holder_a, None), record
    acquired = _seconds(record["acquireTime"])
    # The standby waited for the Lease to run out, and not much longer.
    assert killed_at < acquired <= killed_at + TAKEOVER_BOUND, (acquired - killed_at, record)

    writes_a, writes_b = _mirroring_writes(proxy_a.requests), _mirroring_writes(proxy_b.requests)
    assert writes_a, "the leader wrote nothing before it was killed"
    assert writes_b, "the new leader wrote nothing: who finished the fan-out?"
    # Never at the same time: everything the old leader wrote reached the apiserver's side
    # before the new one held the Lease, and the new one wrote nothing before that. (A proxy
    # stamps a request when it reads it, never before it was sent.)
    last_a, first_b = max(r.at for r in writes_a), min(r.at for r in writes_b)
    assert last_a < acquired <= first_b, (last_a - acquired, first_b - acquired)
    # Nor did the standby try to take the Lease while the leader was alive.
    assert all(r.at > killed_at for r in _lease_writes(proxy_b.requests))
