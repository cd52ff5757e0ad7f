"""What a work queue reports about itself, and the default that reports nothing."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Protocol

from mirrorctl.clock import Clock

__all__ = ["DepthSource", "MetricsProvider", "NoopMetricsProvider", "QueueMetrics"]


class QueueMetrics(Protocol):
    """The per-key events of one queue, called synchronously on its hot path: keep them cheap.

    A key is "added" when it becomes due for a worker (at once, when its delay ends, or when it
    is re-added while a worker holds it), "taken" when `get` hands it out, and "finished" at
    `done`. Whatever can be read from the queue's state when metrics are scraped (its depth,
    work in progress) is not reported per key.
    """

    def added(self, item: Hashable) -> None: ...

    def taken(self, item: Hashable) -> None: ...

    def finished(self, item: Hashable) -> None: ...

    def retried(self) -> None:
        """A key was added with a non-zero delay (rate-limited or explicit)."""
        ...


class DepthSource(Protocol):
    def depth_by_priority(self) -> Mapping[int, int]:
        """Keys due for a worker, by priority.

        May be called from a thread other than the event loop's (a metrics scrape), so it must
        only copy state with single C-level operations, never iterate it in Python.
        """
        ...


class MetricsProvider(Protocol):
    def queue_metrics(self, name: str, clock: Clock, depth: DepthSource) -> QueueMetrics: ...


class _NoopQueueMetrics:
    __slots__ = ()

    def added(self, item: Hashable) -> None:
        pass

    def taken(self, item: Hashable) -> None:
        pass

    def finished(self, item: Hashable) -> None:
        pass

    def retried(self) -> None:
        pass


class NoopMetricsProvider:
    __slots__ = ()

    def queue_metrics(self, name: str, clock: Clock, depth: DepthSource) -> QueueMetrics:
        return _NoopQueueMetrics()
