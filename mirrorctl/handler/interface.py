"""What a handler maps events to, and the one queue method it needs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from mirrorctl.predicate.interface import Object
from mirrorctl.reconcile.request import Request

__all__ = ["EventHandler", "RequestQueue"]


class EventHandler(Protocol):
    """Maps one informer event to the requests it should trigger.

    Handlers only decide *which* keys; whether an event is seen at all (predicates) and with
    which priority it is queued are decided once, by ``QueueingHandler``. Deletes always
    carry an object: a tombstone is unwrapped to its last known state first.
    """

    def create(self, obj: Object) -> Iterable[Request]: ...

    def update(self, old: Object, new: Object) -> Iterable[Request]: ...

    def delete(self, obj: Object) -> Iterable[Request]: ...


class RequestQueue(Protocol):
    """The part of a work queue that event handlers use."""

    def add(self, item: Request, *, priority: int = 0) -> None: ...
