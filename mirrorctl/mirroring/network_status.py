"""The Multus ``k8s.v1.cni.cncf.io/network-status`` pod annotation (what the CNI attached)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import orjson

from mirrorctl.mirroring.errors import AnnotationError
from mirrorctl.mirroring.keys import NETWORK_STATUS
from mirrorctl.mirroring.networks import MAX_NETWORKS

__all__ = ["MAX_STATUS_ENTRIES", "NetworkStatusEntry", "parse_network_status"]

# One entry per interface: the default one and at most MAX_NETWORKS secondaries (a pod's author
# can write this annotation too, and each interface looks its entry up).
MAX_STATUS_ENTRIES = MAX_NETWORKS + 1


@dataclass(frozen=True, slots=True)
class NetworkStatusEntry:
    name: str
    interface: str | None
    ips: tuple[str, ...]  # as written; callers validate before use
    mac: str | None
    default: bool


def _error(message: str) -> AnnotationError:
    return AnnotationError(f"annotation {NETWORK_STATUS}: {message}")


def _optional_str(entry: Mapping[str, object], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _error(f"{where}: {key!r} must be a string")
    return value


def _entry(position: int, entry: object) -> NetworkStatusEntry:
    where = f"entry {position}"
    if not isinstance(entry, Mapping):
        raise _error(f"{where} must be an object, got {type(entry).__name__}")
    ips = entry.get("ips", [])
    if ips is None:
        ips = []
    if not isinstance(ips, list) or not all(isinstance(ip, str) for ip in ips):
        raise _error(f"{where}: 'ips' must be a list of strings")
    default = entry.get("default", False)
    if not isinstance(default, bool):
        raise _error(f"{where}: 'default' must be true or false")
    return NetworkStatusEntry(
        name=_optional_str(entry, "name", where) or "",
        interface=_optional_str(entry, "interface", where),
        ips=tuple(ips),
        mac=_optional_str(entry, "mac", where),
        default=default,
    )


def parse_network_status(value: str) -> tuple[NetworkStatusEntry, ...]:
    """Raises AnnotationError when the annotation is not a JSON list of status objects."""
    text = value.strip()
    if not text:
        return ()
    try:
        entries = orjson.loads(text)
    except orjson.JSONDecodeError as err:
        raise _error(f"is not valid JSON ({err})") from None
    if not isinstance(entries, list):
        raise _error("must be a JSON list")
    if len(entries) > MAX_STATUS_ENTRIES:
        raise _error(f"has {len(entries)} entries; mirrorctl reads at most {MAX_STATUS_ENTRIES}")
    return tuple(_entry(i, e) for i, e in enumerate(entries, start=1))
