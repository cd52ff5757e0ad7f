"""Update filters of the mirroring watches. Resyncs (``old is new``) always pass: a resync
exists to reconcile everything again."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.mirroring.keys import ANALYZER_POD
from mirrorctl.mirroring.pods import is_live_pod
from mirrorctl.predicate.funcs import Funcs
from mirrorctl.predicate.interface import Object

__all__ = ["counted_pod_changes", "destination_changes", "pod_changes"]


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


def _counted(pod: Object) -> tuple[bool, tuple[tuple[str, str | None], ...]]:
    """What a MirrorDestination's source count reads of a pod that is no analyzer."""
    requests = pod_interfaces(pod).mirror_requests
    return is_live_pod(pod), tuple((i.name, i.mirror_destination) for i in requests)


def counted_pod_changes(present: Callable[[Object], Object]) -> Funcs:
    """Pod updates for the MirrorDestination controller: those of an analyzer pod (labelled
    ``analyzer-pod`` before or after) as `pod_changes`; of any other pod, only those that
    change what its destinations count (its liveness, its interfaces' requests). A source
    pod's other labels and annotations would otherwise have its destination count every
    source again. ``present`` gives the pod its default label and annotation keys."""

    def changed(raw_old: Object, raw_new: Object) -> bool:
        if raw_old is raw_new:
            return True
        old, new = present(raw_old), present(raw_new)
        if ANALYZER_POD in (_get(old, "metadata", "labels") or {}) or ANALYZER_POD in (
            _get(new, "metadata", "labels") or {}
        ):
            return _pod_changed(old, new)
        return _counted(old) != _counted(new)

    return Funcs(on_update=changed)
