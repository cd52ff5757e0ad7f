"""Cache transforms that keep only what mirroring reads of each kind.

A source costs the cache a pod and a VMI; cached whole (less managedFields) they are about
8 KB of Python objects, most of it pod spec and Contrail spec the reconcilers never look at.
The fields kept here are the ones `mirrorctl.mirroring` reads (its readers are the only place
that looks into spec and status); the reconciler tests run against trimmed objects too, so a
reader that starts to look at a new field fails them until it is listed.

Opt-in (``MirroringSettings(trim_cache=True)``): the cache is the manager's, and another
controller in the same program may read what mirroring does not.
Values that repeat across objects are kept once (`ValuePool`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import PODS
from mirrorctl.mirroring.resources import ContrailResources
from mirrorctl.reconcilers.sharing import ValuePool

__all__ = ["METADATA", "kept_fields", "trimmer"]

METADATA = (
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "labels",
    "annotations",
)

_Sections = Mapping[str, tuple[str, ...]]
# An informer transform (`mirrorctl.informers.Transform`), spelled out: the reconcilers do not
# import the informers.
_Transform = Callable[[dict[str, Any]], dict[str, Any]]


def kept_fields(res: Resource, resources: ContrailResources) -> _Sections | None:
    """spec/status fields kept per kind; None keeps the object whole (MirrorDestinations:
    few, and their status is compared in full)."""
    if res == PODS:
        return {"spec": ("hostNetwork",), "status": ("phase",)}
    # fqName: the status references to the receiver's VM, VMI and InstanceIP carry it.
    if res == resources.virtual_machine_interfaces:
        return {
            "spec": (
                "fqName",
                "virtualMachineInterfaceMacAddresses",
                "virtualNetworkReference",
                "virtualMachineReferences",
            ),
            "status": ("routingInstanceReferences",),
        }
    if res == resources.instance_ips:
        return {
            "spec": (
                "fqName",
                "instanceIPAddress",
                "instanceIPFamily",
                "virtualMachineInterfaceReferences",
            )
        }
    if res == resources.virtual_machines:
        return {"spec": ("fqName",)}
    return None


def _pick(
    source: object, names: tuple[str, ...], pool: ValuePool, owner: object
) -> dict[str, Any] | None:
    if not isinstance(source, Mapping):
        return None
    return {n: pool.share(source[n], owner) for n in names if n in source}


def _metadata(metadata: Mapping[str, Any], pool: ValuePool, owner: object) -> dict[str, Any]:
    kept = {n: metadata[n] for n in METADATA if n in metadata}
    for section in ("labels", "annotations"):
        values = kept.get(section)
        if isinstance(values, Mapping):
            # Label and annotation maps differ per object (names, uids, network status), so
            # only their values are pooled, not the maps.
            text = pool.text
            kept[section] = {k: text(v, owner) if type(v) is str else v for k, v in values.items()}
    return kept


def trimmer(sections: _Sections, pool: ValuePool | None = None) -> _Transform:
    """A transform keeping `METADATA`, and of spec and status only the fields named, with
    repeated values shared through ``pool`` (give the trimmers of all kinds one pool)."""
    values = pool if pool is not None else ValuePool()

    def trim(obj: dict[str, Any]) -> dict[str, Any]:
        metadata = obj.get("metadata")
        trimmed: dict[str, Any] = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind")}
        owner = None
        if isinstance(metadata, Mapping):
            owner = metadata.get("uid")
            trimmed["metadata"] = _metadata(metadata, values, owner)
        for section, names in sections.items():
            picked = _pick(obj.get(section), names, values, owner)
            if picked:
                trimmed[section] = picked
        return trimmed

    return trim
