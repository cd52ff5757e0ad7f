"""The contenders B7 and B8 run side by side, each as its own process: starting one, timing
its start-up from ``/proc``, and timing a fan-out until a separate watch sees it converge."""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.peers.mirrorctl_process import MirrorctlProcess
from benchmarks.peers.observer import Observer, has_analyzer_ip
from benchmarks.peers.population import put_destination
from benchmarks.peers.process import Child, Usage, settle
from mirrorctl.client import Client
from mirrorctl.envtest import ControlPlane

__all__ = ["Running", "external", "fan_out", "mb", "start", "startup", "startup_capped"]

_MODULES = {"plain-loop": "plain_loop", "kopf": "kopf_operator", "kopf-indexed": "kopf_indexed"}


@dataclass
class Running:
    child: Child
    ready: Callable[[], Awaitable[bool]]
    stop: Callable[[], Awaitable[Any]]


def external(address: str) -> dict[str, Any]:
    """A MirrorDestination spec for an external analyzer at ``address``."""
    return {"externalAnalyzer": True, "analyzerIP": address}


def mb(value: float) -> float:
    return round(value / 2**20, 1)


async def start(
    peer: str, cp: ControlPlane, namespace: str, log_dir: Path, workers: int
) -> Running:
    """Start ``peer`` (``mirrorctl`` or a baseline of `benchmarks.peers`) as the controller
    identity, watching ``namespace``, with ``workers`` concurrent writes."""
    tag = f"{peer}-{namespace}"
    if peer == "mirrorctl":
        process = MirrorctlProcess(
            cp.controller_kubeconfig, log_dir / f"{tag}.log", namespace=namespace, workers=workers
        )
        await process.start()
        return Running(process.child, process.idle, process.stop)
    ready_file = log_dir / f"{tag}.ready"
    ready_file.unlink(missing_ok=True)
    argv = [
        sys.executable,
        "-m",
        f"benchmarks.peers.{_MODULES[peer]}",
        str(cp.controller_kubeconfig),
        namespace,
        str(workers),
        str(ready_file),
    ]
    child = Child(peer, argv, log_dir / f"{tag}.log")
    await child.start()

    async def ready() -> bool:
        return ready_file.exists()

    return Running(child, ready, child.stop)


async def startup(
    running: Running, timeout: float, trace: list[tuple[float, Usage]] | None = None
) -> dict[str, Any]:
    """Seconds, CPU-seconds, peak and steady RSS (bytes) from spawn to the end of start-up."""
    settled = await settle(running.child, ready=running.ready, timeout=timeout, trace=trace)
    return {
        "seconds": settled.busy_until - running.child.started_at,
        "cpu_s": settled.usage.cpu_seconds,
        "peak_rss": settled.usage.peak_rss_bytes,
        "rss": settled.usage.rss_bytes,
    }


async def startup_capped(running: Running, cap: float) -> dict[str, Any]:
    """`startup` in report form, or, if it takes longer than ``cap`` seconds, the CPU and
    RSS at the cap."""
    try:
        done = await startup(running, cap)
    except TimeoutError:
        usage = running.child.usage()
        return {
            "finished_startup": False,
            "cap_s": cap,
            "cpu_s_at_cap": round(usage.cpu_seconds, 1),
            "rss_mb_at_cap": mb(usage.rss_bytes),
        }
    return {
        "finished_startup": True,
        "startup_s": round(done["seconds"], 2),
        "startup_cpu_s": round(done["cpu_s"], 2),
        "startup_peak_rss_mb": mb(done["peak_rss"]),
        "steady_rss_mb": mb(done["rss"]),
    }


async def fan_out(
    admin: Client,
    running: Running,
    vmis: Observer,
    names: list[str],
    destination: str,
    address: str,
    timeout: float,
) -> dict[str, Any]:
    """Point the external analyzer of ``destination`` at ``address``; seconds until ``vmis``
    has seen every VMI in ``names`` carry it, and the contender's CPU-seconds to then and to
    settled (its watch echoes included)."""
    expectation = vmis.expect(names, has_analyzer_ip(address))
    cpu0 = running.child.usage().cpu_seconds
    t0 = time.monotonic()
    await put_destination(admin, destination, spec=external(address))
    last = await expectation.wait(timeout)
    cpu_converged = running.child.usage().cpu_seconds - cpu0
    settled = await settle(running.child, timeout=timeout)
    return {
        "seconds": last - t0,
        "cpu_s_to_converged": cpu_converged,
        "cpu_s_to_settled": settled.usage.cpu_seconds - cpu0,
        "rss_after": settled.usage.rss_bytes,
        "peak_rss_after": settled.usage.peak_rss_bytes,
        "times": [t - t0 for t in expectation.times.values()],
    }
