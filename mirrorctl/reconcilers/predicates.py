"""Update filters of the mirroring watches. Resyncs (``old is new``) always pass: a resync
exists to reconcile everything again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.predicate.funcs import Funcs
from mirrorctl.predicate.interface import Object

__all__ = ["destination_changes", "pod_changes"]


def _get(obj: Object, *path: str) -> Any:
    value: Any = obj
    for part in path:
        value = value.get(part) if isinstance(value, (dict, Mapping)) else None
    return value


def _pod_changed(old: Object, new: Object) -> bool:
    """What mirroring reads of a pod: labels, annotations, being deleted, its phase (finished
    pods are no analyzers) and hostNetwork. Status heartbeats do not count."""
    if old is new:
        return True
    return any(
        (_get(old, *path) or None) != (_get(new, *path) or None)
        for path in (
            ("metadata", "labels"),
            ("metadata", "annotations"),
            ("metadata", "deletionTimestamp"),
            ("metadata", "uid"),
            ("status", "phase"),
            ("spec", "hostNetwork"),
        )
    )


def _destination_changed(old: Object, new: Object) -> bool:
    """The spec (generation) or labels of a MirrorDestination, not the status we write."""
    if old is new:
        return True
    return _get(old, "metadata", "generation") != _get(new, "metadata", "generation") or (
        _get(old, "metadata", "labels") or None
    ) != (_get(new, "metadata", "labels") or None)


pod_changes = Funcs(on_update=_pod_changed)
destination_changes = Funcs(on_update=_destination_changed)
