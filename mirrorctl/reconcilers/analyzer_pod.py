"""The analyzer-pod reconciler: labels an analyzer pod's VirtualMachine and analyzer VMIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.mirroring.keys import ANALYZER_INTERFACE, ANALYZER_POD, NETWORKS
from mirrorctl.mirroring.matching import pod_vm, pod_vmis
from mirrorctl.mirroring.patches import analyzer_vm_patch, analyzer_vmi_patch
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcile.result import Result
from mirrorctl.reconcilers.meta import host_network, is_deleting, section
from mirrorctl.reconcilers.notices import WARNING, Notice, Notices
from mirrorctl.reconcilers.view import MirroringView, object_key
from mirrorctl.reconcilers.writer import ObjectWriter

__all__ = ["AnalyzerPodReconciler", "is_analyzer_pod"]


def is_analyzer_pod(pod: Mapping[str, Any]) -> bool:
    """Whether the (canonical-key) pod asks for anything of this reconciler: the analyzer-pod
    label, or an analyzer-interface mark on any interface. Errs on the side of yes."""
    if ANALYZER_POD in section(pod, "labels"):
        return True
    annotations = section(pod, "annotations")
    networks = annotations.get(NETWORKS)
    return ANALYZER_INTERFACE in annotations or (
        isinstance(networks, str) and ANALYZER_INTERFACE in networks
    )


class AnalyzerPodReconciler:
    """Key: a pod. While the pod carries ``analyzer-pod: <value>``, its VirtualMachine carries
    the same label; its analyzer interfaces' VMIs carry ``analyzer-interface: ""``. Every other
    VM/VMI made for the pod (the pod gone, no longer an analyzer, another interface chosen, an
    older incarnation) loses them. Nothing else on those objects is touched."""

    def __init__(
        self,
        view: MirroringView,
        writer: ObjectWriter,
        notices: Notices,
        *,
        cluster_name: str | None = None,
    ) -> None:
        self._view = view
        self._writer = writer
        self._notices = notices
        self._cluster_name = cluster_name

    async def reconcile(self, request: Request) -> Result:
        namespace, name = request.namespace or "", request.name
        if not self._view.in_scope(namespace):
            return Result()  # another instance's pod: its VMs are not ours to touch
        resources = self._view.resources
        pod = self._view.pod(namespace, name)
        vms = self._view.machines_of_pod(namespace, name)
        vmis = self._view.interfaces_of_pod(namespace, name)
        label: str | None = None
        labelled_vm: str | None = None
        analyzer_vmis: set[str] = set()
        notices: list[Notice] = []
        if pod is not None and not host_network(pod):
            value = section(pod, "labels").get(ANALYZER_POD)
            label = value if isinstance(value, str) else None
            vm = pod_vm(pod, vms, cluster_name=self._cluster_name)
            labelled_vm = object_key(vm) if vm is not None and label is not None else None
            interfaces = pod_interfaces(pod)
            matched = pod_vmis(pod, interfaces, vmis, cluster_name=self._cluster_name)
            for interface in interfaces.analyzer_interfaces:
                vmi = matched.get(interface.name)
                if vmi is not None:
                    analyzer_vmis.add(object_key(vmi))
            if is_analyzer_pod(pod):
                notices.extend(
                    Notice(WARNING, p.reason, p.message)
                    for p in (*interfaces.problems, *matched.problems)
                )
        if pod is None:
            self._notices.forget(request.key)
        else:
            self._notices.report(request.key, pod, notices)
        for vm in vms:
            patch = analyzer_vm_patch(vm, label if object_key(vm) == labelled_vm else None)
            if patch is not None and not is_deleting(vm):
                await self._writer.patch_metadata(resources.virtual_machines, vm, patch)
        for vmi in vmis:
            patch = analyzer_vmi_patch(vmi, object_key(vmi) in analyzer_vmis)
            if patch is not None and not is_deleting(vmi):
                await self._writer.patch_metadata(resources.virtual_machine_interfaces, vmi, patch)
        return Result()
