"""B7 baseline: `benchmarks.peers.kopf_operator` with kopf's indexes instead of its own dicts.

Indexes are what kopf's documentation offers for looking up related objects (sources by
destination, VMIs by pod, pods' destinations, destinations' configurations); kopf runs no
change handler until every index is populated. Everything else (handlers, writes, settings) is
as in `benchmarks.peers.kopf_operator`. B7 measures only its start-up, with a time cap: kopf
registers a readiness toggle per indexed object and re-evaluates all of them whenever one is
added, so its initial listing grows quadratically with the number of objects.

Run: ``python -m benchmarks.peers.kopf_indexed KUBECONFIG NAMESPACE WORKERS READY_FILE``;
READY_FILE is created when the first MirrorDestination handler runs, i.e. once every index
is populated.
"""

from __future__ import annotations

import asyncio
import sys
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

__all__ = ["build_registry", "main"]


def _first(store: Any) -> Any:
    return next(iter(store), None) if store is not None else None


def build_registry(namespace: str, workers: int, ready_file: Path) -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    state: dict[str, Writer] = {}
    add_session(registry, state, workers)

    # kopf passes each index to handlers as the keyword argument named by its id.
    @kopf.index("pods", id="sources", registry=registry)
    def sources(name: str, annotations: Any, **_: Any) -> dict[str, str] | None:
        destination = annotations.get(keys.MIRROR_DESTINATION)
        return {destination: name} if destination else None

    @kopf.index("pods", id="pod_destinations", registry=registry)
    def pod_destinations(name: str, annotations: Any, **_: Any) -> dict[str, str | None]:
        return {name: annotations.get(keys.MIRROR_DESTINATION)}

    @kopf.index(*VMIS, id="interfaces", registry=registry)
    def interfaces(
        name: str, labels: Any, annotations: Any, **_: Any
    ) -> dict[str, VmiEntry] | None:
        owner = owner_pod(annotations)
        return {owner[1]: entry_of(name, labels, annotations)} if owner else None

    @kopf.index(*MDS, id="configurations", registry=registry)
    def configurations(name: str, body: Any, **_: Any) -> dict[str, MirroringConfiguration | None]:
        return {name: destination_configuration(body)}

    async def configure_pod(
        pod: str,
        destination: str | None,
        configuration: MirroringConfiguration | None,
        interfaces: kopf.Index[str, VmiEntry],
    ) -> None:
        for entry in list(interfaces.get(pod, [])):
            await state["writer"].configure(namespace, entry, destination, configuration)

    @kopf.on.create(*MDS, registry=registry)
    @kopf.on.resume(*MDS, registry=registry)
    @kopf.on.update(*MDS, field="spec", registry=registry)
    async def fan_out(name: str, body: kopf.Body, **kwargs: Any) -> None:
        if not ready_file.exists():  # noqa: ASYNC240 - once, and a local file
            ready_file.touch()  # noqa: ASYNC240
        sources: kopf.Index[str, str] = kwargs["sources"]
        interfaces: kopf.Index[str, VmiEntry] = kwargs["interfaces"]
        configuration = destination_configuration(body)
        pods = list(sources.get(name, []))
        await asyncio.gather(*(configure_pod(p, name, configuration, interfaces) for p in pods))

    @kopf.on.event("pods", registry=registry)
    async def pod_changed(
        name: str, annotations: kopf.Annotations, type: str, **kwargs: Any
    ) -> None:
        configurations: kopf.Index[str, MirroringConfiguration | None] = kwargs["configurations"]
        destination = None if type == "DELETED" else annotations.get(keys.MIRROR_DESTINATION)
        configuration = _first(configurations.get(destination)) if destination else None
        await configure_pod(name, destination, configuration, kwargs["interfaces"])

    @kopf.on.event(*VMIS, registry=registry)
    async def vmi_changed(
        name: str, labels: kopf.Labels, annotations: kopf.Annotations, type: str, **kwargs: Any
    ) -> None:
        owner = owner_pod(annotations)
        if type == "DELETED" or owner is None:
            return
        pod_destinations: kopf.Index[str, str | None] = kwargs["pod_destinations"]
        configurations: kopf.Index[str, MirroringConfiguration | None] = kwargs["configurations"]
        destination = _first(pod_destinations.get(owner[1]))
        configuration = _first(configurations.get(destination)) if destination else None
        entry = entry_of(name, labels, annotations)
        await state["writer"].configure(namespace, entry, destination, configuration)

    return registry


def main(argv: list[str]) -> int:
    kubeconfig, namespace, workers, ready_file = argv
    run_operator(build_registry(namespace, int(workers), Path(ready_file)), kubeconfig, namespace)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
