"""Facts about raw pods that mirroring depends on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["created_at", "is_live_pod", "pod_identity"]

_FINISHED = ("Succeeded", "Failed")


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, (dict, Mapping)) else {}


def pod_identity(pod: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """(namespace, name, uid) of a raw pod; namespace defaults to ``default``."""
    meta = _mapping(pod.get("metadata"))
    namespace = meta.get("namespace")
    name = meta.get("name")
    uid = meta.get("uid")
    return (
        namespace if isinstance(namespace, str) and namespace else "default",
        name if isinstance(name, str) else "",
        uid if isinstance(uid, str) and uid else None,
    )


def created_at(obj: Mapping[str, Any]) -> str:
    """creationTimestamp (RFC 3339 UTC, so it sorts as text); objects without one sort last."""
    created = _mapping(obj.get("metadata")).get("creationTimestamp")
    return created if isinstance(created, str) and created else "~"


def is_live_pod(pod: Mapping[str, Any]) -> bool:
    """A pod that has (or will have) VMIs: not host-network, not being deleted, not finished."""
    meta = _mapping(pod.get("metadata"))
    if meta.get("deletionTimestamp"):
        return False
    if _mapping(pod.get("spec")).get("hostNetwork") is True:
        return False
    return _mapping(pod.get("status")).get("phase") not in _FINISHED
