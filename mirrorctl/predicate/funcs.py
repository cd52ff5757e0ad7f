"""Predicates built from plain functions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mirrorctl.predicate.interface import Object

__all__ = ["Funcs", "from_filter"]


@dataclass(frozen=True, slots=True)
class Funcs:
    """A predicate with one optional function per event kind; a missing one lets events pass."""

    on_create: Callable[[Object], bool] | None = None
    on_update: Callable[[Object, Object], bool] | None = None
    on_delete: Callable[[Object], bool] | None = None

    def create(self, obj: Object) -> bool:
        return self.on_create is None or self.on_create(obj)

    def update(self, old: Object, new: Object) -> bool:
        return self.on_update is None or self.on_update(old, new)

    def delete(self, obj: Object) -> bool:
        return self.on_delete is None or self.on_delete(obj)


def from_filter(keep: Callable[[Object], bool]) -> Funcs:
    """A predicate applying one object filter to every event (the new object on updates)."""
    return Funcs(on_create=keep, on_update=lambda _old, new: keep(new), on_delete=keep)
