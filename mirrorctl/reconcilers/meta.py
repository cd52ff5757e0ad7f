"""Total reads of the few raw-object facts every reconciler checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["host_network", "is_deleting", "labels", "section"]


def section(obj: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """``metadata.<name>`` (labels, annotations) as a mapping; empty when absent or malformed."""
    metadata = obj.get("metadata")
    found = metadata.get(name) if isinstance(metadata, (dict, Mapping)) else None
    return found if isinstance(found, (dict, Mapping)) else {}


def labels(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return section(obj, "labels")


def is_deleting(obj: Mapping[str, Any]) -> bool:
    """Being deleted: writing to it would only race its removal."""
    metadata = obj.get("metadata")
    return isinstance(metadata, (dict, Mapping)) and bool(metadata.get("deletionTimestamp"))


def host_network(pod: Mapping[str, Any]) -> bool:
    """A host-network pod has no VMI of its own: mirroring ignores it."""
    spec = pod.get("spec")
    return isinstance(spec, (dict, Mapping)) and spec.get("hostNetwork") is True
