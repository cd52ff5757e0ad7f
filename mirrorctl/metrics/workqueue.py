"""Work queue metrics, named and labelled exactly as controller-runtime's `workqueue_*` series.

Queues count into plain integers and bucket arrays; one collector per registry turns them into
metric families when scraped. That keeps each queue event a few dictionary and list operations
(prometheus-client's metric objects take a lock per update), and lets the two gauges that
depend on the time of reading — unfinished work and the longest-running processor — be
computed at scrape time from the in-flight start times, costing nothing per item.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable
from threading import Lock

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from mirrorctl.clock import Clock
from mirrorctl.queue.metrics import DepthSource, QueueMetrics

__all__ = ["PrometheusQueueMetricsProvider"]


def _exponential_buckets(start: float, factor: float, count: int) -> tuple[float, ...]:
    # Built by repeated multiplication, as client_golang does, so the bounds are the same floats.
    bounds = []
    for _ in range(count):
        bounds.append(start)
        start *= factor
    return tuple(bounds)


# controller-runtime: prometheus.ExponentialBuckets(10e-9, 10, 12), i.e. 10 ns to 1000 s.
DURATION_BUCKETS = _exponential_buckets(10e-9, 10, 12)
# `le` label values as prometheus-client's own histograms print these bounds.
_BUCKET_LABELS = tuple(repr(bound) for bound in DURATION_BUCKETS)

# controller-runtime labels at most this many distinct priorities per queue and folds the rest
# into one series, so a caller using unbounded priorities cannot explode cardinality.
MAX_PRIORITY_LABELS = 25
PRIORITY_OVERFLOW_LABEL = "exceeded_cardinality_limit"

_LABELS = ("name", "controller")
_DEPTH_LABELS = ("name", "controller", "priority")

_DEPTH = ("workqueue_depth", "Current depth of workqueue by workqueue and priority")
_ADDS = ("workqueue_adds", "Total number of adds handled by workqueue")
_QUEUE_DURATION = (
    "workqueue_queue_duration_seconds",
    "How long in seconds an item stays in workqueue before being requested",
)
_WORK_DURATION = (
    "workqueue_work_duration_seconds",
    "How long in seconds processing an item from workqueue takes.",
)
_UNFINISHED = (
    "workqueue_unfinished_work_seconds",
    "How many seconds of work has been done that is in progress and hasn't been observed by "
    "work_duration. Large values indicate stuck threads. One can deduce the number of stuck "
    "threads by observing the rate at which this increases.",
)
_LONGEST = (
    "workqueue_longest_running_processor_seconds",
    "How many seconds has the longest running processor for workqueue been running.",
)
_RETRIES = (
    "workqueue_retries",
    "Total number of items added to the workqueue with a non-zero delay "
    "(rate-limited requeues, explicit RequeueAfter or AddAfter calls)",
)


class _Histogram:
    """Per-bucket counts (not cumulative) and the sum; updated inline by `_QueueRecorder`."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(DURATION_BUCKETS) + 1)
        self.total = 0.0

    def buckets(self) -> tuple[list[tuple[str, float]], float]:
        counts = list(self.counts)
        total = self.total
        cumulative = 0
        out: list[tuple[str, float]] = []
        for label, count in zip(_BUCKET_LABELS, counts, strict=False):
            cumulative += count
            out.append((label, cumulative))
        out.append(("+Inf", cumulative + counts[-1]))
        return out, total


