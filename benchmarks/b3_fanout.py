"""B3: fan-out, an analyzer's new IP reaching every source VMI, against a raw patch loop.

Two cases, each on a control plane of its own (as each benchmark is: what one case leaves in
etcd slows the apiserver for the next, see ``benchmarks/__main__.py``), in its own namespace,
with its own controller process:
- one MirrorDestination with 5,000 source pods (one VMI each);
- 50 MirrorDestinations, all selecting the same analyzer, with 10,000 source pods between them.

The controller is ``python -m mirrorctl run`` in a child process, as the controller identity
with the shipped RBAC, scoped to the case's namespace, ``--workers 8``, log level warning.
The change is what kube-manager does when the analyzer's address changes: its InstanceIP gets
a new ``instanceIPAddress``. The time is from that write until a separate watch (in this
process) has seen the last source VMI carry the new configuration. The baseline, in the same
run, is a bare aiohttp (``trust_env=False``) merge-patch loop in its own process, at the same
concurrency (8), writing the same annotation to the same VMIs (the controller is stopped
meanwhile), timed the same way, from its ``go`` to the last VMI seen.

CPU-seconds (utime + stime of the process, from ``/proc``) per VMI: the controller's from the
change to the last VMI seen ("to_converged") and to the end of the work the change caused,
including the watch echoes of its own writes ("to_settled"); the raw loop's over its patches.
Targets: controller rate >= 85% of the raw loop's; controller CPU per VMI <= 1.2x raw.
Each case runs ROUNDS rounds (controller, then raw loop); medians are reported, and each
round's CPU per VMI for both, since the machine's pace drifts between rounds. Then the raw
loop runs once more at each concurrency of RAW_SWEEP: if its rate does not grow, the
apiserver, not the client, sets the pace.

Run: ``python -m benchmarks.b3_fanout`` (starts a local control plane). Nothing here asserts
the targets.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from benchmarks import plots
from benchmarks.peers.cluster import install
from benchmarks.peers.mirrorctl_process import MirrorctlProcess
from benchmarks.peers.observer import Observer, configuration_of, has_analyzer_ip
from benchmarks.peers.population import (
    Analyzer,
    R,
    create_analyzer,
    create_sources,
    ensure_namespace,
    put_destination,
    set_analyzer_ip,
)
from benchmarks.peers.process import Child, settle
from benchmarks.peers.stats import ratio
from mirrorctl.client import Client
from mirrorctl.envtest import ControlPlane
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.configuration import parse_configuration

__all__ = ["Case", "run"]

CONCURRENCY = 8
# The raw loop also runs at these concurrencies, once each, to show where the apiserver tops out.
RAW_SWEEP = (16, 32)
ROUNDS = 5
TIMEOUT = 900.0


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    sources: int
    destinations: int

    @property
    def namespace(self) -> str:
        return f"bench-b3-{self.name}"

    def destination(self, i: int) -> str:
        return f"b3-{self.name}-{i % self.destinations:02d}"


CASES = (Case("single", 5_000, 1), Case("multi", 10_000, 50))


class _Addresses:
    """Fresh analyzer addresses, outside the emulator's pools."""

    def __init__(self) -> None:
        self._next = 0

    def __call__(self) -> str:
        self._next += 1
        return f"10.250.{self._next // 250}.{self._next % 250 + 2}"


async def _controller(cp: ControlPlane, case: Case, log_dir: Path, n: int) -> MirrorctlProcess:
    process = MirrorctlProcess(
        cp.controller_kubeconfig,
        log_dir / f"b3-{case.name}-mirrorctl-{n}.log",
        namespace=case.namespace,
        workers=CONCURRENCY,
    )
    await process.start()
    return process


async def _settled(process: MirrorctlProcess) -> None:
    await settle(process.child, ready=process.idle, quiet=2.0, timeout=TIMEOUT)


