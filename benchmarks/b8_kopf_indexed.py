"""B8: mirrorctl against the issue's own reference, a kopf operator with indexes, at 5,000 VMIs.

Issue 6 calibrates its targets on "a kopf operator indexing 5k VMIs". B7's kopf-with-indexes
(`benchmarks.peers.kopf_indexed`) does not finish starting on B7's 10,000 sources (its start-up
grows quadratically), so B7 compares only its start-up CPU, as a lower bound. Here, on 5,000
sources, it finishes, and every figure compares: start-up, fan-out time and CPU per VMI. The
operator with its own dicts (`benchmarks.peers.kopf_operator`, B7's main baseline) runs again
at this size, so both kopf variants are measured in the same run.

Population (namespace ``bench-b8``): 5,000 source pods with one VMI each, all mirrored to the
external analyzer of MirrorDestination ``b8-a``, configured once before the first measured
start. Each contender, one after the other in its own process as the controller identity
(B7's RBAC and concurrency): start-up until CPU-quiet (seconds, CPU-seconds, peak and steady
RSS), then ``b8-a``'s analyzerIP changes and a separate watch times all 5,000 VMIs carrying
it (seconds, and CPU-seconds per VMI to settled, its watch echoes included). The fan-out runs
`ROUNDS` times per contender and each figure is the median round's (one round of the same
controller varied by 10% between runs); every round is listed.

Targets against kopf (issue 6): start-up CPU >= 20x lower, fan-out time <= 1/2, CPU per VMI
<= 1/5, RSS <= 1/2.

Run: ``python -m benchmarks b8_kopf_indexed``. Nothing here asserts the targets.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import plots
from benchmarks.peers.cluster import install, install_kopf_role
from benchmarks.peers.contenders import external, fan_out, mb, start, startup_capped
from benchmarks.peers.observer import Observer, has_analyzer_ip
from benchmarks.peers.population import R, create_sources, ensure_namespace, put_destination
from benchmarks.peers.process import settle
from benchmarks.peers.stats import ratio
from mirrorctl.client import Client
from mirrorctl.envtest import ControlPlane

__all__ = ["run"]

NAMESPACE = "bench-b8"
SOURCES = 5_000
WORKERS = 8
DESTINATION = "b8-a"
PEERS = ("mirrorctl", "kopf", "kopf-indexed")
STARTUP_CAP = 900.0
ROUNDS = 3
TIMEOUT = 1800.0


async def _contender(
    peer: str,
    n: int,
    cp: ControlPlane,
    admin: Client,
    vmis: Observer,
    names: list[str],
    log_dir: Path,
) -> tuple[dict[str, Any], list[float]]:
    print(f"b8: {peer} ...", file=sys.stderr, flush=True)
    running = await start(peer, cp, NAMESPACE, log_dir, WORKERS)
    try:
        figures = await startup_capped(running, STARTUP_CAP)
        if not figures["finished_startup"]:
            return figures, []
        rounds = [
            await fan_out(
                admin, running, vmis, names, DESTINATION, f"192.0.2.{100 + ROUNDS * n + r}", TIMEOUT
            )
            for r in range(ROUNDS)
        ]
    finally:
        figures["exit_code"] = await running.stop()
    seconds = [f["seconds"] for f in rounds]
    cpu = [f["cpu_s_to_settled"] / len(names) * 1e3 for f in rounds]
    median = sorted(rounds, key=lambda f: f["seconds"])[ROUNDS // 2]
    figures |= {
        "fanout_s": round(statistics.median(seconds), 2),
        "fanout_vmis_per_s": round(len(names) / statistics.median(seconds), 1),
        "fanout_cpu_ms_per_vmi_to_settled": round(statistics.median(cpu), 3),
        "fanout_rounds_s": [round(x, 2) for x in seconds],
        "fanout_rounds_cpu_ms_per_vmi": [round(x, 3) for x in cpu],
        "peak_rss_mb": mb(max(f["peak_rss_after"] for f in rounds)),
    }
    return figures, median["times"]


def _versus(ours: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    if "fanout_s" not in other:
        return {}
    return {
        "startup_cpu_x_lower": ratio(other["startup_cpu_s"], ours["startup_cpu_s"], 2),
        "fanout_time_ratio": ratio(ours["fanout_s"], other["fanout_s"]),
        "cpu_per_vmi_ratio": ratio(
            ours["fanout_cpu_ms_per_vmi_to_settled"], other["fanout_cpu_ms_per_vmi_to_settled"]
        ),
        "peak_rss_ratio": ratio(ours["peak_rss_mb"], other["peak_rss_mb"]),
        "steady_rss_ratio": ratio(ours["steady_rss_mb"], other["steady_rss_mb"]),
    }


async def _run(cp: ControlPlane, sources: int = SOURCES) -> dict[str, Any]:
    admin = await Client.from_kubeconfig(cp.admin_kubeconfig)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-b8-"))
    vmis = Observer(admin, R.virtual_machine_interfaces, NAMESPACE)
    results: dict[str, dict[str, Any]] = {}
    fanouts: dict[str, list[float]] = {}
    try:
        await install(admin)
        await install_kopf_role(admin)
        await ensure_namespace(admin, NAMESPACE)
        await put_destination(admin, DESTINATION, spec=external("192.0.2.99"))
        names = await create_sources(admin, NAMESPACE, sources, lambda _: DESTINATION)
        await vmis.start()
        # Configure everything once (not measured), so no measured start has writes to do.
        warm = await start("mirrorctl", cp, NAMESPACE, log_dir, WORKERS)
        try:
            await vmis.expect(names, has_analyzer_ip("192.0.2.99")).wait(TIMEOUT)
            await settle(warm.child, ready=warm.ready, timeout=TIMEOUT)
        finally:
            await warm.stop()
        for n, peer in enumerate(PEERS):
            results[peer], times = await _contender(peer, n, cp, admin, vmis, names, log_dir)
            if times:
                fanouts[peer] = times
    finally:
        await vmis.stop()
        await admin.close()
    ours = results["mirrorctl"]
    return {
        "sources": sources,
        "concurrency": WORKERS,
        **results,
        "vs_kopf_indexed": _versus(ours, results["kopf-indexed"]),
        "vs_kopf": _versus(ours, results["kopf"]),
        "targets_vs_kopf": {
            "startup_cpu_x_lower": 20,
            "fanout_time_ratio": 0.5,
            "cpu_per_vmi_ratio": 0.2,
            "rss_ratio": 0.5,
        },
        "plots": {
            "fanout": plots.progress(
                "b8_fanout.png", f"B8 fan-out: {sources} VMIs, one MirrorDestination", fanouts
            )
        },
        "logs": str(log_dir),
    }


def run(control_plane: ControlPlane) -> dict[str, Any]:
    """Run B8 on the given control plane and return its figures."""
    return asyncio.run(_run(control_plane))


if __name__ == "__main__":
    with ControlPlane() as plane:
        print(json.dumps(run(plane), indent=2))
