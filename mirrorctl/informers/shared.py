"""`SharedInformer`: one list+watch of a resource feeding one cache and many handlers."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping

from mirrorctl.client.resource import Resource
from mirrorctl.clock import Clock, RealClock
from mirrorctl.informers.errors import IndexConflictError, InformerStartedError
from mirrorctl.informers.handler import ResourceEventHandler
from mirrorctl.informers.interface import IndexFunc, ListerWatcher
from mirrorctl.informers.processor import CacheProcessor
from mirrorctl.informers.reflector import Reflector
from mirrorctl.informers.store import NAMESPACE_INDEX, Indexer, namespace_index
from mirrorctl.informers.tasks import cancel_and_wait
from mirrorctl.informers.transform import Transform, chain, strip_managed_fields
from mirrorctl.metrics.informer import InformerMetrics

__all__ = ["SharedInformer", "resource_label"]


def resource_label(resource: Resource) -> str:
    """How metrics and logs name a resource: ``plural`` or ``plural.group``."""
    return f"{resource.plural}.{resource.group}" if resource.group else resource.plural


class SharedInformer:
    """Caches one resource (in one namespace, or all) matching optional selectors.

    `run()` lists and watches until cancelled. Every change updates `store` first and then
    reaches each handler synchronously, in order. Handlers added after the cache filled get
    an initial-list add for every cached object. With `resync_period`, every cached object is
    periodically replayed to the handlers as `on_update(obj, obj)`.

    Before caching, objects pass `transform` (by default: drop `metadata.managedFields`)
    and then the transform given to `set_transform`, if any. Cached objects are shared with
    every handler and reader: nobody may mutate them.

    A cluster-wide informer of a namespaced resource keeps a ``namespace`` index. With
    ``list_from_etcd`` it lists from etcd in pages of ``page_size``, transforming each page
    before fetching the next (see `Reflector`).
    """

    def __init__(
        self,
        lister_watcher: ListerWatcher,
        resource: Resource,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resync_period: float | None = None,
        clock: Clock | None = None,
        transform: Transform | None = strip_managed_fields,
        metrics: InformerMetrics | None = None,
        rng: random.Random | None = None,
        page_size: int = 500,
        min_watch_timeout: float = 300.0,
        silence_margin: float = 30.0,
        list_from_etcd: bool = False,
    ) -> None:
        if namespace is not None and not resource.namespaced:
            raise ValueError(f"{resource.plural} is cluster-scoped; got namespace {namespace!r}")
        if resync_period is not None and resync_period <= 0:
            raise ValueError("resync_period must be > 0 (or None for no resync)")
        self._lw = lister_watcher
        self._resource = resource
        self._namespace = namespace
        self._label_selector = label_selector
        self._field_selector = field_selector
        self._resync_period = resync_period
        self._clock: Clock = clock if clock is not None else RealClock()
        self._base_transform = transform
        self._metrics = metrics
        self._rng = rng
        self._page_size = page_size
        self._min_watch_timeout = min_watch_timeout
        self._silence_margin = silence_margin
        self._list_from_etcd = list_from_etcd
        indexers: dict[str, IndexFunc] = {}
        if resource.namespaced and namespace is None:
            indexers[NAMESPACE_INDEX] = namespace_index
        self._store = Indexer(indexers)
        self._synced = asyncio.Event()
        self._processor = CacheProcessor(
            self._store,
            api_version=resource.api_version,
            kind=resource.kind,
            transform=transform,
            on_synced=self._synced.set,
        )
        self._reflector: Reflector | None = None
        self._started = False

    def __repr__(self) -> str:
        return (
            f"SharedInformer({resource_label(self._resource)}, namespace={self._namespace!r}, "
            f"label_selector={self._label_selector!r}, field_selector={self._field_selector!r})"
        )

    @property
    def resource(self) -> Resource:
        return self._resource

    @property
    def namespace(self) -> str | None:
        return self._namespace

    @property
    def label_selector(self) -> str | None:
        return self._label_selector

    @property
    def field_selector(self) -> str | None:
        return self._field_selector

    @property
    def store(self) -> Indexer:
        """The cache. Read it; never write it or mutate what it returns."""
        return self._store

    @property
    def started(self) -> bool:
        return self._started

    @property
    def last_sync_resource_version(self) -> str:
        """Where the watch resumes from ("" before the first list)."""
        return self._reflector.last_sync_resource_version if self._reflector else ""

    # -- configuration --------------------------------------------------------------------

    def add_event_handler(self, handler: ResourceEventHandler) -> None:
        """Add a handler at any time; a late one is first told about every cached object."""
        self._processor.add_handler(handler)

    def remove_event_handler(self, handler: ResourceEventHandler) -> None:
        self._processor.remove_handler(handler)

    def add_indexers(self, indexers: Mapping[str, IndexFunc]) -> None:
        """Add indexes to the store; only before `run()`."""
        if self._started:
            raise IndexConflictError(
                f"{self!r} has already started: add indexers before starting it"
            )
        self._store.add_indexers(indexers)

    def set_transform(self, transform: Transform) -> None:
        """Run `transform` on each object after the default one; only before `run()`."""
        if self._started:
            raise InformerStartedError(f"{self!r} has already started: set transforms before")
        base = self._base_transform
        self._processor.transform = transform if base is None else chain(base, transform)

    # -- running --------------------------------------------------------------------------

    def has_synced(self) -> bool:
        """Whether the cache holds a complete list (and handlers have been told about it)."""
        return self._synced.is_set()

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        """Wait until synced; False if `timeout` (seconds on the informer's clock) ran out."""
        if self._synced.is_set():
            return True
        waiter = asyncio.ensure_future(self._synced.wait())
        if timeout is None:
            try:
                await waiter
            finally:
                await cancel_and_wait(waiter)
            return True
        sleeper = asyncio.ensure_future(self._clock.sleep(timeout))
        try:
            await asyncio.wait((waiter, sleeper), return_when=asyncio.FIRST_COMPLETED)
        finally:
            await cancel_and_wait(waiter)
            await cancel_and_wait(sleeper)
        return self._synced.is_set()

    async def run(self) -> None:
        """List and watch until cancelled; leaves no task behind. Runs once per informer."""
        if self._started:
            raise InformerStartedError(f"{self!r} was already started")
        self._started = True
        self._store.seal()
        bound = None
        if self._metrics is not None:
            bound = self._metrics.bind(resource_label(self._resource), self._store.__len__)
            self._processor.metrics = bound
        self._reflector = Reflector(
            self._lw,
            self._resource,
            self._processor,
            namespace=self._namespace,
            label_selector=self._label_selector,
            field_selector=self._field_selector,
            clock=self._clock,
            rng=self._rng,
            page_size=self._page_size,
            min_watch_timeout=self._min_watch_timeout,
            silence_margin=self._silence_margin,
            metrics=bound,
            list_from_etcd=self._list_from_etcd,
        )
        resync = None
        if self._resync_period is not None:
            resync = asyncio.ensure_future(self._resync_loop(self._resync_period))
        try:
            await self._reflector.run()
        finally:
            if resync is not None:
                await cancel_and_wait(resync)
            if bound is not None:
                bound.release()

    async def _resync_loop(self, period: float) -> None:
        await self._synced.wait()
        while True:
            await self._clock.sleep(period)
            self._processor.resync()
