"""Transforms applied to every object before it is cached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

__all__ = ["Transform", "chain", "strip_managed_fields"]

Transform: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
"""Takes a freshly parsed object (owned by the informer, so it may be edited in place) and
returns what to cache. It must be deterministic: relists compare cached objects by
resourceVersion only."""


def strip_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop `metadata.managedFields`: often the bulk of an object, and no reconciler reads it."""
    metadata = obj.get("metadata")
    if metadata is not None:
        metadata.pop("managedFields", None)
    return obj


def chain(*transforms: Transform) -> Transform:
    """One transform running the given ones in order."""
    if len(transforms) == 1:
        return transforms[0]

    def chained(obj: dict[str, Any]) -> dict[str, Any]:
        for transform in transforms:
            obj = transform(obj)
        return obj

    return chained
