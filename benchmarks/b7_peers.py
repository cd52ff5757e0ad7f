"""B7: side by side, mirrorctl against a kopf operator and a plain kubernetes-asyncio loop.

The same mirroring fan-out, written three ways (`benchmarks.peers.kopf_operator`,
`benchmarks.peers.plain_loop`, and ``python -m mirrorctl run``), each in its own process, one
after the other against the same apiserver in the same run, all as the controller identity:
the shipped RBAC, plus for kopf only a separate ClusterRole (`KOPF_EXTRA_ROLE`: patch
MirrorDestinations for kopf's state annotations, list/watch CRDs and namespaces, create
Events). All three use mirrorctl's pure decision functions, write identical merge patches, run
8 concurrent writes (mirrorctl ``--workers 8``) and log at WARNING. mirrorctl and kopf run on
uvloop (both pick it when it is installed); the plain loop on asyncio's own loop, as a
straightforward program would.

Population (namespace ``bench-b7``): 10,000 source pods with one VMI each, half mirrored to
MirrorDestination ``b7-a`` and half to ``b7-b`` (external analyzers), plus probe pods on
``b7-p1``/``b7-p2``; every VMI is already configured before the first measured start.

Per process, from ``/proc/<pid>``:
1. initial sync: spawn to the end of its start-up work (CPU quiet for 2 s after it has listed
   everything; see `settle`): seconds, CPU-seconds, peak RSS (VmHWM) and steady RSS (VmRSS);
   the same start on an empty namespace gives the baseline for the incremental memory per
   cached source (one pod and its VMI);
2. fan-out: ``b7-a``'s analyzerIP changes; seconds until a separate watch has seen all 5,000
   VMIs carry it, and CPU-seconds per VMI (to converged, and to settled: including the watch
   echoes of its own writes);
3. single-change latency: a probe pod's destination switches; p50/p99 until the watch sees its
   VMI configured for the new one.
For mirrorctl, the memory its cache holds is also measured exactly: the same manager set-up in
this process under tracemalloc, full namespace minus empty namespace, per cached source
(``traced_bytes_per_cached_source``); RSS also counts memory the allocator keeps after the
initial list's peak.

The kopf baseline keeps what the fan-out needs in its own dicts, fed by event handlers. The
same operator with kopf's indexes (`benchmarks.peers.kopf_indexed`) is started too, for its
start-up only and capped at INDEXED_CAP seconds: its start-up grows quadratically with the
number of objects (a readiness toggle per indexed object, all re-checked whenever one is
added), so at this size it is reported as finished or not, with its CPU and RSS at the cap.

Targets against kopf: start-up CPU >= 20x lower, fan-out time <= 1/2, CPU per VMI <= 1/5,
RSS <= 1/2, incremental memory per cached VMI <= 3 KB.

Run: ``python -m benchmarks.b7_peers``. Nothing here asserts the targets.
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from benchmarks import plots
from benchmarks.peers.cluster import install, install_kopf_role
from benchmarks.peers.contenders import (
    external,
    fan_out,
    mb,
    start,
    startup,
    startup_capped,
)
from benchmarks.peers.observer import Observer, has_analyzer_ip, mirrors_to
from benchmarks.peers.population import (
    R,
    create_sources,
    ensure_namespace,
    put_destination,
    source_pod_name,
)
from benchmarks.peers.process import Usage, settle
from benchmarks.peers.stats import percentile, ratio, summary_ms
from mirrorctl.client import Client
from mirrorctl.client.resources import PODS
from mirrorctl.envtest import ControlPlane
from mirrorctl.manager import Manager, ManagerOptions
from mirrorctl.mirroring import keys
from mirrorctl.reconcilers import MirroringSettings, setup_mirroring

__all__ = ["run"]

NAMESPACE = "bench-b7"
EMPTY_NAMESPACE = "bench-b7-empty"
SOURCES = 10_000
PROBE_PODS = 10
PROBES = 100
WORKERS = 8
FANOUT_DESTINATION = "b7-a"
PROBE_DESTINATIONS = ("b7-p1", "b7-p2")
TIMEOUT = 1800.0
PEERS = ("mirrorctl", "plain-loop", "kopf")
INDEXED_CAP = 300.0  # seconds the kopf-with-indexes variant gets to finish starting


class _Probes:
    def __init__(self, admin: Client, vmis: Observer, names: list[str]) -> None:
        self.admin = admin
        self.vmis = vmis
        self.names = names
        self.current = [PROBE_DESTINATIONS[0]] * PROBE_PODS
        self.rng = random.Random(7)

    async def measure(self, count: int) -> list[float]:
        found: list[float] = []
        for k in range(count):
            i = k % PROBE_PODS
            target = PROBE_DESTINATIONS[self.current[i] == PROBE_DESTINATIONS[0]]
            self.current[i] = target
            expectation = self.vmis.expect([self.names[i]], mirrors_to(target))
            patch = {"metadata": {"annotations": {keys.MIRROR_DESTINATION: target}}}
            started = time.monotonic()
            await self.admin.patch(PODS, source_pod_name("probe", i), patch, NAMESPACE)
            found.append(await expectation.wait(60) - started)
            await asyncio.sleep(self.rng.uniform(0.04, 0.12))
        return found


async def _traced_mirrorctl(
    cp: ControlPlane, namespace: str, *, trim_cache: bool = True
) -> tuple[int, dict[str, dict[str, int]]]:
    """Bytes of Python objects a mirrorctl manager (same setup as ``mirrorctl run``) still
    holds once synced and idle, by tracemalloc, in this process: unlike RSS, free memory the
    allocator keeps after the initial list does not count. Also the cache's objects and their
    bytes by kind (`_cached_bytes_by_kind`)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        manager = await Manager.from_kubeconfig(
            cp.controller_kubeconfig, options=ManagerOptions(list_from_etcd=True)
        )
        mirroring = setup_mirroring(
            manager,
            MirroringSettings(namespace=namespace, workers=WORKERS, trim_cache=trim_cache),
        )
        task = asyncio.create_task(manager.start())
        controllers = (mirroring.analyzer_pod, mirroring.source_pod, mirroring.destination)
        quiet = 0
        while quiet < 20:  # two seconds with every queue empty
            await asyncio.sleep(0.1)
            if task.done():
                task.result()
                raise RuntimeError("the in-process manager stopped early")
            idle = manager.caches_synced and all(len(c.queue) == 0 for c in controllers)
            quiet = quiet + 1 if idle else 0
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
        by_kind = _cached_bytes_by_kind(manager)
        manager.stop()
        await asyncio.wait_for(task, 60)
        return held, by_kind
    finally:
        tracemalloc.stop()


