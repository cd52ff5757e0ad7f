"""The cache indexes that let every reconcile and every event find related objects directly.

Index functions run inside the informers for every stored object, so each is total: an object
they cannot read is simply not indexed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import structlog

from mirrorctl.mirroring.contrail import kube_manager_pod
from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.mirroring.keys import ANALYZER_POD, ANALYZER_POD_SELECTOR
from mirrorctl.reconcilers.keymap import KeyMap
from mirrorctl.reconcilers.meta import labels

__all__ = [
    "DESTINATION_BY_SELECTOR",
    "INSTANCE_IP_BY_INTERFACE",
    "OBJECT_BY_POD",
    "POD_BY_ANALYZER",
    "POD_BY_DESTINATION",
    "Indexes",
    "interface_index_values",
]

# VirtualMachines and VirtualMachineInterfaces by the "namespace/name" of the pod they are for.
OBJECT_BY_POD: Final = "mirroring.by-pod"
# Pods by the MirrorDestinations their interfaces ask to be mirrored to.
POD_BY_DESTINATION: Final = "mirroring.by-destination"
# Pods by the value of their analyzer-pod label.
POD_BY_ANALYZER: Final = "mirroring.by-analyzer"
# MirrorDestinations by the value of their analyzer-pod-selector label.
DESTINATION_BY_SELECTOR: Final = "mirroring.by-selector"
# InstanceIPs by the VirtualMachineInterfaces they reference (see interface_index_values).
INSTANCE_IP_BY_INTERFACE: Final = "mirroring.by-interface"

_log = structlog.get_logger("mirrorctl.reconcilers")
_Obj = dict[str, Any]


def interface_index_values(name: object, uid: object) -> list[str]:
    """What an InstanceIP is filed under for one VMI reference, and what a VMI is looked up by:
    its name and its uid (references carry either; the exact match is done by the reader)."""
    values: list[str] = []
    if isinstance(name, str) and name:
        values.append(f"name/{name}")
    if isinstance(uid, str) and uid:
        values.append(f"uid/{uid}")
    return values


def _total(index: Callable[[_Obj], list[str]], what: str) -> Callable[[_Obj], list[str]]:
    def guarded(obj: _Obj) -> list[str]:
        try:
            return index(obj)
        except Exception:
            # A bug here must not stop the informer; the object is left out of the index.
            _log.exception("index function failed; object not indexed", index=what)
            return []

    return guarded


@dataclass(frozen=True, slots=True)
class Indexes:
    keymap: KeyMap
    cluster_name: str | None = None

    def owner_pod(self, obj: _Obj) -> list[str]:
        found = kube_manager_pod(self.keymap.canonical_view(obj), self.cluster_name)
        return [f"{found[0]}/{found[1]}"] if found else []

    def pod_destinations(self, pod: _Obj) -> list[str]:
        interfaces = pod_interfaces(self.keymap.canonical_view(pod))
        return sorted(
            {i.mirror_destination for i in interfaces.mirror_requests if i.mirror_destination}
        )

    def pod_analyzer(self, pod: _Obj) -> list[str]:
        value = labels(self.keymap.canonical_view(pod)).get(ANALYZER_POD)
        return [value] if isinstance(value, str) and value else []

    def destination_selector(self, md: _Obj) -> list[str]:
        value = labels(self.keymap.canonical_view(md)).get(ANALYZER_POD_SELECTOR)
        return [value] if isinstance(value, str) and value else []

    def instance_ip_interfaces(self, iip: _Obj) -> list[str]:
        spec = iip.get("spec")
        refs = spec.get("virtualMachineInterfaceReferences") if isinstance(spec, Mapping) else None
        if not isinstance(refs, list):
            return []
        values: set[str] = set()
        for ref in refs:
            if isinstance(ref, (dict, Mapping)):
                values.update(interface_index_values(ref.get("name"), ref.get("uid")))
        return sorted(values)

    def guarded(self) -> dict[str, Callable[[_Obj], list[str]]]:
        """Every index function by name, each made total."""
        return {
            OBJECT_BY_POD: _total(self.owner_pod, OBJECT_BY_POD),
            POD_BY_DESTINATION: _total(self.pod_destinations, POD_BY_DESTINATION),
            POD_BY_ANALYZER: _total(self.pod_analyzer, POD_BY_ANALYZER),
            DESTINATION_BY_SELECTOR: _total(self.destination_selector, DESTINATION_BY_SELECTOR),
            INSTANCE_IP_BY_INTERFACE: _total(self.instance_ip_interfaces, INSTANCE_IP_BY_INTERFACE),
        }
