"""`DelayingQueue`: `add_after` over `FifoQueue`, with one clock timer for all waiting keys."""

from __future__ import annotations

import heapq
from collections.abc import Hashable
from typing import NamedTuple, TypeVar

from mirrorctl.clock import Clock, TimerHandle
from mirrorctl.queue.fifo import FifoQueue
from mirrorctl.queue.metrics import MetricsProvider

__all__ = ["DelayingQueue"]

T = TypeVar("T", bound=Hashable)

# Superseded heap entries are purged once they outnumber live ones by this factor (and the heap
# is not tiny), which keeps the heap O(waiting keys) whatever the pattern of re-adds.
_COMPACT_FACTOR = 2
_COMPACT_MIN = 64


class _Waiting(NamedTuple):
    ready_at: float
    seq: int
    priority: int


class DelayingQueue(FifoQueue[T]):
    """Waiting keys sit in a heap by ready time; a single timer is armed for the earliest.

    Re-adding a waiting key earlier pushes a new heap entry and leaves the old one to be
    skipped, so every operation is O(log n). No task is started: the timer is a clock callback,
    cancelled at shutdown, so nothing can outlive the queue.
    """

    def __init__(
        self,
        name: str = "",
        *,
        clock: Clock | None = None,
        metrics: MetricsProvider | None = None,
    ) -> None:
        super().__init__(name, clock=clock, metrics=metrics)
        self._waiting: dict[T, _Waiting] = {}
        self._heap: list[tuple[float, int, T]] = []
        self._seq = 0
        self._timer: TimerHandle | None = None
        self._timer_at = 0.0
        # `FifoQueue.add` checks this before anything else and calls `_unhold` when non-empty.
        self._held = self._waiting

    def add_after(self, item: T, delay: float, *, priority: int = 0) -> None:
        if self._shutting_down:
            return
        if not delay > 0:
            if delay != delay:
                # A NaN ready time compares false with every other: at the top of the heap
                # it would hold the one timer at a deadline that never comes, for all keys.
                raise ValueError(f"add_after({item!r}): the delay is NaN")
            self.add(item, priority=priority)
            return
        metrics = self._metrics
        if metrics is not None:
            metrics.retries += 1
        queued = self._queued.get(item)
        if queued is not None:
            if priority > queued:
                self._promote(item, queued, priority)
            return
        if item in self._dirty:
            # It runs again as soon as its current run ends; that run decides what comes next.
            self.add(item, priority=priority)
            return
        ready_at = self._clock.monotonic() + delay
        waiting = self._waiting.get(item)
        if waiting is not None:
            if ready_at >= waiting.ready_at:
                if priority > waiting.priority:
                    self._waiting[item] = waiting._replace(priority=priority)
                return
            priority = max(priority, waiting.priority)
        self._seq += 1
        self._waiting[item] = _Waiting(ready_at, self._seq, priority)
        heapq.heappush(self._heap, (ready_at, self._seq, item))
        if self._timer is None or ready_at < self._timer_at:
            self._arm(ready_at)
        if len(self._heap) > _COMPACT_MIN and len(self._heap) > _COMPACT_FACTOR * len(
            self._waiting
        ):
            self._compact()

    def _unhold(self, item: T, priority: int) -> int:
        # Queued now, a key no longer waits: its pending delay is superseded.
        waiting = self._waiting.pop(item, None)
        if waiting is not None and waiting.priority > priority:
            return waiting.priority
        return priority

    def _begin_shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        # Waiting keys are dropped, as client-go's delaying queue drops them.
        self._waiting.clear()
        self._heap.clear()
        super()._begin_shutdown()

    def _arm(self, deadline: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = deadline
        self._timer = self._clock.call_at(deadline, self._fire)

    def _fire(self) -> None:
        self._timer = None
        # A loop may run a timer a hair before its deadline; the deadline itself has passed.
        now = max(self._clock.monotonic(), self._timer_at)
        heap = self._heap
        waiting = self._waiting
        while heap and heap[0][0] <= now:
            _, seq, item = heapq.heappop(heap)
            entry = waiting.get(item)
            if entry is None or entry.seq != seq:
                continue
            # `add` takes it out of `_waiting` (see `_unhold`).
            self.add(item, priority=entry.priority)
        while heap:
            _, seq, item = heap[0]
            entry = waiting.get(item)
            if entry is not None and entry.seq == seq:
                self._arm(entry.ready_at)
                return
            heapq.heappop(heap)

    def _compact(self) -> None:
        self._heap = [(w.ready_at, w.seq, item) for item, w in self._waiting.items()]
        heapq.heapify(self._heap)