class _QueueRecorder:
    """The series of one queue name: `QueueMetrics` for every queue created under that name."""

    __slots__ = (
        "_added_at",
        "_now",
        "_priority_labels",
        "_sources",
        "_started",
        "adds",
        "queue_duration",
        "retries",
        "work_duration",
    )

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.adds = 0
        self.retries = 0
        self.queue_duration = _Histogram()
        self.work_duration = _Histogram()
        self._added_at: dict[Hashable, float] = {}
        # In `get` order, which is start order.
        self._started: dict[Hashable, float] = {}
        self._sources: weakref.WeakSet[DepthSource] = weakref.WeakSet()
        # Priorities in the order first seen; priority 0 is exported from the start.
        self._priority_labels: dict[int, str] = {0: "0"}

    def track(self, source: DepthSource) -> None:
        self._sources.add(source)

    # The four methods below run per key. The histogram updates are inlined: a method call
    # costs about as much as the update itself.

    def added(self, item: Hashable) -> None:
        self.adds += 1
        self._added_at[item] = self._now()

    def taken(self, item: Hashable) -> None:
        now = self._now()
        self._started[item] = now
        added_at = self._added_at.pop(item, None)
        if added_at is not None:
            waited = now - added_at
            histogram = self.queue_duration
            # bisect_left: a value equal to a bound belongs to that bound's `le` bucket.
            histogram.counts[bisect_left(DURATION_BUCKETS, waited)] += 1
            histogram.total += waited

    def finished(self, item: Hashable) -> None:
        started = self._started.pop(item, None)
        if started is not None:
            worked = self._now() - started
            histogram = self.work_duration
            histogram.counts[bisect_left(DURATION_BUCKETS, worked)] += 1
            histogram.total += worked

    def retried(self) -> None:
        self.retries += 1

    def depth_by_label(self) -> dict[str, int]:
        depth: dict[int, int] = {}
        for source in list(self._sources):
            for priority, count in source.depth_by_priority().items():
                depth[priority] = depth.get(priority, 0) + count
        labels = self._priority_labels
        for priority in sorted(depth.keys() - labels.keys(), reverse=True):
            labels[priority] = (
                str(priority) if len(labels) < MAX_PRIORITY_LABELS else PRIORITY_OVERFLOW_LABEL
            )
        # Every label once seen stays exported (at 0 when empty), as a gauge child does.
        labelled: dict[str, int] = dict.fromkeys(labels.values(), 0)
        for priority, count in depth.items():
            labelled[labels[priority]] += count
        return labelled

    def in_flight(self) -> tuple[float, float]:
        """Total and longest seconds of work in progress, as of now."""
        # A copy first: a scrape may run on another thread while the loop mutates the dict.
        starts = list(self._started.values())
        if not starts:
            return 0.0, 0.0
        now = self._now()
        ages = [now - started for started in starts]
        return sum(ages), max(ages)


class _WorkqueueCollector(Collector):
    def __init__(self) -> None:
        self.recorders: dict[str, _QueueRecorder] = {}

    def describe(self) -> Iterable[Metric]:
        return self._families()

    def collect(self) -> Iterable[Metric]:
        return self._families(list(self.recorders.items()))

    def _families(self, recorders: list[tuple[str, _QueueRecorder]] | None = None) -> list[Metric]:
        depth = GaugeMetricFamily(*_DEPTH, labels=_DEPTH_LABELS)
        adds = CounterMetricFamily(*_ADDS, labels=_LABELS)
        queue_duration = HistogramMetricFamily(*_QUEUE_DURATION, labels=_LABELS)
        work_duration = HistogramMetricFamily(*_WORK_DURATION, labels=_LABELS)
        unfinished = GaugeMetricFamily(*_UNFINISHED, labels=_LABELS)
        longest = GaugeMetricFamily(*_LONGEST, labels=_LABELS)
        retries = CounterMetricFamily(*_RETRIES, labels=_LABELS)
        for name, recorder in recorders or ():
            # controller-runtime sets both labels to the queue's name.
            labels = [name, name]
            for priority, value in recorder.depth_by_label().items():
                depth.add_metric([name, name, priority], value)
            adds.add_metric(labels, recorder.adds)
            for family, histogram in (
                (queue_duration, recorder.queue_duration),
                (work_duration, recorder.work_duration),
            ):
                buckets, total = histogram.buckets()
                family.add_metric(labels, buckets, total)
            total_age, longest_age = recorder.in_flight()
            unfinished.add_metric(labels, total_age)
            longest.add_metric(labels, longest_age)
            retries.add_metric(labels, recorder.retries)
        return [depth, adds, queue_duration, work_duration, unfinished, longest, retries]


class PrometheusQueueMetricsProvider:
    """Registers the `workqueue_*` families in `registry` (never the global one).

    Queues of the same name share their series, as they do in controller-runtime, so a queue
    re-created under the same name (a controller restarted by leader election) continues the
    counters instead of duplicating them.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self._collector = _WorkqueueCollector()
        self._lock = Lock()
        registry.register(self._collector)

    def queue_metrics(self, name: str, clock: Clock, depth: DepthSource) -> QueueMetrics:
        with self._lock:
            recorder = self._collector.recorders.get(name)
            if recorder is None:
                recorder = _QueueRecorder(clock.monotonic)
                # Replaced, not mutated, so a concurrent scrape iterates a stable mapping.
                self._collector.recorders = {**self._collector.recorders, name: recorder}
            recorder.track(depth)
            return recorder
