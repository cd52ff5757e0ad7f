"""`FifoQueue`: the de-duplicating priority FIFO with a processing set (client-go semantics)."""

from __future__ import annotations

import asyncio
from bisect import insort
from collections import Counter, deque
from collections.abc import Collection, Hashable, Mapping
from typing import Generic, TypeVar

from mirrorctl.clock import Clock, RealClock
from mirrorctl.queue.interface import ShutDown
from mirrorctl.queue.metrics import FOLD_EVERY, MetricsProvider, QueueMetrics

__all__ = ["FifoQueue"]

T = TypeVar("T", bound=Hashable)


class FifoQueue(Generic[T]):
    """Keys wait in one deque per priority; the highest non-empty priority is served first.

    Every operation is O(1) but for the first use of a new priority level (a bisect into the
    short list of levels in use). Raising a queued key's priority appends it to the new level
    and leaves its old entry in place, counted as stale and skipped when it reaches the front,
    so promotions never scan a deque.

    A metered queue writes its tallies in place (see `QueueMetrics`) and reads the clock once
    per transition: when a key becomes due, when `get` hands it out (the end of its wait and
    the start of its work) and at `done`. An unmetered queue never reads the clock.

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
        self._now = self._clock.monotonic
        # Keys waiting for a worker -> their priority.
        self._queued: dict[T, int] = {}
        self._levels: dict[int, deque[T]] = {}
        # Negated priorities of the non-empty levels, ascending: highest priority first.
        self._order: list[int] = []
        # The highest non-empty level (an empty deque when there is none), kept at hand
        # because `get` takes from it for every key.
        self._head: deque[T] = deque()
        self._head_priority = 0
        # priority -> key -> number of superseded entries of key still in that level.
        self._stale: dict[int, dict[T, int]] = {}
        # Keys a worker holds -> the time it got them (0.0 when unmetered).
        self._processing: dict[T, float] = {}
        # The priority of the key `get` returned last, for `get_with_priority`: read in the
        # step `get` returned in, before any other task can take a key.
        self._last_priority = 0
        # Keys added again while a worker holds them -> the priority to queue them at on `done`.
        self._dirty: dict[T, int] = {}
        # Keys due (queued or dirty) -> the time they became due; kept only when metered.
        self._due_at: dict[T, float] = {}
        # Keys a subclass holds back to add later (the delaying queue's waiting keys). Adding
        # one now supersedes that, which `_unhold` settles. Checked here rather than in an
        # overriding `add`: a second call layer would cost a tenth of a key's whole hand-off.
        self._held: Collection[T] = ()
        self._getters: deque[asyncio.Future[None]] = deque()
        self._drain_waiters: list[asyncio.Future[None]] = []
        self._shutting_down = False
        # Unnamed queues report nothing, as in client-go: metric series need a name.
        self._metrics: QueueMetrics | None = (
            metrics.queue_metrics(name, self._clock, self) if metrics is not None and name else None
        )

    def __len__(self) -> int:
        """Keys due for a worker, including those waiting for their current run to finish."""
        return len(self._queued) + len(self._dirty)

    def depth_by_priority(self) -> Mapping[int, int]:
        # list() copies in one C call, so a scrape on another thread sees a consistent snapshot.
        depth = Counter(list(self._queued.values()))
        depth.update(list(self._dirty.values()))
        return depth

    def work_started(self) -> list[float]:
        return list(self._processing.values())

    @property
    def shutting_down(self) -> bool:
        return self._shutting_down

    def add(self, item: T, *, priority: int = 0) -> None:
        if self._shutting_down:
            return
        if self._held:
            priority = self._unhold(item, priority)
        queued = self._queued
        if item in queued:
            # A membership test, cheaper than a lookup, since most keys added are new.
            old = queued[item]
            if priority > old:
                self._promote(item, old, priority)
            return
        if item in self._processing:
            self._add_in_flight(item, priority)
            return
        queued[item] = priority
        metrics = self._metrics
        if metrics is not None:
            metrics.adds += 1
            self._due_at[item] = self._now()
        level = self._levels.get(priority)
        if level is None:
            level = self._new_level(priority)
        level.append(item)
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
                elif waiter in self._getters:
                    # Not there if, in the step it was cancelled, `_wake_one` dropped it as
                    # done or shutdown took the whole list.
                    self._getters.remove(waiter)
                raise
        while True:
            level = self._head
            item = level.popleft()
            priority = self._head_priority
            if not level:
                self._drop_head()
            if not self._stale or not self._skip_stale(item, priority):
                break
        del queued[item]
        self._last_priority = priority
        metrics = self._metrics
        if metrics is None:
            self._processing[item] = 0.0
        else:
            # One clock read ends the wait and starts the work.
            now = self._now()
            self._processing[item] = now
            metrics.waits.append(now - self._due_at.pop(item))
        return item

    async def get_with_priority(self) -> tuple[T, int]:
        item = await self.get()
        return item, self._last_priority

    def done(self, item: T) -> None:
        try:
            started = self._processing.pop(item)
        except KeyError:
            return
        metrics = self._metrics
        if metrics is not None:
            works = metrics.works
            works.append(self._now() - started)
            if len(works) >= FOLD_EVERY:
                metrics.fold()
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

    def _unhold(self, item: T, priority: int) -> int:
        """Stop holding `item` back, if it is; the priority to add it at now."""
        return priority

    def _add_in_flight(self, item: T, priority: int) -> None:
        dirty = self._dirty.get(item)
        if dirty is not None:
            if priority > dirty:
                self._dirty[item] = priority
            return
        self._dirty[item] = priority
        metrics = self._metrics
        if metrics is not None:
            # Due from now: its wait is timed from this re-add, not from `done`.
            metrics.adds += 1
            self._due_at[item] = self._now()

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
        if priority >= self._head_priority or not self._head:
            self._head = level
            self._head_priority = priority
        return level

    def _drop_head(self) -> None:
        order = self._order
        del self._levels[-order[0]]
        del order[0]
        if order:
            self._head_priority = -order[0]
            self._head = self._levels[self._head_priority]

    def _promote(self, item: T, old: int, new: int) -> None:
        # Its due time stays that of its first add.
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
