"""B7 baseline: the mirroring fan-out as a kopf operator, written the way kopf's documentation
suggests: indexes as the cache of related objects (sources by destination, VMIs by pod, pods'
destinations, destinations' configurations), change handlers on the primary resource
(MirrorDestination: create, resume, and update of ``spec``), event handlers on the secondary
ones (pods, VMIs), and writes to other objects through kubernetes-asyncio's
``CustomObjectsApi`` (JSON merge patch), at most WORKERS at a time. The decisions are
mirrorctl's own pure functions (`benchmarks.peers.desired`), so the writes are identical.

kopf keeps its own state in annotations of the MirrorDestinations it handles and posts
Events about its handlers; it runs ``standalone`` (no peering objects), namespace-scoped
(MirrorDestinations are cluster-scoped and served regardless), logging at WARNING (as
``kopf run --quiet``). Handlers are registered in a registry made here and passed to
``kopf.run``, which is what ``kopf run`` calls.

Run: ``python -m benchmarks.peers.kopf_operator KUBECONFIG NAMESPACE WORKERS READY_FILE``;
READY_FILE is created when the first MirrorDestination handler runs, which kopf does only once
every index is populated.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import kopf
from kubernetes_asyncio import client, config

from benchmarks.peers.desired import destination_configuration, owner_pod, vmi_patch
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.configuration import MirroringConfiguration

__all__ = ["build_registry", "main"]

GROUP, VERSION = "core.contrail.juniper.net", "v1alpha1"
MDS = (GROUP, VERSION, "mirrordestinations")
VMIS = (GROUP, VERSION, "virtualmachineinterfaces")
MERGE_PATCH = "application/merge-patch+json"
# (VMI name, its mirror-destination label, its interface and configuration annotations)
VmiEntry = tuple[str, str | None, str | None, str | None]


def _first(store: Any) -> Any:
    return next(iter(store), None) if store is not None else None


class Writer:
    """The one way the handlers write: bounded concurrency, merge patches."""

    def __init__(self, api: Any, workers: int) -> None:
        self.custom: Any = client.CustomObjectsApi(api)
        self.limit = asyncio.Semaphore(workers)

    async def configure(
        self,
        namespace: str,
        entry: VmiEntry,
        destination: str | None,
        configuration: MirroringConfiguration | None,
    ) -> None:
        name, label, interface, current = entry
        labels = {keys.MIRROR_DESTINATION: label} if label is not None else {}
        annotations = {keys.VMI_INTERFACE: interface, keys.MIRRORING_CONFIGURATION: current}
        patch = vmi_patch(
            labels,
            {k: v for k, v in annotations.items() if v is not None},
            destination,
            configuration,
        )
        if patch is None:
            return
        async with self.limit:
            await self.custom.patch_namespaced_custom_object(
                *VMIS[:2], namespace, VMIS[2], name, patch, _content_type=MERGE_PATCH
            )


def build_registry(namespace: str, workers: int, ready_file: Path) -> kopf.OperatorRegistry:
    registry = kopf.OperatorRegistry()
    state: dict[str, Writer] = {}

    # A registry of one's own starts without kopf's default login handlers.
    @kopf.on.login(registry=registry)
    def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
        return kopf.login_with_kubeconfig(**kwargs)

    @kopf.on.startup(registry=registry)
    async def connect(**_: Any) -> None:
        await config.load_kube_config(config_file=os.environ["KUBECONFIG"])
        state["writer"] = Writer(client.ApiClient(), workers)

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
        if owner is None:
            return None
        entry = (
            name,
            labels.get(keys.MIRROR_DESTINATION),
            annotations.get(keys.VMI_INTERFACE),
            annotations.get(keys.MIRRORING_CONFIGURATION),
        )
        return {owner[1]: entry}

    @kopf.index(*MDS, id="configurations", registry=registry)
    def configurations(name: str, body: Any, **_: Any) -> dict[str, MirroringConfiguration | None]:
        return {name: destination_configuration(body)}

    async def configure_pod(
        pod: str,
        destination: str | None,
        configuration: MirroringConfiguration | None,
        interfaces: kopf.Index[str, VmiEntry],
    ) -> None:
        writer = state["writer"]
        for entry in list(interfaces.get(pod, [])):
            await writer.configure(namespace, entry, destination, configuration)

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
        entry = (
            name,
            labels.get(keys.MIRROR_DESTINATION),
            annotations.get(keys.VMI_INTERFACE),
            annotations.get(keys.MIRRORING_CONFIGURATION),
        )
        await state["writer"].configure(namespace, entry, destination, configuration)

    return registry


def main(argv: list[str]) -> int:
    kubeconfig, namespace, workers, ready_file = argv
    os.environ["KUBECONFIG"] = kubeconfig  # kopf's own login reads it
    kopf.configure(quiet=True)
    kopf.run(
        registry=build_registry(namespace, int(workers), Path(ready_file)),
        standalone=True,
        namespaces=[namespace],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