async def _raw_round(
    cp: ControlPlane,
    observer: Observer,
    vmis: list[str],
    case: Case,
    address: str,
    log_dir: Path,
    concurrency: int = CONCURRENCY,
) -> dict[str, Any]:
    """Patch every VMI's configuration to ``address`` with the raw loop, timed like the
    controller; returns its figures and the completion times."""
    patches = []
    for name in vmis:
        current = configuration_of(observer.objects[name])
        assert current is not None, f"{name} has no configuration"
        text = (
            parse_configuration(orjson.dumps(current).decode())
            .model_copy(update={"analyzer_ip_address": address})
            .to_json()
        )
        patches.append([name, {"metadata": {"annotations": {keys.MIRRORING_CONFIGURATION: text}}}])
    targets = log_dir / f"b3-{case.name}-targets.json"
    targets.write_bytes(orjson.dumps({"namespace": case.namespace, "patches": patches}))
    child = Child(
        "raw-patch",
        [
            sys.executable,
            "-m",
            "benchmarks.peers.raw_patch",
            str(cp.controller_kubeconfig),
            str(targets),
            str(concurrency),
        ],
        log_dir / f"b3-{case.name}-raw.log",
    )
    await child.start(pipes=True)
    try:
        stdout = child.process.stdout
        stdin = child.process.stdin
        assert stdout is not None
        assert stdin is not None
        line = await asyncio.wait_for(stdout.readline(), 120)
        if line.strip() != b"ready":
            raise RuntimeError(f"raw loop failed to start: {line!r}\n{child.tail()}")
        expectation = observer.expect(vmis, has_analyzer_ip(address))
        cpu0 = child.usage().cpu_seconds
        t0 = time.monotonic()
        stdin.write(b"go\n")
        await stdin.drain()
        last = await expectation.wait(TIMEOUT)
        reported = orjson.loads(await asyncio.wait_for(stdout.readline(), 120))
        cpu = child.usage().cpu_seconds - cpu0
        stdin.write(b"exit\n")
        await stdin.drain()
    finally:
        await child.stop()
    if reported["errors"]:
        raise RuntimeError(f"raw loop: {reported['errors']} failed patches")
    seconds = last - t0
    return {
        "seconds": seconds,
        "loop_seconds": reported["seconds"],
        "cpu_s": cpu,
        "times": [t - t0 for t in expectation.times.values()],
    }


async def _controller_round(
    admin: Client,
    process: MirrorctlProcess,
    observer: Observer,
    vmis: list[str],
    analyzer: Analyzer,
    address: str,
) -> tuple[dict[str, Any], Analyzer]:
    expectation = observer.expect(vmis, has_analyzer_ip(address))
    events0 = observer.events
    cpu0 = process.child.usage().cpu_seconds
    t0 = time.monotonic()
    analyzer = await set_analyzer_ip(admin, analyzer, address)
    last = await expectation.wait(TIMEOUT)
    cpu_converged = process.child.usage().cpu_seconds - cpu0
    settled = await settle(process.child, ready=process.idle, quiet=2.0, timeout=TIMEOUT)
    cpu_settled = settled.usage.cpu_seconds - cpu0
    return {
        "seconds": last - t0,
        "cpu_to_converged_s": cpu_converged,
        "cpu_to_settled_s": cpu_settled,
        "vmi_events": observer.events - events0,
        "times": [t - t0 for t in expectation.times.values()],
    }, analyzer


