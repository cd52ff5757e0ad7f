"""Enqueue whatever a function maps the object to."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mirrorctl.predicate.interface import Object
from mirrorctl.reconcile.request import Request

__all__ = ["EnqueueRequestsFromMapFunc", "MapFunc"]

MapFunc = Callable[[Object], Iterable[Request]]


@dataclass(frozen=True, slots=True)
class EnqueueRequestsFromMapFunc:
    """Maps objects of a watched kind to requests of the controller's kind.

    On updates both the old and the new object are mapped, so that a request that the
    change removed (an object moved from one target to another) is reconciled as well.
    The function must be quick and must not block: it runs inside informer dispatch.
    """

    fn: MapFunc

    def create(self, obj: Object) -> tuple[Request, ...]:
        return tuple(dict.fromkeys(self.fn(obj)))

    def update(self, old: Object, new: Object) -> tuple[Request, ...]:
        return tuple(dict.fromkeys([*self.fn(old), *self.fn(new)]))

    def delete(self, obj: Object) -> tuple[Request, ...]:
        return tuple(dict.fromkeys(self.fn(obj)))
