"""The source-pod reconciler: labels and configures the VMIs of interfaces to be mirrored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.mirroring.configuration import MirroringConfiguration
from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.mirroring.keys import MIRROR_DESTINATION, NETWORKS
from mirrorctl.mirroring.matching import pod_vmis
from mirrorctl.mirroring.names import is_object_name
from mirrorctl.mirroring.patches import source_vmi_patch
from mirrorctl.mirroring.pods import pod_identity
from mirrorctl.mirroring.self_mirror import is_self_mirror
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcile.result import Result
from mirrorctl.reconcilers.meta import host_network, is_deleting, section
from mirrorctl.reconcilers.notices import WARNING, Notice, Notices
from mirrorctl.reconcilers.resolve import DestinationOutcome, DestinationResolver
from mirrorctl.reconcilers.view import MirroringView, object_key
from mirrorctl.reconcilers.writer import ObjectWriter

__all__ = ["SourcePodReconciler", "is_source_pod"]

_Desired = tuple[str | None, MirroringConfiguration | None]


def is_source_pod(pod: Mapping[str, Any]) -> bool:
    """Whether the (canonical-key) pod asks for mirroring of any interface. Errs on the side of
    yes (a malformed networks annotation that mentions the key counts)."""
    annotations = section(pod, "annotations")
    networks = annotations.get(NETWORKS)
    return MIRROR_DESTINATION in annotations or (
        isinstance(networks, str) and MIRROR_DESTINATION in networks
    )


class SourcePodReconciler:
    """Key: a pod. Each interface that asks to be mirrored has its VMI labelled
    ``mirror-destination: <name>``, and annotated with the mirroring configuration exactly
    while that MirrorDestination exists, is valid and is resolved (and its analyzer is not the
    interface itself). VMIs of the pod that ask for nothing lose both keys."""

    def __init__(
        self,
        view: MirroringView,
        writer: ObjectWriter,
        notices: Notices,
        *,
        cluster_name: str | None = None,
        resolver: DestinationResolver | None = None,
    ) -> None:
        self._view = view
        self._writer = writer
        self._notices = notices
        self._cluster_name = cluster_name
        self._resolver = resolver or DestinationResolver(view, cluster_name=cluster_name)

    async def reconcile(self, request: Request) -> Result:
        namespace, name = request.namespace or "", request.name
        if not self._view.in_scope(namespace):
            return Result()  # another instance's pod: its VMs are not ours to touch
        pod = self._view.pod(namespace, name)
        vmis = self._view.interfaces_of_pod(namespace, name)
        desired: dict[str, _Desired] = {}
        if pod is None:
            self._notices.forget(request.key)
        else:
            notices: list[Notice] = []
            if not host_network(pod):
                desired = self._desired(pod, vmis, notices)
            self._notices.report(request.key, pod, notices)
        for vmi in vmis:
            destination, configuration = desired.get(object_key(vmi), (None, None))
            patch = source_vmi_patch(vmi, destination, configuration)
            if patch is not None and not is_deleting(vmi):
                await self._writer.patch_metadata(
                    self._view.resources.virtual_machine_interfaces, vmi, patch
                )
        return Result()

    def _desired(
        self, pod: dict[str, Any], vmis: list[dict[str, Any]], notices: list[Notice]
    ) -> dict[str, _Desired]:
        namespace, name, uid = pod_identity(pod)
        interfaces = pod_interfaces(pod)
        matched = pod_vmis(pod, interfaces, vmis, cluster_name=self._cluster_name)
        if is_source_pod(pod):
            notices.extend(
                Notice(WARNING, p.reason, p.message)
                for p in (*interfaces.problems, *matched.problems)
            )
        outcomes: dict[str, DestinationOutcome | None] = {}
        desired: dict[str, _Desired] = {}
        for interface in interfaces.mirror_requests:
            wanted = interface.mirror_destination
            assert wanted is not None
            if wanted not in outcomes:
                obj = self._view.destination(wanted)
                outcomes[wanted] = None if obj is None else self._resolver.resolve(obj)
            outcome = outcomes[wanted]
            configuration: MirroringConfiguration | None = None
            if outcome is None:
                # A name no object can have is already explained by the pod's problems.
                if is_object_name(wanted):
                    notices.append(
                        Notice(
                            WARNING,
                            "MirrorDestinationNotFound",
                            f"interface {interface.name} of pod {namespace}/{name} asks to be "
                            f"mirrored to MirrorDestination {wanted!r}, "
                            "which does not exist; it is not mirrored until it is created",
                        )
                    )
            elif outcome.receiver is not None and outcome.configuration is not None:
                if is_self_mirror(
                    outcome.receiver,
                    namespace=namespace,
                    pod=name,
                    interface=interface.name,
                    uid=uid,
                ):
                    notices.append(
                        Notice(
                            WARNING,
                            "SelfMirroring",
                            f"interface {interface.name} of pod {namespace}/{name} is the "
                            f"analyzer interface of MirrorDestination {wanted!r} "
                            "and cannot be mirrored to itself; it is not mirrored",
                        )
                    )
                else:
                    configuration = outcome.configuration
            vmi = matched.get(interface.name)
            if vmi is not None:
                desired[object_key(vmi)] = (wanted, configuration)
        return desired
