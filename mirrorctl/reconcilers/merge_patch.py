"""JSON merge patches (RFC 7386): the one taking one JSON object to another, and applying one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

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
    if not _is_mapping(patch):
        return patch
    merged = dict(cast(Mapping[str, Any], target)) if _is_mapping(target) else {}
    for key, value in cast(Mapping[str, Any], patch).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = apply_merge_patch(merged.get(key), value)
    return merged


def _is_mapping(value: object) -> bool:
    # A JSON object is nearly always a dict, and a value that is none a str: both are told
    # without the Mapping ABC's instance check, which is slow for anything not a Mapping.
    kind = type(value)
    if kind is dict:
        return True
    if kind is str or kind is int or kind is list or value is None or kind is bool:
        return False
    return isinstance(value, Mapping)
