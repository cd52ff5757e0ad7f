"""JSON merge patches (RFC 7386): the one taking one JSON object to another, and applying one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["apply_merge_patch", "merge_patch"]

_MISSING = object()


def merge_patch(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The smallest merge patch taking ``old`` to ``new``: removed keys become null, nested
    objects are patched key by key, anything else is replaced whole. ``new`` must hold no
    nulls (a merge patch cannot set one). Empty when they are equal."""
    patch: dict[str, Any] = {key: None for key in old if key not in new}
    for key, value in new.items():
        before = old.get(key, _MISSING)
        if isinstance(value, Mapping) and isinstance(before, Mapping):
            nested = merge_patch(before, value)
            if nested:
                patch[key] = nested
        elif before is _MISSING or before != value:
            patch[key] = value
    return patch


def apply_merge_patch(target: object, patch: object) -> Any:
    """``patch`` applied to ``target``, as the apiserver applies it; neither is changed, and
    the result shares the values they hold."""
    if not isinstance(patch, Mapping):
        return patch
    merged = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = apply_merge_patch(merged.get(key), value)
    return merged
