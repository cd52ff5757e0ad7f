"""The bridge from an informer's events to a controller's queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from structlog.typing import FilteringBoundLogger

from mirrorctl.handler.interface import EventHandler, RequestQueue
from mirrorctl.informers.tombstone import DeletedFinalStateUnknown
from mirrorctl.predicate.interface import Object, Predicate
from mirrorctl.queue.interface import LOW_PRIORITY
from mirrorctl.reconcile.request import Request

__all__ = ["NORMAL_PRIORITY", "QueueingHandler"]

NORMAL_PRIORITY = 0


def _resource_version(obj: Object) -> object:
    return (obj.get("metadata") or {}).get("resourceVersion")


@dataclass(frozen=True, slots=True)
class QueueingHandler:
    """An informer ``ResourceEventHandler`` that filters, maps and enqueues.

    Events that tell nothing new, the initial list and resyncs of unchanged objects, are
    queued with ``LOW_PRIORITY`` so that after a restart or a relist the keys that really
    changed are reconciled first. A handler or predicate that raises is logged and the event
    dropped: one bad mapping function must not stop the informer delivering to others.
    """

    handler: EventHandler
    queue: RequestQueue
    predicates: tuple[Predicate, ...] = ()
    logger: FilteringBoundLogger = field(
        default_factory=lambda: structlog.get_logger("mirrorctl.handler")
    )

    def on_add(self, obj: dict[str, Any], is_initial_list: bool) -> None:
        try:
            for predicate in self.predicates:
                if not predicate.create(obj):
                    return
            priority = LOW_PRIORITY if is_initial_list else NORMAL_PRIORITY
            self._enqueue(self.handler.create(obj), priority)
        except Exception:
            self._failed("add", obj)

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        # Called for every event by every controller watching the kind: written out rather
        # than through closures, which cost as much as a cheap predicate.
        try:
            for predicate in self.predicates:
                if not predicate.update(old, new):
                    return
            unchanged = old is new or _resource_version(old) == _resource_version(new)
            priority = LOW_PRIORITY if unchanged else NORMAL_PRIORITY
            self._enqueue(self.handler.update(old, new), priority)
        except Exception:
            self._failed("update", new)

    def on_delete(self, obj: dict[str, Any] | DeletedFinalStateUnknown) -> None:
        final = obj.obj if isinstance(obj, DeletedFinalStateUnknown) else obj
        try:
            for predicate in self.predicates:
                if not predicate.delete(final):
                    return
            self._enqueue(self.handler.delete(final), NORMAL_PRIORITY)
        except Exception:
            self._failed("delete", final)

    def _enqueue(self, requests: Iterable[Request], priority: int) -> None:
        add = self.queue.add
        for request in requests:
            add(request, priority=priority)

    def _failed(self, event: str, obj: Object) -> None:
        metadata = obj.get("metadata") or {}
        self.logger.exception(
            "event handler failed; event dropped",
            event_kind=event,
            namespace=metadata.get("namespace"),
            name=metadata.get("name"),
        )
