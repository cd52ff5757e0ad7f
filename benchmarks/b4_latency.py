"""B4: latency of one change, a source pod's annotation to its VMI's configuration.

A source pod's ``mirror-destination`` annotation is switched between two MirrorDestinations
(both resolved, same analyzer); the latency is from just before the pod PATCH is sent to the
moment a separate watch (in this process) sees the pod's VMI labelled and configured for the
new one. The controller is ``python -m mirrorctl run`` in a child process, as the controller
identity with the shipped RBAC, namespace-scoped, default workers (4), log level warning.

Measured twice, at idle and with 20 events/s of background churn (other source pods switched
the same way, so each is a pod event, a reconcile, a VMI write and a VMI event). The floor,
interleaved with the probes in the same run: one PATCH round trip plus watch delivery, for a
VMI (a foreign annotation written on a probe VMI, until the watch sees it) and for a pod; the
controller's path holds one of each, so "chain floor" is their sum of medians.

Target: p99 <= 50 ms at idle. Run: ``python -m benchmarks.b4_latency``. Nothing here asserts.
"""

from __future__ import annotations

import asyncio
import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import plots
from benchmarks.peers.cluster import install
from benchmarks.peers.mirrorctl_process import MirrorctlProcess
from benchmarks.peers.observer import Expectation, Observer, mirrors_to
from benchmarks.peers.population import (
    R,
    create_analyzer,
    create_sources,
    ensure_namespace,
    put_destination,
    source_pod_name,
)
from benchmarks.peers.process import settle
from benchmarks.peers.stats import percentile, summary_ms
from mirrorctl.client import Client, Resource
from mirrorctl.client.resources import PODS
from mirrorctl.envtest import ControlPlane
from mirrorctl.mirroring import keys

__all__ = ["run"]

NAMESPACE = "bench-b4"
DESTINATIONS = ("b4-a", "b4-b")
PROBE_PODS = 20
CHURN_PODS = 200
PROBES = 200
CHURN_PER_S = 20.0
GAP = (0.04, 0.12)  # seconds between measurements, drawn uniformly
FLOOR_KEY = "bench.mirrorctl.dev/floor"
TIMEOUT = 30.0


def _has_annotation(value: str) -> Callable[[Any], bool]:
    def check(obj: Any) -> bool:
        return bool(((obj.get("metadata") or {}).get("annotations") or {}).get(FLOOR_KEY) == value)

    return check


async def _timed(
    expectation: Expectation, admin: Client, res: Resource, name: str, patch: dict[str, Any]
) -> float:
    """From just before the PATCH is sent until the watch shows what ``expectation`` wants."""
    started = time.monotonic()
    await admin.patch(res, name, patch, NAMESPACE)
    return await expectation.wait(TIMEOUT) - started


class _Probes:
    def __init__(self, admin: Client, vmis: Observer, pods: Observer, names: list[str]) -> None:
        self.admin = admin
        self.vmis = vmis
        self.pods = pods
        self.names = names  # VMI name of each probe pod
        self.current = [DESTINATIONS[0]] * PROBE_PODS
        self.counter = 0
        self.rng = random.Random(4)

    async def _gap(self) -> None:
        await asyncio.sleep(self.rng.uniform(*GAP))

    async def phase(self, count: int) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {"change": [], "floor_vmi": [], "floor_pod": []}
        for k in range(count):
            i = k % PROBE_PODS
            pod, vmi = source_pod_name("probe", i), self.names[i]
            target = DESTINATIONS[1] if self.current[i] == DESTINATIONS[0] else DESTINATIONS[0]
            self.current[i] = target
            annotations = {"metadata": {"annotations": {keys.MIRROR_DESTINATION: target}}}
            found["change"].append(
                await _timed(
                    self.vmis.expect([vmi], mirrors_to(target)), self.admin, PODS, pod, annotations
                )
            )
            await self._gap()
            self.counter += 1
            mark = {"metadata": {"annotations": {FLOOR_KEY: str(self.counter)}}}
            found["floor_vmi"].append(
                await _timed(
                    self.vmis.expect([vmi], _has_annotation(str(self.counter))),
                    self.admin,
                    R.virtual_machine_interfaces,
                    vmi,
                    mark,
                )
            )
            await self._gap()
            found["floor_pod"].append(
                await _timed(
                    self.pods.expect([pod], _has_annotation(str(self.counter))),
                    self.admin,
                    PODS,
                    pod,
                    mark,
                )
            )
            await self._gap()
        return found


async def _churn(admin: Client, stop: asyncio.Event, done: list[int]) -> None:
    """Switch churn pods' destinations at CHURN_PER_S, on an absolute schedule."""
    current = [DESTINATIONS[0]] * CHURN_PODS
    started = time.monotonic()
    n = 0
    while not stop.is_set():
        i = n % CHURN_PODS
        current[i] = DESTINATIONS[1] if current[i] == DESTINATIONS[0] else DESTINATIONS[0]
        patch = {"metadata": {"annotations": {keys.MIRROR_DESTINATION: current[i]}}}
        # Not awaited in line: a slow write must not lower the rate.
        asyncio.get_running_loop().create_task(
            admin.patch(PODS, source_pod_name("churn", i), patch, NAMESPACE)
        ).add_done_callback(lambda _: done.append(1))
        n += 1
        delay = started + n / CHURN_PER_S - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


