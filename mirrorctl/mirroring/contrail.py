"""Reading the fields mirroring needs out of raw CN2 objects, with their faults made explicit.

Each reader returns None when a value is simply not there yet (CN2 fills it in later) and raises
ContrailDataError when a value is present but unusable (someone must fix it).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mirrorctl.mirroring.addresses import ip_family, normalize_ip, normalize_mac
from mirrorctl.mirroring.errors import ContrailDataError
from mirrorctl.mirroring.keys import (
    KUBE_MANAGER_POD_CLUSTER_NAME,
    KUBE_MANAGER_POD_NAME,
    KUBE_MANAGER_POD_NAMESPACE,
    VMI_INDEX,
    VMI_INTERFACE,
)
from mirrorctl.mirroring.quoting import shown

__all__ = [
    "FQ_NAME_MAX",
    "InstanceAddress",
    "VmiSlot",
    "describe",
    "fq_name_text",
    "instance_ip_address",
    "kube_manager_pod",
    "references",
    "vmi_mac",
    "vmi_routing_instance",
    "vmi_slot",
]

FQ_NAME_MAX = 1024  # far above any real FQ name; guards the annotation against runaway data
_INDEX = re.compile(r"\s*(\d{1,4})\s*/\s*(\d{1,4})\s*")


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, (dict, Mapping)) else {}


def _metadata(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return _mapping(obj.get("metadata"))


def describe(obj: Mapping[str, Any]) -> str:
    """``VirtualMachineInterface ns/name`` for messages."""
    meta = _metadata(obj)
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else "object"
    name = meta.get("name", "?")
    namespace = meta.get("namespace")
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def vmi_mac(vmi: Mapping[str, Any]) -> str | None:
    """The interface's MAC (element 0 of macAddress), normalised."""
    spec = _mapping(vmi.get("spec"))
    macs = _mapping(spec.get("virtualMachineInterfaceMacAddresses")).get("macAddress")
    if macs is None or macs == []:
        return None
    if not isinstance(macs, list):
        raise ContrailDataError(
            f"{describe(vmi)}: spec.virtualMachineInterfaceMacAddresses.macAddress must be a list"
        )
    try:
        return normalize_mac(macs[0])
    except ValueError as err:
        raise ContrailDataError(
            f"{describe(vmi)}: spec.virtualMachineInterfaceMacAddresses.macAddress[0]: {err}"
        ) from None


def fq_name_text(parts: object, *, where: str) -> str:
    """An FQ name joined with ':'; ContrailDataError unless a non-empty list of clean strings."""
    if not isinstance(parts, list) or not parts:
        raise ContrailDataError(f"{where}: fqName must be a non-empty list of names")
    for part in parts:
        if not isinstance(part, str) or not part.strip() or ":" in part or part != part.strip():
            raise ContrailDataError(
                f"{where}: fqName element {shown(part)} is not a name (non-empty, without ':' or "
                "surrounding spaces)"
            )
    text = ":".join(parts)
    if len(text) > FQ_NAME_MAX:
        raise ContrailDataError(f"{where}: fqName is {len(text)} characters long")
    return text


def _primary_rank(fq_name: object, network_fq: object) -> int:
    """0 for the network's primary routing instance ([*network, <network name>]), 1 for
    another instance of the network, 2 for anything else."""
    if not isinstance(fq_name, list) or not isinstance(network_fq, list) or not network_fq:
        return 2
    if fq_name[:-1] != network_fq:
        return 2
    return 0 if fq_name[-1] == network_fq[-1] else 1


def vmi_routing_instance(vmi: Mapping[str, Any]) -> str | None:
    """The FQ name of the interface's primary routing instance, joined with ':'.

    From status.routingInstanceReferences (the one named after the network if several), else
    the network's FQ name plus the network's name (a network's primary routing instance).
    """
    spec = _mapping(vmi.get("spec"))
    network = _mapping(spec.get("virtualNetworkReference"))
    network_fq = network.get("fqName")
    refs = _mapping(vmi.get("status")).get("routingInstanceReferences")
    if isinstance(refs, list) and refs:
        candidates = [_mapping(r).get("fqName") for r in refs]
        # Rather the network's instance named after it, then another of the network's (the
        # first of equals).
        primary = min(candidates, key=lambda c: _primary_rank(c, network_fq))
        return fq_name_text(primary, where=f"{describe(vmi)}: status.routingInstanceReferences")
    if network_fq is None:
        return None
    where = f"{describe(vmi)}: spec.virtualNetworkReference"
    text = fq_name_text(network_fq, where=where)
    name = network.get("name")
    network_name = name if isinstance(name, str) and name else text.rsplit(":", 1)[-1]
    return fq_name_text([*text.split(":"), network_name], where=where)


