"""The JSON merge patch (RFC 7386) that turns one JSON object into another."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["merge_patch"]

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
