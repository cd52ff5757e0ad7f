"""The kube-manager emulator: VM / VMI / InstanceIP per pod, and the CNI's network-status.

On a CN2 cluster kube-manager and the CNI do this; on the local control plane (tests, ``mirrorctl
dev``) this emulator does. Objects are written with server-side apply under their own field
manager, so they never take over the labels and annotations mirrorctl writes on the same objects.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import orjson
import structlog

from mirrorctl.client import AlreadyExistsError, Client, NotFoundError, PatchType
from mirrorctl.client.resources import NAMESPACES, PODS
from mirrorctl.emulator.ipam import AddressPools
from mirrorctl.emulator.render import (
    POD_KEY_LABEL,
    POD_UID_ANNOTATION,
    NetworkRef,
    PodObjects,
    default_network,
    pod_key_label,
    render_pod,
)
from mirrorctl.mirroring.keys import NETWORK_STATUS
from mirrorctl.mirroring.resources import ContrailResources, contrail_resources

__all__ = ["FIELD_MANAGER", "KubeManagerEmulator"]

FIELD_MANAGER = "kube-manager-emulator"
_log = structlog.get_logger("mirrorctl.emulator")


class KubeManagerEmulator:
    def __init__(
        self,
        client: Client,
        *,
        cluster_name: str = "mirrorctl-envtest",
        resources: ContrailResources | None = None,
    ) -> None:
        self.client = client
        self.cluster_name = cluster_name
        self.resources = resources or contrail_resources()
        self.pools = AddressPools()
        self._networks: set[NetworkRef] = set()
        self._namespaces: set[str] = set()
        # pod key label -> names of the InstanceIPs made for it (one per interface).
        self._made: dict[str, set[str]] = {}
        self._loaded = False
        self._load_lock = asyncio.Lock()

    async def _load_state(self) -> None:
        """Once: learn the InstanceIPs made before (by an earlier run), so no address is
        given twice and interfaces dropped while we were away are found."""
        async with self._load_lock:
            if self._loaded:
                return
            iips = await self.client.list(self.resources.instance_ips, label_selector=POD_KEY_LABEL)
            for iip in iips.get("items", []):
                meta = iip["metadata"]
                address = (iip.get("spec") or {}).get("instanceIPAddress")
                uid = (meta.get("annotations") or {}).get(POD_UID_ANNOTATION, "")
                if isinstance(address, str):
                    self.pools.reserve(self._network_key(iip), meta["name"], address, uid)
                pod_key = (meta.get("labels") or {}).get(POD_KEY_LABEL)
                if pod_key:
                    self._made.setdefault(pod_key, set()).add(meta["name"])
            self._loaded = True

    def _network_key(self, iip: Mapping[str, Any]) -> str | None:
        """The pool an InstanceIP's address came from: None for the default pod network."""
        ref = (iip.get("spec") or {}).get("virtualNetworkReference") or {}
        network = NetworkRef(str(ref.get("namespace")), str(ref.get("name")))
        if network == default_network(self.cluster_name):
            return None
        return f"{network.namespace}/{network.name}"

    async def _apply(self, res: Any, body: Mapping[str, Any], *, status: bool = False) -> None:
        meta = body["metadata"]
        await self.client.patch(
            res,
            meta["name"],
            body,
            meta.get("namespace"),
            patch_type=PatchType.APPLY,
            field_manager=FIELD_MANAGER,
            force=True,
            subresource="status" if status else None,
        )

    async def _ensure_namespace(self, name: str) -> None:
        if name in self._namespaces:
            return
        with contextlib.suppress(AlreadyExistsError):
            await self.client.create(NAMESPACES, {"metadata": {"name": name}})
        self._namespaces.add(name)

    async def _ensure_network(self, network: NetworkRef) -> None:
        if network in self._networks:
            return
        await self._ensure_namespace(network.namespace)
        api_version = self.resources.virtual_networks.api_version
        meta = {"name": network.name, "namespace": network.namespace}
        await self._apply(
            self.resources.virtual_networks,
            {
                "apiVersion": api_version,
                "kind": "VirtualNetwork",
                "metadata": meta,
                "spec": {"fqName": network.fq_name, "podNetwork": True},
            },
        )
        await self._apply(
            self.resources.routing_instances,
            {
                "apiVersion": api_version,
                "kind": "RoutingInstance",
                "metadata": meta,
                "spec": {
                    "fqName": [*network.fq_name, network.name],
                    "routingInstanceIsDefault": True,
                    "parent": {
                        "apiVersion": api_version,
                        "kind": "VirtualNetwork",
                        "namespace": network.namespace,
                        "name": network.name,
                        "fqName": network.fq_name,
                    },
                },
            },
        )
        self._networks.add(network)

    async def ensure_pod(self, pod: Mapping[str, Any]) -> PodObjects | None:
        """Create or update everything kube-manager and the CNI would for ``pod``."""
        objects = render_pod(
            pod, cluster_name=self.cluster_name, resources=self.resources, pools=self.pools
        )
        if objects is None:
            return None
        await self._load_state()
        for network in objects.networks:
            await self._ensure_network(network)
        await self._apply(self.resources.virtual_machines, objects.vm)
        for vmi, status in zip(objects.vmis, objects.vmi_statuses, strict=True):
            await self._apply(self.resources.virtual_machine_interfaces, vmi)
            await self._apply(self.resources.virtual_machine_interfaces, status, status=True)
        for iip in objects.instance_ips:
            await self._apply(self.resources.instance_ips, iip)
        await self._write_network_status(pod, objects.network_status)
        meta = pod["metadata"]
        pod_key = pod_key_label(meta["namespace"], meta["name"])
        wanted = {i["metadata"]["name"] for i in objects.instance_ips}
        # Listing is only needed when an interface went away; most calls skip it.
        if not self._made.get(pod_key, set()) <= wanted:
            await self._remove_stale_interfaces(pod, objects)
        self._made[pod_key] = wanted
        return objects

    async def _write_network_status(self, pod: Mapping[str, Any], value: str) -> None:
        annotations = pod["metadata"].get("annotations") or {}
        current = annotations.get(NETWORK_STATUS)
        try:
            if current is not None and orjson.loads(current) == orjson.loads(value):
                return
        except orjson.JSONDecodeError:
            pass
        meta = pod["metadata"]
        await self.client.patch(
            PODS,
            meta["name"],
            {"metadata": {"annotations": {NETWORK_STATUS: value}}},
            meta["namespace"],
        )

    async def _remove_stale_interfaces(self, pod: Mapping[str, Any], objects: PodObjects) -> None:
        """An interface removed from the pod's networks loses its VMI and InstanceIP."""
        meta = pod["metadata"]
        selector = f"{POD_KEY_LABEL}={pod_key_label(meta['namespace'], meta['name'])}"
        wanted_vmis = {v["metadata"]["name"] for v in objects.vmis}
        wanted_iips = {i["metadata"]["name"] for i in objects.instance_ips}
        vmis = await self.client.list(
            self.resources.virtual_machine_interfaces, meta["namespace"], label_selector=selector
        )
        for vmi in vmis.get("items", []):
            if vmi["metadata"]["name"] not in wanted_vmis:
                await self._delete(self.resources.virtual_machine_interfaces, vmi)
        iips = await self.client.list(self.resources.instance_ips, label_selector=selector)
        for iip in iips.get("items", []):
            if iip["metadata"]["name"] not in wanted_iips:
                await self._delete(self.resources.instance_ips, iip)

    async def _delete(self, res: Any, obj: Mapping[str, Any]) -> None:
        meta = obj["metadata"]
        try:
            await self.client.delete(res, meta["name"], meta.get("namespace"))
        except NotFoundError as err:
            if err.object_name != meta["name"]:
                raise  # the resource is not served (yet): not a sign the object is gone
        if res is self.resources.instance_ips:
            self.pools.release(self._network_key(obj), meta["name"])

    async def remove_pod(self, namespace: str, name: str) -> int:
        """Delete what was made for the pod ``namespace/name``; returns how many objects."""
        pod_key = pod_key_label(namespace, name)
        selector = f"{POD_KEY_LABEL}={pod_key}"
        self._made.pop(pod_key, None)
        removed = 0
        for res, ns in (
            (self.resources.instance_ips, None),
            (self.resources.virtual_machine_interfaces, namespace),
            (self.resources.virtual_machines, None),
        ):
            found = await self.client.list(res, ns, label_selector=selector)
            for obj in found.get("items", []):
                await self._delete(res, obj)
                removed += 1
        if removed:
            _log.debug("emulator.removed", namespace=namespace, pod=name, objects=removed)
        return removed