def _report(found: dict[str, list[float]]) -> dict[str, Any]:
    change, vmi, pod = found["change"], found["floor_vmi"], found["floor_pod"]
    chain = percentile(vmi, 50) + percentile(pod, 50)
    return {
        "change": summary_ms(change),
        "floor_vmi_patch_to_watch": summary_ms(vmi),
        "floor_pod_patch_to_watch": summary_ms(pod),
        "chain_floor_p50_ms": round(chain * 1e3, 2),
        "controller_share_p50_ms": round((percentile(change, 50) - chain) * 1e3, 2),
    }


async def _run(cp: ControlPlane, probes: int = PROBES) -> dict[str, Any]:
    admin = await Client.from_kubeconfig(cp.admin_kubeconfig)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-b4-"))
    process: MirrorctlProcess | None = None
    observers: list[Observer] = []
    try:
        await install(admin)
        await ensure_namespace(admin, NAMESPACE)
        await create_analyzer(admin, NAMESPACE, "analyzer", "b4-analyzer")
        for name in DESTINATIONS:
            await put_destination(admin, name, selector="b4-analyzer")
        first = DESTINATIONS[0]
        probe_vmis = await create_sources(
            admin, NAMESPACE, PROBE_PODS, lambda _: first, prefix="probe"
        )
        churn_vmis = await create_sources(
            admin, NAMESPACE, CHURN_PODS, lambda _: first, prefix="churn"
        )
        vmis = Observer(admin, R.virtual_machine_interfaces, NAMESPACE)
        pods = Observer(admin, PODS, NAMESPACE)
        observers = [vmis, pods]
        for observer in observers:
            await observer.start()
        process = MirrorctlProcess(
            cp.controller_kubeconfig, log_dir / "b4-mirrorctl.log", namespace=NAMESPACE
        )
        await process.start()
        await vmis.expect([*probe_vmis, *churn_vmis], mirrors_to(first)).wait(300)
        await settle(process.child, ready=process.idle)
        runner = _Probes(admin, vmis, pods, probe_vmis)
        await runner.phase(10)  # warm-up: connections, caches, code paths

        cpu0 = process.child.usage().cpu_seconds
        idle = await runner.phase(probes)
        idle_cpu = process.child.usage().cpu_seconds - cpu0

        stop, churned = asyncio.Event(), list[int]()
        churn = asyncio.create_task(_churn(admin, stop, churned))
        await asyncio.sleep(2.0)  # let the churn reach its rate
        cpu0, churn_started, written0 = (
            process.child.usage().cpu_seconds,
            time.monotonic(),
            len(churned),
        )
        busy = await runner.phase(probes)
        churn_cpu = process.child.usage().cpu_seconds - cpu0
        churn_s = time.monotonic() - churn_started
        churn_rate = (len(churned) - written0) / churn_s
        stop.set()
        await churn
        await asyncio.sleep(1.0)

        errors = (await process.metrics()).get("controller_runtime_reconcile_errors_total", 0.0)
        plot = plots.cdf(
            "b4_latency.png",
            "B4: pod annotation change -> VMI configured, seen on a separate watch",
            {
                "change, idle": [s * 1e3 for s in idle["change"]],
                "change, 20 events/s churn": [s * 1e3 for s in busy["change"]],
                "floor: VMI patch -> watch, idle": [s * 1e3 for s in idle["floor_vmi"]],
                "floor: pod patch -> watch, idle": [s * 1e3 for s in idle["floor_pod"]],
                "floor: VMI patch -> watch, churn": [s * 1e3 for s in busy["floor_vmi"]],
            },
        )
        return {
            "probes_per_phase": probes,
            "workers": 4,
            "idle": _report(idle),
            "churn": {
                **_report(busy),
                "background_pod_writes_per_s": round(churn_rate, 1),
            },
            "p99_target_ms_idle": 50,
            # A round is one change plus the two floor writes, which the controller also sees.
            "controller_cpu_ms_per_round_idle": round(idle_cpu / probes * 1e3, 2),
            "controller_cpu_s_churn_phase": round(churn_cpu, 2),
            "controller_reconcile_errors": errors,
            "plot": plot,
            "logs": str(log_dir),
        }
    finally:
        if process is not None:
            await process.stop()
        for observer in observers:
            await observer.stop()
        await admin.close()


def run(control_plane: ControlPlane) -> dict[str, Any]:
    """Run B4 on the given control plane and return its figures."""
    return asyncio.run(_run(control_plane))


if __name__ == "__main__":
    with ControlPlane() as plane:
        print(json.dumps(run(plane), indent=2))
