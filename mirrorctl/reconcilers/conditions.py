"""Conditions other controllers keep on a MirrorDestination survive mirrorctl's status writes.

The CRD's ``status.conditions`` is an atomic list, so a merge patch that sets it replaces the
whole list: the list mirrorctl sends must carry every foreign condition as it found it, and the
write must fail (409) rather than drop one added since the cache saw the object.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["with_foreign_conditions"]


def _type(condition: object) -> object:
    return condition.get("type") if isinstance(condition, Mapping) else None


def with_foreign_conditions(
    current: Mapping[str, Any], desired: dict[str, Any], own_types: Iterable[str]
) -> tuple[dict[str, Any], bool]:
    """``desired`` with the conditions of ``current`` whose type is not in ``own_types`` kept
    where they were (ours replace ours in place, new ones go last), and whether any were
    kept: a write that replaces the list then needs the object's resourceVersion."""
    stored = current.get("conditions")
    if not isinstance(stored, list):
        return desired, False
    owned = set(own_types)
    ours = {c["type"]: c for c in desired.get("conditions", ())}
    merged: list[Any] = []
    foreign = False
    for condition in stored:
        kind = _type(condition)
        if isinstance(kind, str) and kind in owned:
            if kind in ours:
                merged.append(ours.pop(kind))
        else:
            merged.append(condition)
            foreign = True
    if not foreign:
        return desired, False
    merged.extend(ours.values())
    return {**desired, "conditions": merged}, True
