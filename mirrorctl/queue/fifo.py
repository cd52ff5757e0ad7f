"""`FifoQueue`: the de-duplicating priority FIFO with a processing set (client-go semantics)."""

from __future__ import annotations

import asyncio
from bisect import insort
from collections import Counter, deque
from collections.abc import Hashable, Mapping
from typing import Generic, TypeVar

from mirrorctl.clock import Clock, RealClock
from mirrorctl.queue.interface import ShutDown
from mirrorctl.queue.metrics import MetricsProvider, NoopMetricsProvider, QueueMetrics

__all__ = ["FifoQueue"]

T = TypeVar("T", bound=Hashable)


class FifoQueue(Generic[T]):
    """Keys wait in one deque per priority; the highest non-empty priority is served first.

    Every operation is O(1) but for the first use of a new priority level (a bisect into the
    short list of levels in use). Raising a queued key's priority appends it to the new level
    and leaves its old entry in place, counted as stale and skipped when it reaches the front,
    so promotions never scan a deque.

    Not thread-safe: call it from the event loop's thread only.
    """

    def __init__(
        self,
        name: str = "",
        *,
        clock: Clock | None = None,
        metrics: MetricsProvider | None = None,
    ) -> None:
        self.name = name
        self._clock: Clock = clock if clock is not None else RealClock()
        # Keys waiting for a worker -> their priority.
        self._queued: dict[T, int] = {}
        self._levels: dict[int, deque[T]] = {}
        # Negated priorities of the non-empty levels, ascending: highest priority first.
        self._order: list[int] = []
        # priority -> key -> number of superseded entries of key still in that level.
        self._stale: dict[int, dict[T, int]] = {}
        self._processing: set[T] = set()
        # Keys added again while a worker holds them -> the priority to queue them at on `done`.
        self._dirty: dict[T, int] = {}
        self._getters: deque[asyncio.Future[None]] = deque()
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._shutting_down = False
        # Unnamed queues report nothing, as in client-go: metric series need a name.
        provider = metrics if metrics is not None and name else NoopMetricsProvider()
        self._metrics: QueueMetrics = provider.queue_metrics(name, self._clock, self)

    def __len__(self) -> int:
        """Keys due for a worker, including those waiting for their current run to finish."""
        return len(self._queued) + len(self._dirty)

    def depth_by_priority(self) -> Mapping[int, int]:
        # list() copies in one C call, so a scrape on another thread sees a consistent snapshot.
        depth = Counter(list(self._queued.values()))
        depth.update(list(self._dirty.values()))
        return depth

    @property
    def shutting_down(self) -> bool:
        return self._shutting_down

    def add(self, item: T, *, priority: int = 0) -> None:
        if self._shutting_down:
            return
        queued = self._queued
        old = queued.get(item)
        if old is not None:
            if priority > old:
                self._promote(item, old, priority)
            return
        if item in self._processing:
            dirty = self._dirty.get(item)
            if dirty is None:
                self._dirty[item] = priority
                self._metrics.added(item)
            elif priority > dirty:
                self._dirty[item] = priority
            return
        queued[item] = priority
        level = self._levels.get(priority)
        if level is None:
            level = self._new_level(priority)
        level.append(item)
        self._metrics.added(item)
        if self._getters:
            self._wake_one()

    async def get(self) -> T:
        # Waiting and taking are inlined (rather than helpers) because this is the hottest
        # method of every worker.
        queued = self._queued
        while not queued:
            if self._shutting_down:
                raise ShutDown
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._getters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled():
                    # Woken for a key this getter will not take: pass the wake-up on.
                    if queued:
                        self._wake_one()
                else:
                    self._getters.remove(waiter)
                raise
        order = self._order
        levels = self._levels
        while True:
            priority = -order[0]
            level = levels[priority]
            item = level.popleft()
            if not level:
                del levels[priority]
                del order[0]
            if not self._stale or not self._skip_stale(item, priority):
                break
        del queued[item]
        self._processing.add(item)
        self._metrics.taken(item)
        return item

    def done(self, item: T) -> None:
        try:
            self._processing.remove(item)
        except KeyError:
            return
        self._metrics.finished(item)
        if self._dirty:
            priority = self._dirty.pop(item, None)
            if priority is not None:
                self._queued[item] = priority
                level = self._levels.get(priority)
                if level is None:
                    level = self._new_level(priority)
                level.append(item)
                if self._getters:
                    self._wake_one()
                return
        if self._drain_waiters and not self._processing and not self._queued:
            self._release_drain()

    def shutdown(self) -> None:
        self._begin_shutdown()
        # As in client-go, a plain shutdown also ends a `shutdown_with_drain` still waiting.
        self._release_drain()

    async def shutdown_with_drain(self) -> None:
        self._begin_shutdown()
        if not self._processing and not self._queued:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._drain_waiters.append(waiter)
        try:
            await waiter
        finally:
            if waiter in self._drain_waiters:
                self._drain_waiters.remove(waiter)

    def _begin_shutdown(self) -> None:
        self._shutting_down = True
        getters, self._getters = self._getters, deque()
        for waiter in getters:
            if not waiter.done():
                waiter.set_result(None)

    def _release_drain(self) -> None:
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _new_level(self, priority: int) -> deque[T]:
        level = self._levels[priority] = deque()
        insort(self._order, -priority)
        return level

    def _promote(self, item: T, old: int, new: int) -> None:
        self._queued[item] = new
        stale = self._stale.get(old)
        if stale is None:
            stale = self._stale[old] = {}
        stale[item] = stale.get(item, 0) + 1
        level = self._levels.get(new)
        if level is None:
            level = self._new_level(new)
        level.append(item)

    def _skip_stale(self, item: T, priority: int) -> bool:
        # A level is FIFO, so a key's superseded entries in it always precede its live one.
        stale = self._stale.get(priority)
        if stale is None:
            return False
        count = stale.get(item)
        if count is None:
            return False
        if count > 1:
            stale[item] = count - 1
        else:
            del stale[item]
            if not stale:
                del self._stale[priority]
        return True

    def _wake_one(self) -> None:
        getters = self._getters
        while getters:
            waiter = getters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
