"""The mirroring decisions the baselines share with mirrorctl (its pure domain functions), so
that all three write byte-identical VMI metadata and differ only in their machinery.

The baselines cover the fan-out B7 measures: MirrorDestinations with an external analyzer,
source pods asking for mirroring of their default interface (eth0) by annotation, and each
pod's eth0 VMI found by kube-manager's pod annotations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.mirroring import keys
from mirrorctl.mirroring.configuration import MirroringConfiguration
from mirrorctl.mirroring.configure import build_configuration
from mirrorctl.mirroring.destination import parse_mirror_destination
from mirrorctl.mirroring.errors import SpecError
from mirrorctl.mirroring.patches import source_vmi_patch
from mirrorctl.mirroring.resolution import Resolved, resolve_receiver

__all__ = ["DEFAULT_INTERFACE", "destination_configuration", "owner_pod", "vmi_patch"]

DEFAULT_INTERFACE = "eth0"


def destination_configuration(md: Mapping[str, Any]) -> MirroringConfiguration | None:
    """The configuration every source of ``md`` gets; None if it is invalid or unresolved."""
    try:
        destination = parse_mirror_destination(md)
    except SpecError:
        return None
    resolution = resolve_receiver(destination, pods=(), vmis=(), instance_ips=())
    if not isinstance(resolution, Resolved):
        return None
    return build_configuration(destination, resolution.receiver)


def owner_pod(annotations: Mapping[str, Any]) -> tuple[str, str] | None:
    """(namespace, name) of the pod kube-manager made a VMI for."""
    namespace = annotations.get(keys.KUBE_MANAGER_POD_NAMESPACE)
    name = annotations.get(keys.KUBE_MANAGER_POD_NAME)
    if isinstance(namespace, str) and isinstance(name, str):
        return namespace, name
    return None


def vmi_patch(
    labels: Mapping[str, Any] | None,
    annotations: Mapping[str, Any] | None,
    destination: str | None,
    configuration: MirroringConfiguration | None,
) -> dict[str, Any] | None:
    """The merge patch taking a VMI with these labels and annotations to the destination's
    configuration (None: nothing to write)."""
    if (annotations or {}).get(keys.VMI_INTERFACE) != DEFAULT_INTERFACE:
        return None
    vmi = {"metadata": {"labels": dict(labels or {}), "annotations": dict(annotations or {})}}
    return source_vmi_patch(vmi, destination, configuration)
