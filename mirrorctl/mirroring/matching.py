"""Which VirtualMachineInterface (and VirtualMachine) kube-manager made for which pod interface."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mirrorctl.mirroring.contrail import describe, kube_manager_pod, vmi_slot
from mirrorctl.mirroring.errors import ContrailDataError
from mirrorctl.mirroring.interfaces import PodInterfaces
from mirrorctl.mirroring.pods import created_at, pod_identity
from mirrorctl.mirroring.quoting import shown

__all__ = ["PodVmis", "pod_vm", "pod_vmis"]


@dataclass(frozen=True, slots=True)
class PodVmis:
    by_interface: Mapping[str, Mapping[str, Any]]
    problems: tuple[ContrailDataError, ...] = ()

    def get(self, interface: str) -> Mapping[str, Any] | None:
        return self.by_interface.get(interface)


def _belongs(obj: Mapping[str, Any], pod: tuple[str, str], cluster_name: str | None) -> bool:
    """Whether ``obj`` is live and was made for the pod ``(namespace, name)``."""
    if not isinstance(obj, (dict, Mapping)):
        return False
    meta = obj.get("metadata")
    if isinstance(meta, (dict, Mapping)) and meta.get("deletionTimestamp"):
        return False
    return kube_manager_pod(obj, cluster_name) == pod


def _made_for(
    pod: Mapping[str, Any], objs: Iterable[Mapping[str, Any]], cluster_name: str | None
) -> list[Mapping[str, Any]]:
    """The live objects made for ``pod``, oldest first."""
    namespace, name, _ = pod_identity(pod)
    mine = [o for o in objs if _belongs(o, (namespace, name), cluster_name)]
    if len(mine) > 1:
        mine.sort(key=lambda o: (created_at(o), describe(o)))
    return mine


def pod_vmis(
    pod: Mapping[str, Any],
    interfaces: PodInterfaces,
    vmis: Iterable[Mapping[str, Any]],
    *,
    cluster_name: str | None = None,
) -> PodVmis:
    """The pod's VMIs by interface name, found by the kube-manager pod annotations and placed by
    their ``interface`` annotation, else their ``index``. When two VMIs claim one interface (a pod
    recreated under the same name), the newest wins."""
    found: dict[str, Mapping[str, Any]] = {}
    problems: list[ContrailDataError] = []
    for vmi in _made_for(pod, vmis, cluster_name):
        try:
            slot = vmi_slot(vmi)
        except ContrailDataError as err:
            problems.append(err)
            continue
        interface = interfaces.get(slot.interface) if slot.interface else None
        if interface is None and slot.index is not None:
            interface = interfaces.at(slot.index)
        if interface is None:
            problems.append(
                ContrailDataError(
                    f"{describe(vmi)}: interface {shown(slot.interface)} / index "
                    f"{slot.index!r} matches no interface of its pod",
                    reason="UnmatchedInterface",
                )
            )
            continue
        found[interface.name] = vmi
    return PodVmis(found, tuple(problems))


def pod_vm(
    pod: Mapping[str, Any],
    vms: Iterable[Mapping[str, Any]],
    *,
    cluster_name: str | None = None,
) -> Mapping[str, Any] | None:
    """The pod's VirtualMachine (the newest if several carry the pod's annotations)."""
    mine = _made_for(pod, vms, cluster_name)
    return mine[-1] if mine else None