@dataclass(frozen=True, slots=True)
class InstanceAddress:
    address: str
    family: str  # "v4" | "v6"


def instance_ip_address(iip: Mapping[str, Any]) -> InstanceAddress | None:
    """The InstanceIP's address, normalised; the family is checked against the address."""
    spec = _mapping(iip.get("spec"))
    raw = spec.get("instanceIPAddress")
    if raw is None or raw == "":
        return None
    try:
        address = normalize_ip(raw)
    except ValueError as err:
        raise ContrailDataError(f"{describe(iip)}: spec.instanceIPAddress: {err}") from None
    family = ip_family(address)
    declared = spec.get("instanceIPFamily")
    if declared not in (None, "", family):
        raise ContrailDataError(
            f"{describe(iip)}: spec.instanceIPFamily is {shown(declared)} but {address} is {family}"
        )
    return InstanceAddress(address, family)


def references(refs: object, target: Mapping[str, Any]) -> bool:
    """Whether a list of references names ``target`` (by uid, else by namespace and name)."""
    if not isinstance(refs, Sequence) or isinstance(refs, str):
        return False
    meta = _metadata(target)
    uid, name, namespace = meta.get("uid"), meta.get("name"), meta.get("namespace")
    for raw in refs:
        ref = _mapping(raw)
        if uid and ref.get("uid"):
            if ref.get("uid") == uid:
                return True
            continue
        if ref.get("name") == name and ref.get("namespace", namespace) == namespace:
            return True
    return False


def kube_manager_pod(
    obj: Mapping[str, Any], cluster_name: str | None = None
) -> tuple[str, str] | None:
    """(namespace, name) of the pod kube-manager made ``obj`` for, from its annotations."""
    if not isinstance(obj, (dict, Mapping)):
        return None
    annotations = _mapping(_metadata(obj).get("annotations"))
    name = annotations.get(KUBE_MANAGER_POD_NAME)
    namespace = annotations.get(KUBE_MANAGER_POD_NAMESPACE)
    if not isinstance(name, str) or not isinstance(namespace, str) or not name or not namespace:
        return None
    if cluster_name is not None and annotations.get(KUBE_MANAGER_POD_CLUSTER_NAME) not in (
        None,
        cluster_name,
    ):
        return None
    return namespace, name


@dataclass(frozen=True, slots=True)
class VmiSlot:
    interface: str | None  # the ``interface`` annotation
    index: int | None  # the position of the ``index`` annotation ("position/total")


def vmi_slot(vmi: Mapping[str, Any]) -> VmiSlot:
    """Which of its pod's interfaces a VMI is; ContrailDataError on a malformed annotation."""
    annotations = _mapping(_metadata(vmi).get("annotations"))
    interface = annotations.get(VMI_INTERFACE)
    raw_index = annotations.get(VMI_INDEX)
    if (interface is None or isinstance(interface, str)) and (
        raw_index is None or isinstance(raw_index, str)
    ):
        # Cached only when short: an object's author may write 256 KiB into either.
        size = len(interface or "") + len(raw_index or "")
        slot = (_slot if size <= _SLOT_CACHED_MAX else _slot.__wrapped__)(interface, raw_index)
        if slot is not None:
            return slot
    if raw_index is not None and (not isinstance(raw_index, str) or _position(raw_index) is None):
        raise ContrailDataError(
            f"{describe(vmi)}: annotation {VMI_INDEX}={shown(raw_index)} is not "
            "'position/total' with position < total (e.g. '0/1')"
        )
    raise ContrailDataError(
        f"{describe(vmi)}: annotation {VMI_INTERFACE}={shown(interface)} is not an interface name"
    )


_SLOT_CACHED_MAX = 256  # characters of the two values: the cache holds at most 256 KiB


# Every source VMI carries the same two values (its pod's first interface): parsed once.
@functools.lru_cache(maxsize=1024)
def _slot(interface: str | None, raw_index: str | None) -> VmiSlot | None:
    """The slot the two annotation values name; None if either is malformed."""
    index = None if raw_index is None else _position(raw_index)
    if (raw_index is not None and index is None) or (
        interface is not None and not interface.strip()
    ):
        return None
    return VmiSlot(interface.strip() if interface is not None else None, index)


def _position(raw_index: str) -> int | None:
    """The position of a ``position/total`` index; None unless position < total."""
    match = _INDEX.fullmatch(raw_index)
    if match is None or int(match.group(1)) >= int(match.group(2)):
        return None
    return int(match.group(1))
