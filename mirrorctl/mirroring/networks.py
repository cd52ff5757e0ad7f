"""The Multus ``k8s.v1.cni.cncf.io/networks`` pod annotation: JSON list or short comma form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from mirrorctl.mirroring.errors import AnnotationError
from mirrorctl.mirroring.keys import NETWORKS
from mirrorctl.mirroring.names import check_interface_name, check_object_name
from mirrorctl.mirroring.quoting import shown

__all__ = ["MAX_NETWORKS", "NetworkSelection", "parse_networks"]

# Far above any real pod's count, yet it bounds the work a pod's author can make every
# event of that pod cost (the annotation alone may hold 256 KiB of entries).
MAX_NETWORKS = 64


@dataclass(frozen=True, slots=True)
class NetworkSelection:
    """One secondary network of a pod, as its ``networks`` entry asks for it."""

    name: str
    namespace: str  # the pod's namespace when the entry names none
    interface: str | None = None  # None: named by position
    cni_args: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


def _error(message: str) -> AnnotationError:
    return AnnotationError(f"annotation {NETWORKS}: {message}")


def _checked_name(value: str, what: str) -> str:
    try:
        return check_object_name(value, what=what)
    except ValueError as err:
        raise _error(str(err)) from None


def _checked_interface(value: str, what: str) -> str:
    try:
        return check_interface_name(value, what=what)
    except ValueError as err:
        raise _error(str(err)) from None


def _from_json_entry(position: int, entry: object, pod_namespace: str) -> NetworkSelection:
    where = f"entry {position}"
    if not isinstance(entry, Mapping):
        raise _error(f"{where} must be an object with a 'name', got {type(entry).__name__}")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise _error(f"{where} has no 'name' (the NetworkAttachmentDefinition to attach)")
    namespace = entry.get("namespace", pod_namespace)
    if not isinstance(namespace, str) or not namespace:
        raise _error(f"{where}: 'namespace' must be a non-empty string")
    interface = entry.get("interface")
    if interface is not None and not isinstance(interface, str):
        raise _error(f"{where}: 'interface' must be a string")
    cni_args = entry.get("cni-args", {})
    if cni_args is None:
        cni_args = {}
    if not isinstance(cni_args, Mapping):
        raise _error(f"{where}: 'cni-args' must be an object")
    return NetworkSelection(
        name=_checked_name(name, f"{where} network name"),
        namespace=_checked_name(namespace, f"{where} namespace"),
        interface=_checked_interface(interface, f"{where} interface") if interface else None,
        cni_args=dict(cni_args),
    )


def _from_short_entry(position: int, text: str, pod_namespace: str) -> NetworkSelection:
    where = f"entry {position} ({shown(text)})"
    namespace, slash, rest = text.partition("/")
    if not slash:
        namespace, rest = pod_namespace, text
    name, at, interface = rest.partition("@")
    if not name or (at and not interface) or "/" in rest:
        raise _error(f"{where} must look like 'network', 'namespace/network' or 'network@eth1'")
    return NetworkSelection(
        name=_checked_name(name, f"{where} network name"),
        namespace=_checked_name(namespace, f"{where} namespace"),
        interface=_checked_interface(interface, f"{where} interface") if at else None,
    )


def parse_networks(value: str, pod_namespace: str) -> tuple[NetworkSelection, ...]:
    """The pod's secondary networks in annotation order. Raises AnnotationError."""
    text = value.strip()
    if not text:
        return ()
    if text.startswith(("[", "{")):
        try:
            entries = orjson.loads(text)
        except orjson.JSONDecodeError as err:
            raise _error(f"is not valid JSON ({err})") from None
        if not isinstance(entries, list):
            raise _error('must be a JSON list of network selections, e.g. [{"name": "net1"}]')
        _check_count(len(entries))
        return tuple(
            _from_json_entry(i, entry, pod_namespace) for i, entry in enumerate(entries, start=1)
        )
    items = text.split(",", MAX_NETWORKS)
    _check_count(len(items) if len(items) <= MAX_NETWORKS else text.count(",") + 1)
    return tuple(
        _from_short_entry(i, item.strip(), pod_namespace) for i, item in enumerate(items, start=1)
    )


def _check_count(count: int) -> None:
    if count > MAX_NETWORKS:
        raise _error(f"lists {count} networks; mirrorctl reads at most {MAX_NETWORKS}")
