"""B7 baseline: the mirroring fan-out as a straightforward kubernetes-asyncio program.

What one would write without a framework: list then watch (``kubernetes_asyncio.watch``) pods,
VMIs and MirrorDestinations, keep them in dicts with two hand-made indexes (sources by
destination, VMIs by pod), and let a fixed number of workers take pod keys from an
``asyncio.Queue`` and merge-patch their VMIs through ``CustomObjectsApi``. Pods come as the
client's typed models, as ``CoreV1Api`` returns them. The decisions are mirrorctl's own pure
functions (`benchmarks.peers.desired`), so the writes are identical.

Run: ``python -m benchmarks.peers.plain_loop KUBECONFIG NAMESPACE WORKERS READY_FILE``;
READY_FILE is created once the three initial lists are in.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from kubernetes_asyncio import client, config, watch

from benchmarks.peers.desired import destination_configuration, owner_pod, vmi_patch
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.configuration import MirroringConfiguration

__all__ = ["PlainLoop", "main"]

GROUP, VERSION = "core.contrail.juniper.net", "v1alpha1"
MERGE_PATCH = "application/merge-patch+json"
log = logging.getLogger("plain-loop")


class PlainLoop:
    def __init__(self, api: Any, namespace: str, workers: int, ready_file: Path) -> None:
        self.core: Any = client.CoreV1Api(api)
        self.custom: Any = client.CustomObjectsApi(api)
        self.namespace = namespace
        self.workers = workers
        self.ready_file = ready_file
        self.configurations: dict[str, MirroringConfiguration | None] = {}
        self.pods: dict[str, Any] = {}  # name -> V1Pod
        self.sources: dict[str, set[str]] = {}  # destination -> pod names
        self.vmis: dict[str, dict[str, Any]] = {}  # name -> raw VMI
        self.vmis_of_pod: dict[str, set[str]] = {}
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.queued: set[str] = set()
        self.listed: set[str] = set()

    # -- events -----------------------------------------------------------------------------

    def enqueue(self, pod: str) -> None:
        if pod not in self.queued:
            self.queued.add(pod)
            self.queue.put_nowait(pod)

    @staticmethod
    def destination_of(pod: Any) -> str | None:
        annotations = pod.metadata.annotations or {}
        value = annotations.get(keys.MIRROR_DESTINATION)
        return value if isinstance(value, str) else None

    def on_pod(self, kind: str, pod: Any) -> None:
        name = pod.metadata.name
        old = self.pods.get(name)
        if old is not None:
            self.sources.get(self.destination_of(old) or "", set()).discard(name)
        if kind == "DELETED":
            self.pods.pop(name, None)
        else:
            self.pods[name] = pod
            destination = self.destination_of(pod)
            if destination:
                self.sources.setdefault(destination, set()).add(name)
        self.enqueue(name)

    def on_vmi(self, kind: str, vmi: dict[str, Any]) -> None:
        meta = vmi["metadata"]
        owner = owner_pod(meta.get("annotations") or {})
        if owner is None or owner[0] != self.namespace:
            return
        if kind == "DELETED":
            self.vmis.pop(meta["name"], None)
            self.vmis_of_pod.get(owner[1], set()).discard(meta["name"])
        else:
            self.vmis[meta["name"]] = vmi
            self.vmis_of_pod.setdefault(owner[1], set()).add(meta["name"])
        self.enqueue(owner[1])

    def on_destination(self, kind: str, md: dict[str, Any]) -> None:
        name = md["metadata"]["name"]
        configuration = None if kind == "DELETED" else destination_configuration(md)
        if name in self.configurations and self.configurations[name] == configuration:
            return
        self.configurations[name] = configuration
        for pod in sorted(self.sources.get(name, ())):
            self.enqueue(pod)

    # -- list + watch -----------------------------------------------------------------------

    async def follow(self, what: str, lister: Any, args: tuple[Any, ...], handle: Any) -> None:
        listed = await lister(*args)
        if isinstance(listed, dict):
            items, rv = listed["items"], listed["metadata"]["resourceVersion"]
        else:
            items, rv = listed.items, listed.metadata.resource_version
        for item in items:
            handle("ADDED", item)
        self.listed.add(what)
        if len(self.listed) == 3:
            self.ready_file.touch()
        async with watch.Watch() as stream:
            async for event in stream.stream(lister, *args, resource_version=rv):
                if event["type"] != "BOOKMARK":
                    handle(event["type"], event["object"])

    # -- work -------------------------------------------------------------------------------

    async def reconcile(self, name: str) -> None:
        pod = self.pods.get(name)
        destination = self.destination_of(pod) if pod is not None else None
        configuration = self.configurations.get(destination) if destination else None
        for vmi_name in sorted(self.vmis_of_pod.get(name, ())):
            meta = self.vmis[vmi_name]["metadata"]
            patch = vmi_patch(
                meta.get("labels"), meta.get("annotations"), destination, configuration
            )
            if patch is None:
                continue
            written = await self.custom.patch_namespaced_custom_object(
                GROUP,
                VERSION,
                self.namespace,
                "virtualmachineinterfaces",
                vmi_name,
                patch,
                _content_type=MERGE_PATCH,
            )
            self.vmis[vmi_name] = written

    async def worker(self) -> None:
        while True:
            name = await self.queue.get()
            self.queued.discard(name)
            try:
                await self.reconcile(name)
            except Exception:
                log.exception("reconcile %s failed; retrying in 1 s", name)
                asyncio.get_running_loop().call_later(1.0, self.enqueue, name)

    async def run(self) -> None:
        await asyncio.gather(
            *(self.worker() for _ in range(self.workers)),
            self.follow(
                "mirrordestinations",
                self.custom.list_cluster_custom_object,
                (GROUP, VERSION, "mirrordestinations"),
                self.on_destination,
            ),
            self.follow("pods", self.core.list_namespaced_pod, (self.namespace,), self.on_pod),
            self.follow(
                "virtualmachineinterfaces",
                self.custom.list_namespaced_custom_object,
                (GROUP, VERSION, self.namespace, "virtualmachineinterfaces"),
                self.on_vmi,
            ),
        )


async def _main(kubeconfig: str, namespace: str, workers: int, ready_file: Path) -> None:
    await config.load_kube_config(config_file=kubeconfig)
    async with client.ApiClient() as api:
        await PlainLoop(api, namespace, workers, ready_file).run()


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    kubeconfig, namespace, workers, ready_file = argv
    asyncio.run(_main(kubeconfig, namespace, int(workers), Path(ready_file)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
