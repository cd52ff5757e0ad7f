"""Applies list and watch results to the store, then fans the change out to handlers."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import structlog

from mirrorctl.gcpause import gc_paused
from mirrorctl.informers.handler import ResourceEventHandler
from mirrorctl.informers.keys import key_of
from mirrorctl.informers.store import Indexer
from mirrorctl.informers.tombstone import DeletedFinalStateUnknown
from mirrorctl.informers.transform import Transform
from mirrorctl.metrics.informer import BoundInformerMetrics

__all__ = ["CacheProcessor"]

log = structlog.get_logger(__name__)

_Obj = dict[str, Any]


class CacheProcessor:
    """The informer's single writer: every change goes store first, handlers second.

    So a handler (and the reconcile it triggers) always finds the new state in the cache.
    Objects are prepared once before caching: the transform runs, and `apiVersion`/`kind`
    are set from the resource (list items lack them) using one shared string per resource,
    as is the namespace, so thousands of cached objects do not each hold a copy.

    A handler that raises is logged and skipped; the others and the informer carry on. That
    includes a `CancelledError`: handlers are synchronous, so one raised by a handler is its
    own (a cancelled future's result, say), not the informer's task being cancelled, which
    would otherwise end silently. Only a cancellation requested of the running task passes.
    """

    __slots__ = (
        "_api_version",
        "_events",
        "_handlers",
        "_kind",
        "_log",
        "_metrics",
        "_on_synced",
        "_store",
        "_synced",
        "_transform",
    )

    def __init__(
        self,
        store: Indexer,
        *,
        api_version: str,
        kind: str,
        transform: Transform | None = None,
        metrics: BoundInformerMetrics | None = None,
        on_synced: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._api_version = sys.intern(api_version)
        self._kind = sys.intern(kind)
        self._transform = transform
        self._metrics = metrics
        self._events = metrics.events if metrics is not None else None
        self._handlers: tuple[ResourceEventHandler, ...] = ()
        self._synced = False
        self._on_synced = on_synced
        self._log = log.bind(kind=kind)

    @property
    def store(self) -> Indexer:
        return self._store

    @property
    def synced(self) -> bool:
        """Whether the first complete list is in the store (`on_synced` fires once every
        handler has been told of it)."""
        return self._synced

    @property
    def transform(self) -> Transform | None:
        return self._transform

    @transform.setter
    def transform(self, transform: Transform | None) -> None:
        self._transform = transform

    @property
    def metrics(self) -> BoundInformerMetrics | None:
        return self._metrics

    @metrics.setter
    def metrics(self, metrics: BoundInformerMetrics | None) -> None:
        self._metrics = metrics
        self._events = metrics.events if metrics is not None else None

    # -- handlers -------------------------------------------------------------------------

    def add_handler(self, handler: ResourceEventHandler) -> None:
        """Register `handler`; if the cache is already filled, it first gets an add for every
        cached object (as initial-list adds), so it never misses what came before it."""
        self._handlers = (*self._handlers, handler)
        if self._synced:
            for obj in self._store.list():
                self._call(handler.on_add, obj, True)

    def remove_handler(self, handler: ResourceEventHandler) -> None:
        self._handlers = tuple(h for h in self._handlers if h is not handler)

    @property
    def handler_count(self) -> int:
        return len(self._handlers)

    def _call(self, method: Callable[..., None], *args: Any) -> None:
        try:
            method(*args)
        except (Exception, asyncio.CancelledError) as err:
            self._handler_failed(method, err)

    def _cannot_prepare(self, message: str, obj: _Obj, err: BaseException) -> None:
        # A transform is synchronous too: its CancelledError is its own failure (see above).
        if isinstance(err, asyncio.CancelledError) and _cancelling():
            raise err
        self._log.error(message, object=repr(obj)[:200], exc_info=err)

    def _handler_failed(self, handler: object, err: BaseException) -> None:
        if isinstance(err, asyncio.CancelledError) and _cancelling():
            raise err
        self._log.error("event handler failed", handler=repr(handler), exc_info=err)

    # -- sink -----------------------------------------------------------------------------

    def _prepare(self, obj: _Obj) -> _Obj:
        obj["apiVersion"] = self._api_version
        obj["kind"] = self._kind
        metadata = obj["metadata"]
        namespace = metadata.get("namespace")
        if namespace is not None:
            metadata["namespace"] = sys.intern(namespace)
        transform = self._transform
        return transform(obj) if transform is not None else obj

    def prepare(self, items: list[_Obj]) -> list[_Obj]:
        """Listed objects ready for `replace` (kind, apiVersion, transform); an object that
        cannot be prepared is logged and stands as cached, if it is: it still exists, and
        leaving it out would tell handlers it was deleted."""
        prepared: list[_Obj] = []
        with gc_paused():
            for item in items:
                try:
                    obj = self._prepare(item)
                    # A transform that drops the name would fail the store's whole list.
                    key_of(obj)
                    prepared.append(obj)
                except (Exception, asyncio.CancelledError) as err:
                    self._cannot_prepare("cannot cache listed object", item, err)
                    cached = self._cached_as(item)
                    if cached is not None:
                        prepared.append(cached)
        return prepared

    def _cached_as(self, obj: _Obj) -> _Obj | None:
        try:
            key = key_of(obj)
        except Exception:
            return None
        return self._store.get_by_key(key)

    def replace(self, items: list[_Obj], resource_version: str) -> None:
        """Apply a complete list of `prepare`d objects: adds, updates of changed objects,
        tombstones for the rest."""
        with gc_paused():
            self._replace(items)

    def _replace(self, prepared: list[_Obj]) -> None:
        result = self._store.replace(prepared)
        initial = not self._synced
        # The store holds the list from here on: a handler added while the list is told (by
        # another handler) is replayed the cache by `add_handler`, and is not told below.
        self._synced = True
        handlers = self._handlers
        for obj in result.added:
            for handler in handlers:
                try:
                    handler.on_add(obj, initial)
                except (Exception, asyncio.CancelledError) as err:
                    self._handler_failed(handler, err)
        for old, new in result.updated:
            for handler in handlers:
                self._call(handler.on_update, old, new)
        for tombstone in result.deleted:
            for handler in handlers:
                self._call(handler.on_delete, tombstone)
        if initial and self._on_synced is not None:
            self._on_synced()

    def apply(self, event_type: str, obj: _Obj) -> None:
        """Apply one watch event (ADDED, MODIFIED or DELETED)."""
        try:
            obj = self._prepare(obj)
            key = key_of(obj)
        except (Exception, asyncio.CancelledError) as err:
            self._cannot_prepare("cannot cache watched object", obj, err)
            if event_type == "DELETED":
                self._forget(obj)
            return
        events = self._events
        if events is not None:
            counter = events.get(event_type)
            if counter is not None:
                counter.inc()
        if event_type == "DELETED":
            self._store.pop(key)
            for handler in self._handlers:
                try:
                    handler.on_delete(obj)
                except (Exception, asyncio.CancelledError) as err:
                    self._handler_failed(handler, err)
            return
        if event_type != "ADDED" and event_type != "MODIFIED":
            self._log.warning("ignoring watch event of unknown type", type=event_type)
            return
        # The store decides add versus update: after a re-watch an ADDED may be a known
        # object, and a MODIFIED may be the first sight of one.
        old = self._store.set(key, obj)
        if old is None:
            for handler in self._handlers:
                try:
                    handler.on_add(obj, False)
                except (Exception, asyncio.CancelledError) as err:
                    self._handler_failed(handler, err)
        else:
            for handler in self._handlers:
                try:
                    handler.on_update(old, obj)
                except (Exception, asyncio.CancelledError) as err:
                    self._handler_failed(handler, err)

    def _forget(self, obj: _Obj) -> None:
        """Drop what a DELETED event names although its object could not be prepared: kept,
        it would stay cached, an object readers see and no later event removes."""
        old = self._cached_as(obj)
        if old is None:
            return
        key = key_of(old)
        self._store.pop(key)
        # Handlers get the last state they were told of; the final one could not be prepared.
        tombstone = DeletedFinalStateUnknown(key, old)
        for handler in self._handlers:
            self._call(handler.on_delete, tombstone)

    def resync(self) -> None:
        """Replay every cached object to every handler as an update with `old is new`."""
        handlers = self._handlers
        if not handlers:
            return
        for obj in self._store.list():
            for handler in handlers:
                self._call(handler.on_update, obj, obj)


def _cancelling() -> bool:
    """Whether a cancellation of the running task was requested (and not withdrawn)."""
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running loop: nothing to cancel
        return False
    return task is not None and task.cancelling() > 0
