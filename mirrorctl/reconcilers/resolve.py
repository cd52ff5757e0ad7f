"""A MirrorDestination's receiver, resolved from what the cache holds right now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mirrorctl.mirroring.destination import MirrorDestination, parse_mirror_destination
from mirrorctl.mirroring.errors import SpecError
from mirrorctl.mirroring.pods import pod_identity
from mirrorctl.mirroring.resolution import (
    Receiver,
    Resolution,
    Resolved,
    Unresolved,
    resolve_receiver,
)
from mirrorctl.reconcilers.view import MirroringView, object_key

__all__ = ["DestinationOutcome", "resolve_destination"]


@dataclass(frozen=True, slots=True)
class DestinationOutcome:
    destination: MirrorDestination | None  # None when the object is invalid
    resolution: Resolution

    @property
    def receiver(self) -> Receiver | None:
        """Where the sources send copies; None unless valid and resolved."""
        return self.resolution.receiver if isinstance(self.resolution, Resolved) else None


def resolve_destination(
    view: MirroringView, obj: dict[str, Any], *, cluster_name: str | None = None
) -> DestinationOutcome:
    """Validate the MirrorDestination ``obj`` and resolve its receiver. Reads only what the
    indexes lead to: the pods its selector matches and their VMs, VMIs and InstanceIPs."""
    try:
        destination = parse_mirror_destination(obj)
    except SpecError as err:
        return DestinationOutcome(None, Unresolved.from_error(err))
    pods: list[dict[str, Any]] = []
    vms: list[dict[str, Any]] = []
    vmis: list[dict[str, Any]] = []
    instance_ips: dict[str, dict[str, Any]] = {}
    if not destination.spec.external_analyzer and destination.selector is not None:
        pods = view.analyzer_pods(destination.selector)
        for pod in pods:
            namespace, name, _ = pod_identity(pod)
            vms.extend(view.machines_of_pod(namespace, name))
            vmis.extend(view.interfaces_of_pod(namespace, name))
        for vmi in vmis:
            for iip in view.instance_ips_of(vmi):
                instance_ips.setdefault(object_key(iip), iip)
    resolution = resolve_receiver(
        destination,
        pods=pods,
        vmis=vmis,
        instance_ips=instance_ips.values(),
        vms=vms,
        cluster_name=cluster_name,
    )
    return DestinationOutcome(destination, resolution)