async def _case(
    cp: ControlPlane, admin: Client, case: Case, log_dir: Path, rounds: int
) -> dict[str, Any]:
    next_address = _Addresses()
    await ensure_namespace(admin, case.namespace)
    selector = f"b3-{case.name}-analyzer"
    analyzer = await create_analyzer(admin, case.namespace, "analyzer", selector)
    for d in range(case.destinations):
        await put_destination(admin, case.destination(d), selector=selector)
    started = time.monotonic()
    vmis = await create_sources(admin, case.namespace, case.sources, case.destination)
    created_s = time.monotonic() - started

    observer = Observer(admin, R.virtual_machine_interfaces, case.namespace)
    await observer.start()
    controller_rounds: list[dict[str, Any]] = []
    raw_rounds: list[dict[str, Any]] = []
    restarts: list[int] = []
    raw_sweep: dict[str, float] = {}
    process = await _controller(cp, case, log_dir, 0)
    try:
        # The first start configures every source: the fan-out of a fresh installation.
        first = observer.expect(vmis, has_analyzer_ip(analyzer.address))
        await first.wait(TIMEOUT)
        initial_s = time.monotonic() - process.child.started_at
        await _settled(process)
        for n in range(rounds):
            result, analyzer = await _controller_round(
                admin, process, observer, vmis, analyzer, next_address()
            )
            controller_rounds.append(result)
            await process.stop()
            address = next_address()
            raw_rounds.append(await _raw_round(cp, observer, vmis, case, address, log_dir))
            # The cluster now says what the raw loop wrote: a restarted controller finds
            # nothing to do (counted below: VMI writes during its start-up).
            analyzer = await set_analyzer_ip(admin, analyzer, address)
            events0 = observer.events
            process = await _controller(cp, case, log_dir, n + 1)
            await _settled(process)
            restarts.append(observer.events - events0)
        # The apiserver's own limit: does the raw loop go faster with more requests in flight?
        await process.stop()
        for concurrency in RAW_SWEEP:
            swept = await _raw_round(
                cp, observer, vmis, case, next_address(), log_dir, concurrency=concurrency
            )
            raw_sweep[str(concurrency)] = round(case.sources / swept["seconds"], 1)
    finally:
        await process.stop()
        await observer.stop()

    def median(rounds: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(r[key] for r in rounds))

    n = case.sources
    ctl_s, raw_s = median(controller_rounds, "seconds"), median(raw_rounds, "seconds")
    ctl_cpu = median(controller_rounds, "cpu_to_converged_s") / n
    ctl_cpu_settled = median(controller_rounds, "cpu_to_settled_s") / n
    raw_cpu = median(raw_rounds, "cpu_s") / n
    plot = plots.progress(
        f"b3_fanout_{case.name}.png",
        f"B3 fan-out: {n} VMIs over {case.destinations} MirrorDestination(s)",
        {
            **{f"mirrorctl round {i + 1}": r["times"] for i, r in enumerate(controller_rounds)},
            **{f"raw patch loop round {i + 1}": r["times"] for i, r in enumerate(raw_rounds)},
        },
    )
    return {
        "vmis": n,
        "destinations": case.destinations,
        "concurrency": CONCURRENCY,
        "rounds": rounds,
        "population_created_s": round(created_s, 1),
        "mirrorctl_first_configuration_s": round(initial_s, 2),
        "mirrorctl_s": round(ctl_s, 3),
        "mirrorctl_vmis_per_s": round(n / ctl_s, 1),
        "raw_s": round(raw_s, 3),
        "raw_vmis_per_s": round(n / raw_s, 1),
        "rate_ratio": ratio(raw_s, ctl_s),
        "rate_ratio_target": 0.85,
        "mirrorctl_cpu_ms_per_vmi_to_converged": round(ctl_cpu * 1e3, 3),
        "mirrorctl_cpu_ms_per_vmi_to_settled": round(ctl_cpu_settled * 1e3, 3),
        "raw_cpu_ms_per_patch": round(raw_cpu * 1e3, 3),
        "cpu_ratio_to_converged": ratio(ctl_cpu, raw_cpu, 2),
        "cpu_ratio_to_settled": ratio(ctl_cpu_settled, raw_cpu, 2),
        "cpu_ratio_target": 1.2,
        "mirrorctl_rounds_s": [round(r["seconds"], 3) for r in controller_rounds],
        "raw_rounds_s": [round(r["seconds"], 3) for r in raw_rounds],
        "mirrorctl_rounds_cpu_ms_per_vmi": [
            round(r["cpu_to_converged_s"] / n * 1e3, 3) for r in controller_rounds
        ],
        "raw_rounds_cpu_ms_per_patch": [round(r["cpu_s"] / n * 1e3, 3) for r in raw_rounds],
        "vmi_writes_on_restart": restarts,
        "raw_vmis_per_s_at_concurrency": {str(CONCURRENCY): round(n / raw_s, 1), **raw_sweep},
        "plot": plot,
    }


async def _on(cp: ControlPlane, case: Case, log_dir: Path, rounds: int) -> dict[str, Any]:
    admin = await Client.from_kubeconfig(cp.admin_kubeconfig)
    try:
        await install(admin)
        return await _case(cp, admin, case, log_dir, rounds)
    finally:
        await admin.close()


async def _run(
    cp: ControlPlane, cases: tuple[Case, ...] = CASES, rounds: int = ROUNDS
) -> dict[str, Any]:
    log_dir = Path(tempfile.mkdtemp(prefix="bench-b3-"))
    results: dict[str, Any] = {}
    for n, case in enumerate(cases):
        if n == 0:
            results[case.name] = await _on(cp, case, log_dir, rounds)
        else:
            with ControlPlane() as plane:
                results[case.name] = await _on(plane, case, log_dir, rounds)
    results["logs"] = str(log_dir)
    return results


def run(control_plane: ControlPlane) -> dict[str, Any]:
    """Run B3 on the given control plane and return its figures."""
    return asyncio.run(_run(control_plane))


if __name__ == "__main__":
    with ControlPlane() as plane:
        print(json.dumps(run(plane), indent=2))
