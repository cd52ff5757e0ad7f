"""`MirroringView`: the one way the reconcilers and their map functions read the cluster."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.cache.reader import Reader
from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import PODS
from mirrorctl.mirroring.resources import ContrailResources
from mirrorctl.reconcilers.indexes import (
    DESTINATION_BY_SELECTOR,
    INSTANCE_IP_BY_INTERFACE,
    OBJECT_BY_POD,
    POD_BY_ANALYZER,
    POD_BY_DESTINATION,
    interface_index_values,
)
from mirrorctl.reconcilers.keymap import KeyMap
from mirrorctl.reconcilers.written import WrittenObjects

__all__ = ["MirroringView", "object_key"]

_Obj = dict[str, Any]


def object_key(obj: Mapping[str, Any]) -> str:
    """The cache key of an object: ``namespace/name`` or ``name``."""
    metadata = obj.get("metadata")
    meta: Mapping[str, Any] = metadata if isinstance(metadata, (dict, Mapping)) else {}
    name = str(meta.get("name", ""))
    namespace = meta.get("namespace")
    return f"{namespace}/{name}" if namespace else name


class MirroringView:
    """Cached reads, never a request. Every object returned carries its ``kind`` and
    ``apiVersion`` (list responses leave them out, and status references and Events need
    them), shows the default label/annotation keys (see `KeyMap`), and is the object our own
    last write returned while the cache has not caught up with it. Never mutate them.

    With a ``namespace`` scope, pods and VMIs of other namespaces do not exist for mirroring;
    their cluster-scoped VMs and InstanceIPs are still seen, so callers check `in_scope`
    before acting for a pod.
    """

    def __init__(
        self,
        reader: Reader,
        resources: ContrailResources,
        keymap: KeyMap,
        written: WrittenObjects,
        *,
        namespace: str | None = None,
    ) -> None:
        self.reader = reader
        self.resources = resources
        self.keymap = keymap
        self.written = written
        self.namespace = namespace

    def in_scope(self, namespace: str | None) -> bool:
        """Whether pods (and VMIs) of ``namespace`` are mirrored here."""
        return self.namespace is None or namespace == self.namespace

    def present(self, res: Resource, obj: _Obj) -> _Obj:
        """How the domain logic sees a raw object of ``res``."""
        if obj.get("kind") != res.kind or obj.get("apiVersion") != res.api_version:
            obj = {**obj, "apiVersion": res.api_version, "kind": res.kind}
        return self.keymap.canonical_view(obj)

    def _newest(self, res: Resource, cached: _Obj | None, key: str) -> _Obj | None:
        found = self.written.current(res, key, cached)
        return None if found is None else self.present(res, found)

    def _get(self, res: Resource, name: str, namespace: str | None = None) -> _Obj | None:
        cached = self.reader.get(res, name, namespace)
        key = f"{namespace}/{name}" if namespace else name
        return self._newest(res, cached, key)

    def _indexed(self, res: Resource, index: str, value: str) -> list[_Obj]:
        found: list[_Obj] = []
        for cached in self.reader.by_index(res, index, value):
            newest = self._newest(res, cached, object_key(cached))
            if newest is not None:
                found.append(newest)
        return found

    # -- single objects --------------------------------------------------------------------

    def pod(self, namespace: str, name: str) -> _Obj | None:
        if not self.in_scope(namespace):
            return None
        return self._get(PODS, name, namespace)

    def destination(self, name: str) -> _Obj | None:
        return self._get(self.resources.mirror_destinations, name)

    def interface(self, namespace: str, name: str) -> _Obj | None:
        if not self.in_scope(namespace):
            return None
        return self._get(self.resources.virtual_machine_interfaces, name, namespace)

    # -- related objects ---------------------------------------------------------------------

    def machines_of_pod(self, namespace: str, name: str) -> list[_Obj]:
        """VirtualMachines kube-manager made for the pod (the pod itself may be gone)."""
        return self._indexed(self.resources.virtual_machines, OBJECT_BY_POD, f"{namespace}/{name}")

    def interfaces_of_pod(self, namespace: str, name: str) -> list[_Obj]:
        """VirtualMachineInterfaces kube-manager made for the pod (the pod may be gone)."""
        return self._indexed(
            self.resources.virtual_machine_interfaces, OBJECT_BY_POD, f"{namespace}/{name}"
        )

    def instance_ips_of(self, vmi: Mapping[str, Any]) -> list[_Obj]:
        """InstanceIPs that may reference ``vmi`` (by its name or uid; the caller matches)."""
        metadata = vmi.get("metadata")
        meta: Mapping[str, Any] = metadata if isinstance(metadata, (dict, Mapping)) else {}
        found: dict[str, _Obj] = {}
        for value in interface_index_values(meta.get("name"), meta.get("uid")):
            for iip in self._indexed(self.resources.instance_ips, INSTANCE_IP_BY_INTERFACE, value):
                found.setdefault(object_key(iip), iip)
        return list(found.values())

    def analyzer_pods(self, selector: str) -> list[_Obj]:
        """Pods labelled ``analyzer-pod=<selector>``."""
        return self._indexed(PODS, POD_BY_ANALYZER, selector)

    def destinations_selecting(self, selector: str) -> list[_Obj]:
        """MirrorDestinations labelled ``analyzer-pod-selector=<selector>``."""
        return self._indexed(self.resources.mirror_destinations, DESTINATION_BY_SELECTOR, selector)

    def destinations(self) -> list[_Obj]:
        """Every MirrorDestination."""
        res = self.resources.mirror_destinations
        found = (self._newest(res, md, object_key(md)) for md in self.reader.list(res))
        return [md for md in found if md is not None]

    def source_pods(self, destination: str) -> list[_Obj]:
        """Pods with an interface asking to be mirrored to ``destination``."""
        return self._indexed(PODS, POD_BY_DESTINATION, destination)

    def pods_revision(self) -> int:
        """Changes whenever a cached pod does. Our own writes never enter: mirrorctl does not
        write pods."""
        return self.reader.revision(PODS)

    def source_pod_keys(self, destination: str) -> list[str]:
        """The keys of `source_pods`, without reading the pods: a fan-out maps each source
        to its key, twice per event (old and new object)."""
        return self.reader.index_keys(PODS, POD_BY_DESTINATION, destination)
