"""B7 baseline: the mirroring fan-out as a kopf operator that remembers what it needs itself.

kopf's change handlers on the primary resource (MirrorDestination: create, resume, and update
of ``spec``; kopf keeps its state in the object's annotations and posts Events about its
handlers), event handlers on the secondary ones (pods, VMIs) that keep plain dicts of what the
fan-out needs (sources by destination, VMIs by pod, pods' destinations, destinations'
configurations), and writes to other objects through kubernetes-asyncio's
``CustomObjectsApi`` (JSON merge patch), at most WORKERS at a time. This is kopf's
"in-memory containers" pattern; `benchmarks.peers.kopf_indexed` is the same with kopf's
indexes. Standalone (no peering objects), namespace-scoped (MirrorDestinations are
cluster-scoped and served regardless), logging at WARNING. The decisions are mirrorctl's own
pure functions, so the writes are identical.

Run: ``python -m benchmarks.peers.kopf_operator KUBECONFIG NAMESPACE WORKERS READY_FILE``;
READY_FILE is created when the first MirrorDestination handler runs (kopf gives no signal
that the secondary resources are listed: the harness also waits for the CPU to go quiet).
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kopf

from benchmarks.peers.desired import destination_configuration, owner_pod
from benchmarks.peers.kopf_common import (
    MDS,
    VMIS,
    VmiEntry,
    Writer,
    add_session,
    entry_of,
    run_operator,
)
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.configuration import MirroringConfiguration

__all__ = ["Memory", "build_registry", "main"]


@dataclass
class Memory:
    configurations: dict[str, MirroringConfiguration | None] = field(default_factory=dict)
    destinations: dict[str, str | None] = field(default_factory=dict)  # pod -> destination
    sources: dict[str, set[str]] = field(default_factory=dict)  # destination -> pods
    interfaces: dict[str, dict[str, VmiEntry]] = field(default_factory=dict)  # pod -> VMIs


def build_registry(namespace: str, workers: int, ready_file: Path) -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    state: dict[str, Writer] = {}
    memory = Memory()
    add_session(registry, state, workers)

    async def configure_pod(pod: str) -> None:
        destination = memory.destinations.get(pod)
        configuration = memory.configurations.get(destination) if destination else None
        for entry in list(memory.interfaces.get(pod, {}).values()):
            await state["writer"].configure(namespace, entry, destination, configuration)

    @kopf.on.create(*MDS, registry=registry)
    @kopf.on.resume(*MDS, registry=registry)
    @kopf.on.update(*MDS, field="spec", registry=registry)
    async def fan_out(name: str, body: kopf.Body, **_: Any) -> None:
        if not ready_file.exists():  # noqa: ASYNC240 - once, and a local file
            ready_file.touch()  # noqa: ASYNC240
        memory.configurations[name] = destination_configuration(body)
        pods = sorted(memory.sources.get(name, ()))
        await asyncio.gather(*(configure_pod(p) for p in pods))

    @kopf.on.event(*MDS, registry=registry)
    async def destination_gone(name: str, type: str, **_: Any) -> None:
        if type == "DELETED":
            memory.configurations[name] = None
            await asyncio.gather(*(configure_pod(p) for p in memory.sources.get(name, ())))

    @kopf.on.event("pods", registry=registry)
    async def pod_changed(name: str, annotations: kopf.Annotations, type: str, **_: Any) -> None:
        old = memory.destinations.pop(name, None)
        if old:
            memory.sources.get(old, set()).discard(name)
        destination = None if type == "DELETED" else annotations.get(keys.MIRROR_DESTINATION)
        if destination:
            memory.destinations[name] = destination
            memory.sources.setdefault(destination, set()).add(name)
        await configure_pod(name)

    @kopf.on.event(*VMIS, registry=registry)
    async def vmi_changed(
        name: str, labels: kopf.Labels, annotations: kopf.Annotations, type: str, **_: Any
    ) -> None:
        owner = owner_pod(annotations)
        if owner is None:
            return
        pod = owner[1]
        if type == "DELETED":
            memory.interfaces.get(pod, {}).pop(name, None)
            return
        entry = entry_of(name, labels, annotations)
        memory.interfaces.setdefault(pod, {})[name] = entry
        destination = memory.destinations.get(pod)
        configuration = memory.configurations.get(destination) if destination else None
        await state["writer"].configure(namespace, entry, destination, configuration)

    return registry


def main(argv: list[str]) -> int:
    kubeconfig, namespace, workers, ready_file = argv
    run_operator(build_registry(namespace, int(workers), Path(ready_file)), kubeconfig, namespace)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
