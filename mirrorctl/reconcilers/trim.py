"""Cache transforms that keep only what mirroring reads of each kind.

A source costs the cache a pod and a VMI; cached whole (less managedFields) they are about
8 KB of Python objects, most of it pod spec and Contrail spec the reconcilers never look at.
The fields kept here are the ones `mirrorctl.mirroring` reads (its readers are the only place
that looks into spec and status); the reconciler tests run against trimmed objects too, so a
reader that starts to look at a new field fails them until it is listed.

Opt-in (``MirroringSettings(trim_cache=True)``): the cache is the manager's, and another
controller in the same program may read what mirroring does not.
Values that repeat across objects are kept once (`ValuePool`). An update keeps the cached
version's values where they are unchanged: most updates (our own patches among them) change a
label or an annotation, and pooling the rest again costs more than comparing it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import PODS
from mirrorctl.mirroring.resources import ContrailResources
from mirrorctl.reconcilers.sharing import ValuePool

__all__ = ["METADATA", "Previous", "kept_fields", "trimmer"]

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
# The cached object under a cache key (``namespace/name`` or ``name``), if any.
Previous = Callable[[str], dict[str, Any] | None]
_ABSENT = object()
_NOTHING: Mapping[str, Any] = {}


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


def _section(obj: Mapping[str, Any] | None, name: str) -> Mapping[str, Any]:
    found = obj.get(name) if obj is not None else None
    return found if isinstance(found, dict) else _NOTHING


def _equal(kept: object, value: object) -> bool:
    try:
        return kept == value
    except RecursionError:
        # Nested too deep to compare (an author may nest 10,000 levels): taken as changed.
        return False


def _pick(
    source: object,
    names: tuple[str, ...],
    pool: ValuePool,
    owner: object,
    cached: Mapping[str, Any],
) -> dict[str, Any] | None:
    if not isinstance(source, (dict, Mapping)):
        return None
    share = pool.share
    picked: dict[str, Any] = {}
    for n in names:
        if n in source:
            value = source[n]
            kept = cached.get(n, _ABSENT)
            picked[n] = kept if _equal(kept, value) else share(value, owner)
    return picked


def _metadata(
    metadata: Mapping[str, Any], pool: ValuePool, owner: object, cached: Mapping[str, Any]
) -> dict[str, Any]:
    kept = {n: metadata[n] for n in METADATA if n in metadata}
    for section in ("labels", "annotations"):
        values = kept.get(section)
        if isinstance(values, (dict, Mapping)):
            before = _section(cached, section)
            if before and before == values:
                kept[section] = before  # the cached map is read-only: share it whole
                continue
            # Label and annotation maps differ per object (names, uids, network status), so
            # only their values are pooled, not the maps.
            text = pool.text
            unchanged = before.get
            shared: dict[str, Any] = {}
            for k, v in values.items():
                if type(v) is str:
                    was = unchanged(k)
                    v = was if was == v else text(v, owner)
                shared[k] = v
            kept[section] = shared
    return kept


def _cached_version(
    metadata: Mapping[str, Any], owner: object, previous: Previous | None
) -> dict[str, Any] | None:
    """The cached version of the object ``metadata`` describes, unless it is another object
    (a different uid) or there is none."""
    if previous is None:
        return None
    name = metadata.get("name")
    namespace = metadata.get("namespace")
    if type(name) is not str:
        return None
    cached = previous(f"{namespace}/{name}" if namespace else name)
    if cached is None or _section(cached, "metadata").get("uid") != owner:
        return None
    return cached


def trimmer(
    sections: _Sections, pool: ValuePool | None = None, *, previous: Previous | None = None
) -> _Transform:
    """A transform keeping `METADATA`, and of spec and status only the fields named, with
    repeated values shared through ``pool`` (give the trimmers of all kinds one pool).
    ``previous`` reads the cache the trimmed objects go to: values equal to the cached
    version's are taken from it rather than pooled again."""
    values = pool if pool is not None else ValuePool()

    def trim(obj: dict[str, Any]) -> dict[str, Any]:
        metadata = obj.get("metadata")
        trimmed: dict[str, Any] = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind")}
        owner = None
        cached = None
        if isinstance(metadata, (dict, Mapping)):
            owner = metadata.get("uid")
            cached = _cached_version(metadata, owner, previous)
            trimmed["metadata"] = _metadata(metadata, values, owner, _section(cached, "metadata"))
        for section, names in sections.items():
            picked = _pick(obj.get(section), names, values, owner, _section(cached, section))
            if picked:
                trimmed[section] = picked
        return trimmed

    return trim
