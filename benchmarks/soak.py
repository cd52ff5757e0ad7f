"""Soak: 10,000 source pods and VMIs over 100 MirrorDestinations, 20 changes/s for 10 minutes.

``make soak`` (not in CI), or ``python -m benchmarks.soak [--minutes M] [--pods N]
[--destinations D] [--rate R]``; it starts its own local control plane. The controller is
``python -m mirrorctl run`` in a child process (controller identity, shipped RBAC,
namespace-scoped, default workers, log level warning).

The change stream, on an absolute schedule of RATE writes/s, never two in flight for one
object: source pods switched to another MirrorDestination; every 100th write a
MirrorDestination's ``trafficDirection`` edited instead (all its sources change); and once a
minute one of the ten analyzers gets a new IP (the sources of its ten destinations change).
This process keeps the model of what every VMI must carry and a separate watch checks each
change: it is converged once all the VMIs it affected have been seen in the state the model
held for them (a later change to the same VMI supersedes it).

Recorded every 5 s: the controller's RSS and CPU (``/proc``), its work-queue depth and
reconcile errors (its /metrics), changes still open. Reported: RSS growth after warm-up (the
first fifth of the run) and its slope, the depth curve, errors (harness writes, reconcile
errors, error lines in the controller's log), change-convergence latency, changes never
converged (after a grace period once the stream stops), and a final full comparison of every
VMI with the model. Written to ``benchmarks/results/soak.json`` and ``soak.png``, and the
summary to its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from benchmarks import plots, report
from benchmarks.peers.cluster import install
from benchmarks.peers.mirrorctl_process import MirrorctlProcess
from benchmarks.peers.observer import Observer, configuration_of
from benchmarks.peers.population import (
    Analyzer,
    R,
    create_analyzer,
    create_sources,
    ensure_namespace,
    put_destination,
    set_analyzer_ip,
    source_pod_name,
)
from benchmarks.peers.process import settle
from benchmarks.peers.stats import percentile
from mirrorctl.client import Client
from mirrorctl.client.resources import PODS
from mirrorctl.envtest import ControlPlane
from mirrorctl.mirroring import keys

__all__ = ["main"]

NAMESPACE = "bench-soak"
ANALYZERS = 10
DIRECTIONS = ("both", "ingress", "egress")
SAMPLE_EVERY = 5.0
ANALYZER_CHANGE_EVERY = 60.0
GRACE = 180.0

# What a source VMI carries: (label, analyzer_name, analyzer_ip_address, traffic_direction).
State = tuple[str | None, str | None, str | None, str | None]


def _state_of(obj: Mapping[str, Any]) -> State:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    configuration = configuration_of(obj) or {}
    return (
        labels.get(keys.MIRROR_DESTINATION),
        configuration.get("analyzer_name"),
        configuration.get("analyzer_ip_address"),
        configuration.get("traffic_direction"),
    )


@dataclass
class _Change:
    kind: str
    sent_at: float
    pending: set[str]
    done_at: float | None = None


@dataclass
class _Model:
    """What every source VMI must carry, and the changes not yet seen through."""

    destinations: int
    pods: list[int]  # pod index -> destination index
    vmis: list[str]  # pod index -> VMI name
    analyzers: list[Analyzer]
    directions: list[str]
    changes: list[_Change] = field(default_factory=list)
    open_by_vmi: dict[str, list[_Change]] = field(default_factory=dict)
    seen: dict[str, State] = field(default_factory=dict)
    open_count: int = 0
    converged: asyncio.Event = field(default_factory=asyncio.Event)

    def name(self, d: int) -> str:
        return f"soak-md-{d:03d}"

    def desired(self, pod: int) -> State:
        d = self.pods[pod]
        name = self.name(d)
        return (name, name, self.analyzers[d % ANALYZERS].address, self.directions[d])

    def sources_of(self, destinations: set[int]) -> list[int]:
        return [i for i, d in enumerate(self.pods) if d in destinations]

    def record(self, kind: str, pods: list[int]) -> None:
        change = _Change(kind, time.monotonic(), {self.vmis[i] for i in pods})
        self.changes.append(change)
        if not change.pending:
            change.done_at = change.sent_at
            return
        self.open_count += 1
        self.converged.clear()
        for i in pods:
            vmi = self.vmis[i]
            self.open_by_vmi.setdefault(vmi, []).append(change)
            if self.seen.get(vmi) == self.desired(i):
                self._reached(vmi, change.sent_at)

    def _reached(self, vmi: str, at: float) -> None:
        for change in self.open_by_vmi.pop(vmi, []):
            change.pending.discard(vmi)
            if not change.pending and change.done_at is None:
                change.done_at = at
                self.open_count -= 1
                if not self.open_count:
                    self.converged.set()

    def observe(self, vmi: str, obj: Mapping[str, Any], at: float, index: dict[str, int]) -> None:
        state = _state_of(obj)
        self.seen[vmi] = state
        i = index.get(vmi)
        if i is not None and vmi in self.open_by_vmi and state == self.desired(i):
            self._reached(vmi, at)

    def open_changes(self) -> int:
        return self.open_count


class _Stream:
    """The change stream: RATE writes/s, never two in flight for the same object."""

    def __init__(self, admin: Client, model: _Model, rate: float) -> None:
        self.admin = admin
        self.model = model
        self.rate = rate
        self.rng = random.Random(11)
        self.busy: set[str] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.errors = 0
        self.writes = 0

    def _spawn(self, key: str, write: Any) -> None:
        self.busy.add(key)

        async def run() -> None:
            try:
                await write
                self.writes += 1
            except Exception as err:
                self.errors += 1
                print(f"soak: write {key} failed: {err!r}", file=sys.stderr)
            finally:
                self.busy.discard(key)

        task = asyncio.get_running_loop().create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _switch_pod(self) -> None:
        model = self.model
        while True:
            i = self.rng.randrange(len(model.pods))
            if f"pod/{i}" not in self.busy:
                break
        d = (model.pods[i] + self.rng.randrange(1, model.destinations)) % model.destinations
        model.pods[i] = d
        model.record("pod", [i])
        patch = {"metadata": {"annotations": {keys.MIRROR_DESTINATION: model.name(d)}}}
        self._spawn(f"pod/{i}", self.admin.patch(PODS, source_pod_name("src", i), patch, NAMESPACE))

    def _edit_destination(self) -> None:
        model = self.model
        d = self.rng.randrange(model.destinations)
        if f"md/{d}" in self.busy:
            return self._switch_pod()
        model.directions[d] = DIRECTIONS[(DIRECTIONS.index(model.directions[d]) + 1) % 3]
        model.record("destination", model.sources_of({d}))
        spec = {"trafficDirection": model.directions[d]}
        self._spawn(f"md/{d}", put_destination(self.admin, model.name(d), spec=spec))
        return None

    def _move_analyzer(self, n: int) -> None:
        model = self.model
        a = n % ANALYZERS
        current = model.analyzers[a]
        address = f"10.251.{n // 250}.{n % 250 + 2}"
        model.analyzers[a] = Analyzer(current.namespace, current.pod, current.instance_ip, address)
        affected = {d for d in range(model.destinations) if d % ANALYZERS == a}
        model.record("analyzer", model.sources_of(affected))
        self._spawn(f"analyzer/{a}", set_analyzer_ip(self.admin, current, address))

    async def run(self, seconds: float) -> None:
        started = time.monotonic()
        n = moves = 0
        while time.monotonic() - started < seconds:
            if (moves + 1) * ANALYZER_CHANGE_EVERY <= time.monotonic() - started:
                moves += 1
                self._move_analyzer(moves)
            if n % 100 == 99:
                self._edit_destination()
            else:
                self._switch_pod()
            n += 1
            delay = started + n / self.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        await asyncio.gather(*self.tasks)


def _log_errors(path: Path) -> int:
    count = 0
    for line in path.read_bytes().splitlines():
        try:
            level = orjson.loads(line).get("level")
        except orjson.JSONDecodeError:
            level = "error" if b"Traceback" in line else None
        count += level in ("error", "critical")
    return count


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope (value per second)."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    den = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / den if den else 0.0


async def soak(
    cp: ControlPlane, *, minutes: float, pods: int, destinations: int, rate: float
) -> dict[str, Any]:
    admin = await Client.from_kubeconfig(cp.admin_kubeconfig)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    observer = Observer(admin, R.virtual_machine_interfaces, NAMESPACE)
    process: MirrorctlProcess | None = None
    try:
        await install(admin)
        await ensure_namespace(admin, NAMESPACE)
        analyzers = [
            await create_analyzer(admin, NAMESPACE, f"analyzer-{a}", f"soak-an-{a}")
            for a in range(ANALYZERS)
        ]
        model = _Model(
            destinations,
            [i % destinations for i in range(pods)],
            [],
            analyzers,
            ["both"] * destinations,
        )
        for d in range(destinations):
            await put_destination(admin, model.name(d), selector=f"soak-an-{d % ANALYZERS}")
        started = time.monotonic()
        model.vmis = await create_sources(
            admin, NAMESPACE, pods, lambda i: model.name(i % destinations)
        )
        print(f"soak: population in {time.monotonic() - started:.0f} s", file=sys.stderr)
        index = {v: i for i, v in enumerate(model.vmis)}
        await observer.start()
        observer.listen(lambda name, obj, at: model.observe(name, obj, at, index))
        for name, obj in observer.objects.items():
            model.seen[name] = _state_of(obj)

        process = MirrorctlProcess(
            cp.controller_kubeconfig, log_dir / "soak-mirrorctl.log", namespace=NAMESPACE
        )
        await process.start()
        model.record("initial", list(range(pods)))
        await model.converged.wait()
        initial_s = time.monotonic() - process.child.started_at
        await settle(process.child, ready=process.idle)
        print(f"soak: initial configuration in {initial_s:.0f} s", file=sys.stderr)

        samples: list[dict[str, float]] = []
        began = time.monotonic()

        async def sample() -> None:
            while True:
                usage = process.child.usage()
                metrics = await process.metrics()
                samples.append(
                    {
                        "t": time.monotonic() - began,
                        "rss_mb": usage.rss_bytes / 2**20,
                        "cpu_s": usage.cpu_seconds,
                        "queue_depth": metrics.get("workqueue_depth", float("nan")),
                        "reconcile_errors": metrics.get(
                            "controller_runtime_reconcile_errors_total", float("nan")
                        ),
                        "open_changes": model.open_changes(),
                    }
                )
                await asyncio.sleep(SAMPLE_EVERY)

        sampler = asyncio.create_task(sample())
        first_change = len(model.changes)
        stream = _Stream(admin, model, rate)
        await stream.run(minutes * 60)
        stream_s = time.monotonic() - began
        # Whatever is still open after the grace period is reported as never converged.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(model.converged.wait(), GRACE)
        await asyncio.sleep(SAMPLE_EVERY)
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)

        listed = await admin.list(R.virtual_machine_interfaces, NAMESPACE)
        by_name = {o["metadata"]["name"]: o for o in listed["items"]}
        wrong = [v for i, v in enumerate(model.vmis) if _state_of(by_name[v]) != model.desired(i)]
        changes = model.changes[first_change:]
        latencies = [c.done_at - c.sent_at for c in changes if c.done_at is not None]
        warm = [s for s in samples if s["t"] >= stream_s * 0.2 and s["t"] <= stream_s]
        rss_series = [(s["t"], s["rss_mb"]) for s in samples]
        plot = plots.timeseries(
            "soak.png",
            f"Soak: {pods} pods/VMIs, {destinations} MirrorDestinations, {rate:g} changes/s, "
            f"{minutes:g} min",
            {"controller RSS (MiB)": rss_series},
            "RSS (MiB)",
            second={
                "work-queue depth": [(s["t"], s["queue_depth"]) for s in samples],
                "changes not yet converged": [(s["t"], s["open_changes"]) for s in samples],
            },
            second_label="items",
            from_zero=True,
        )
        summary = {
            "pods": pods,
            "destinations": destinations,
            "rate_per_s": rate,
            "minutes": minutes,
            "initial_configuration_s": round(initial_s, 1),
            "changes": len(changes),
            "changes_by_kind": {
                kind: sum(1 for c in changes if c.kind == kind)
                for kind in ("pod", "destination", "analyzer")
            },
            "writes_per_s_achieved": round(stream.writes / (minutes * 60), 2),
            "harness_write_errors": stream.errors,
            "never_converged": sum(1 for c in changes if c.done_at is None),
            "vmis_differing_from_model_at_end": len(wrong),
            "convergence_p50_ms": round(percentile(latencies, 50) * 1e3, 1),
            "convergence_p99_ms": round(percentile(latencies, 99) * 1e3, 1),
            "convergence_max_ms": round(max(latencies, default=float("nan")) * 1e3, 1),
            "rss_after_warmup_mb": round(warm[0]["rss_mb"], 1) if warm else None,
            "rss_end_mb": round(warm[-1]["rss_mb"], 1) if warm else None,
            "rss_growth_after_warmup_mb": (
                round(warm[-1]["rss_mb"] - warm[0]["rss_mb"], 1) if warm else None
            ),
            # The target: growth under 5% of the RSS after warm-up (its baseline).
            "rss_growth_after_warmup_pct": (
                round(100 * (warm[-1]["rss_mb"] / warm[0]["rss_mb"] - 1), 2) if warm else None
            ),
            "rss_slope_mb_per_min": round(_slope([(s["t"], s["rss_mb"]) for s in warm]) * 60, 3),
            "queue_depth_max": max((s["queue_depth"] for s in samples), default=0),
            "queue_depth_mean": round(
                sum(s["queue_depth"] for s in samples) / max(1, len(samples)), 1
            ),
            "controller_cpu_s_during_stream": round(
                (warm[-1]["cpu_s"] - samples[0]["cpu_s"]) if warm and samples else 0.0, 1
            ),
            "reconcile_errors": samples[-1]["reconcile_errors"] if samples else None,
            "controller_log_error_lines": _log_errors(process.child.log),
            "plot": plot,
            "logs": str(log_dir),
        }
        out = plots.RESULTS / "soak.json"
        out.write_text(json.dumps({"summary": summary, "samples": samples}, indent=1))
        return summary
    finally:
        if process is not None:
            await process.stop()
        await observer.stop()
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--destinations", type=int, default=100)
    parser.add_argument("--rate", type=float, default=20.0)
    args = parser.parse_args(argv)
    ran = report.now()
    with ControlPlane() as cp:
        summary = asyncio.run(
            soak(
                cp,
                minutes=args.minutes,
                pods=args.pods,
                destinations=args.destinations,
                rate=args.rate,
            )
        )
    print(json.dumps(summary, indent=2))
    title = report.heading("soak")
    report.write({title: report.section(title, ran, summary)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
