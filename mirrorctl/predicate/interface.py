"""The predicate interface: which events are worth enqueueing at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeAlias

__all__ = ["Object", "Predicate"]

Object: TypeAlias = Mapping[str, Any]


class Predicate(Protocol):
    """Decides per event whether handlers see it; deletes carry the last known state.

    Predicates are pure and synchronous: they run inside the informer's dispatch.
    """

    def create(self, obj: Object) -> bool: ...

    def update(self, old: Object, new: Object) -> bool: ...

    def delete(self, obj: Object) -> bool: ...
