"""What a work queue reports about itself, and the default that reports nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from mirrorctl.clock import Clock

__all__ = ["FOLD_EVERY", "MetricsProvider", "NoopMetricsProvider", "QueueMetrics", "QueueState"]

# A queue calls `QueueMetrics.fold` once `works` holds this many durations; `waits` exceeds
# `works` by at most the keys in flight, so this bounds the memory of both lists.
FOLD_EVERY = 1024


class QueueMetrics(Protocol):
    """The tallies of one queue name, which queues update in place on their hot path.

    A method call per key costs about as much as the bookkeeping itself, so queues write
    these fields directly. A key is "added" when it becomes due for a worker (at once, when
    its delay ends, or when it is re-added while a worker holds it); its wait runs from then
    until `get` hands it out, and its work from then until `done`. Whatever can be read from
    the queue's state when metrics are scraped (its depth, work in progress) is not tallied.

    Queues run on one event loop thread, and only that thread writes here. `fold` may replace
    the two lists, so a queue reads `waits` and `works` afresh for every key.
    """

    adds: int
    # Keys added with a non-zero delay (rate-limited or explicit).
    retries: int
    # Seconds from added to handed out, and from handed out to done, not yet folded.
    waits: list[float]
    works: list[float]

    def fold(self) -> None:
        """Take `waits` and `works` into the running totals and start both lists empty."""
        ...


class QueueState(Protocol):
    """What a collector reads from a queue when it is scraped.

    A scrape may run on a thread other than the event loop's, so these methods only copy
    state with single C-level operations and never iterate the live structures in Python.
    """

    def depth_by_priority(self) -> Mapping[int, int]:
        """Keys due for a worker, by priority."""
        ...

    def work_started(self) -> list[float]:
        """The clock times at which the keys now in flight were handed out."""
        ...


class MetricsProvider(Protocol):
    def queue_metrics(self, name: str, clock: Clock, state: QueueState) -> QueueMetrics | None:
        """The tallies queue `name` should update, or None to record nothing at all."""
        ...


class NoopMetricsProvider:
    __slots__ = ()

    def queue_metrics(self, name: str, clock: Clock, state: QueueState) -> QueueMetrics | None:
        return None