def _cached_bytes_by_kind(manager: Manager) -> dict[str, dict[str, int]]:
    """Objects cached per kind, and the bytes of Python objects reachable from them (each
    object counted once, shared values with the first kind that reaches them; store keys and
    indexes are not included)."""
    seen: set[int] = set()

    def size(value: Any) -> int:
        if id(value) in seen:
            return 0
        seen.add(id(value))
        total = sys.getsizeof(value)
        if isinstance(value, dict):
            total += sum(size(k) + size(v) for k, v in value.items())
        elif isinstance(value, list):
            total += sum(size(v) for v in value)
        return total

    found: dict[str, dict[str, int]] = {}
    for informer in manager.informers.informers():
        objects = informer.store.list()
        entry = found.setdefault(informer.resource.kind, {"objects": 0, "bytes": 0})
        entry["objects"] += len(objects)
        entry["bytes"] += sum(size(o) for o in objects)
    return found


async def _run(cp: ControlPlane, sources: int = SOURCES, probes: int = PROBES) -> dict[str, Any]:
    admin = await Client.from_kubeconfig(cp.admin_kubeconfig)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-b7-"))
    vmis = Observer(admin, R.virtual_machine_interfaces, NAMESPACE)
    results: dict[str, dict[str, Any]] = {}
    traces: dict[str, list[tuple[float, float]]] = {}
    fanouts: dict[str, list[float]] = {}
    latencies: dict[str, list[float]] = {}
    try:
        await install(admin)
        await install_kopf_role(admin)
        for namespace in (NAMESPACE, EMPTY_NAMESPACE):
            await ensure_namespace(admin, namespace)
        await put_destination(admin, "b7-a", spec=external("192.0.2.1"))
        await put_destination(admin, "b7-b", spec=external("192.0.2.2"))
        await put_destination(admin, "b7-p1", spec=external("198.51.100.1"))
        await put_destination(admin, "b7-p2", spec=external("198.51.100.2"))
        half = sources // 2
        names = await create_sources(
            admin, NAMESPACE, sources, lambda i: "b7-a" if i < half else "b7-b"
        )
        probe_names = await create_sources(
            admin, NAMESPACE, PROBE_PODS, lambda _: PROBE_DESTINATIONS[0], prefix="probe"
        )
        await vmis.start()
        # Configure everything once (not measured), so no measured start has writes to do.
        warm = await start("mirrorctl", cp, NAMESPACE, log_dir, WORKERS)
        try:
            await vmis.expect(names[:half], has_analyzer_ip("192.0.2.1")).wait(TIMEOUT)
            await vmis.expect(names[half:], has_analyzer_ip("192.0.2.2")).wait(TIMEOUT)
            await vmis.expect(probe_names, mirrors_to(PROBE_DESTINATIONS[0])).wait(TIMEOUT)
            await settle(warm.child, ready=warm.ready, timeout=TIMEOUT)
        finally:
            await warm.stop()
        probe_runner = _Probes(admin, vmis, probe_names)
        cached = sources + PROBE_PODS

        for n, peer in enumerate(PEERS):
            print(f"b7: {peer} ...", file=sys.stderr, flush=True)
            empty = await start(peer, cp, EMPTY_NAMESPACE, log_dir, WORKERS)
            try:
                baseline = await startup(empty, TIMEOUT)
            finally:
                await empty.stop()
            trace: list[tuple[float, Usage]] = []
            events0 = vmis.events
            running = await start(peer, cp, NAMESPACE, log_dir, WORKERS)
            try:
                started = await startup(running, TIMEOUT, trace)
                startup_writes = vmis.events - events0
                traces[peer] = [
                    (t - running.child.started_at, u.rss_bytes / 2**20) for t, u in trace
                ]
                fanout = await fan_out(
                    admin,
                    running,
                    vmis,
                    names[:half],
                    FANOUT_DESTINATION,
                    f"192.0.2.{10 + n}",
                    TIMEOUT,
                )
                fanouts[peer] = fanout["times"]
                await probe_runner.measure(5)  # warm-up
                latencies[peer] = await probe_runner.measure(probes)
            finally:
                code = await running.stop()
            results[peer] = {
                "startup_s": round(started["seconds"], 2),
                "startup_cpu_s": round(started["cpu_s"], 2),
                "startup_peak_rss_mb": mb(started["peak_rss"]),
                "steady_rss_mb": mb(started["rss"]),
                "empty_namespace_rss_mb": mb(baseline["rss"]),
                "empty_namespace_startup_cpu_s": round(baseline["cpu_s"], 2),
                "bytes_per_cached_source": round((started["rss"] - baseline["rss"]) / cached),
                "vmi_writes_at_startup": startup_writes,
                "fanout_s": round(fanout["seconds"], 3),
                "fanout_vmis_per_s": round(half / fanout["seconds"], 1),
                "fanout_cpu_ms_per_vmi_to_converged": round(
                    fanout["cpu_s_to_converged"] / half * 1e3, 3
                ),
                "fanout_cpu_ms_per_vmi_to_settled": round(
                    fanout["cpu_s_to_settled"] / half * 1e3, 3
                ),
                "rss_after_fanout_mb": mb(fanout["rss_after"]),
                "peak_rss_mb": mb(fanout["peak_rss_after"]),
                "latency": summary_ms(latencies[peer]),
                "exit_code": code,
            }
        print("b7: mirrorctl in-process, tracemalloc ...", file=sys.stderr, flush=True)
        traced_empty, _ = await _traced_mirrorctl(cp, EMPTY_NAMESPACE)
        traced_full, by_kind = await _traced_mirrorctl(cp, NAMESPACE)
        results["mirrorctl"]["traced_bytes_per_cached_source"] = round(
            (traced_full - traced_empty) / cached
        )
        results["mirrorctl"]["cached_bytes_per_object"] = {
            kind: {"objects": e["objects"], "bytes_each": round(e["bytes"] / e["objects"])}
            for kind, e in sorted(by_kind.items())
            if e["objects"]
        }
        print("b7: kopf-indexed (start-up only) ...", file=sys.stderr, flush=True)
        indexed = await start("kopf-indexed", cp, NAMESPACE, log_dir, WORKERS)
        try:
            done = await startup_capped(indexed, INDEXED_CAP)
        finally:
            await indexed.stop()
    finally:
        await vmis.stop()
        await admin.close()

    ours = results["mirrorctl"]

    def versus(peer: str) -> dict[str, Any]:
        other = results[peer]
        return {
            "startup_cpu_x_lower": ratio(other["startup_cpu_s"], ours["startup_cpu_s"], 2),
            "startup_time_ratio": ratio(ours["startup_s"], other["startup_s"]),
            "fanout_time_ratio": ratio(ours["fanout_s"], other["fanout_s"]),
            "cpu_per_vmi_ratio": ratio(
                ours["fanout_cpu_ms_per_vmi_to_settled"], other["fanout_cpu_ms_per_vmi_to_settled"]
            ),
            "peak_rss_ratio": ratio(ours["peak_rss_mb"], other["peak_rss_mb"]),
            "steady_rss_ratio": ratio(ours["steady_rss_mb"], other["steady_rss_mb"]),
            "bytes_per_cached_source_ratio": ratio(
                ours["bytes_per_cached_source"], other["bytes_per_cached_source"]
            ),
            "latency_p50_ratio": ratio(
                percentile(latencies["mirrorctl"], 50), percentile(latencies[peer], 50)
            ),
            "latency_p99_ratio": ratio(
                percentile(latencies["mirrorctl"], 99), percentile(latencies[peer], 99)
            ),
        }

    comparison: dict[str, Any] = {
        "vs_kopf": versus("kopf"),
        "vs_plain_loop": versus("plain-loop"),
    }
    # Against kopf with indexes only start-up CPU compares; unfinished, it is a lower bound.
    indexed_cpu = done.get("startup_cpu_s", done.get("cpu_s_at_cap", 0.0))
    comparison["vs_kopf_indexed"] = {
        "startup_cpu_x_lower" + ("" if done["finished_startup"] else "_at_least"): ratio(
            indexed_cpu, ours["startup_cpu_s"], 1
        )
    }
    plot_paths = {
        "fanout": plots.progress(
            "b7_fanout.png", f"B7 fan-out: {half} VMIs, one MirrorDestination", fanouts
        ),
        "latency": plots.cdf(
            "b7_latency.png",
            "B7: pod annotation change -> VMI configured",
            {k: [s * 1e3 for s in v] for k, v in latencies.items()},
        ),
        "startup_memory": plots.timeseries(
            "b7_startup_rss.png",
            f"B7: RSS during the initial sync of {cached} pods + VMIs",
            traces,
            "RSS (MiB)",
        ),
    }
    return {
        "sources": cached,
        "fanout_vmis": half,
        "concurrency": WORKERS,
        **results,
        "kopf-indexed": done,
        **comparison,
        "targets_vs_kopf": {
            "startup_cpu_x_lower": 20,
            "fanout_time_ratio": 0.5,
            "cpu_per_vmi_ratio": 0.2,
            "rss_ratio": 0.5,
            "bytes_per_cached_source": 3072,
        },
        "plots": plot_paths,
        "logs": str(log_dir),
    }


def run(control_plane: ControlPlane) -> dict[str, Any]:
    """Run B7 on the given control plane and return its figures."""
    return asyncio.run(_run(control_plane))


if __name__ == "__main__":
    with ControlPlane() as plane:
        print(json.dumps(run(plane), indent=2))
