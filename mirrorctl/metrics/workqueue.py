"""Work queue metrics, named and labelled exactly as controller-runtime's `workqueue_*` series.

Queues write into plain integers and lists of raw durations, in place (see `QueueMetrics`);
one collector per registry turns them into metric families when scraped. Durations are
bucketed in batches, a thousand at a time or at a scrape, by sorting them and searching once
per bucket bound. That keeps each queue event a list append or an integer increment
(prometheus-client's metric objects take a lock and search the bounds per update), and the
two gauges that depend on the time of reading (unfinished work, the longest-running
processor) are computed at scrape time from the queues' in-flight start times.

Only the event loop's thread writes; a scrape may run on any thread (in this project it runs
on the loop, in the metrics server's handler). It copies what it reads with single C-level
operations and reads each histogram as one object, so it never sees a torn update.
"""

from __future__ import annotations

import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
from mirrorctl.queue.metrics import QueueMetrics, QueueState

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


@dataclass(frozen=True, slots=True)
class _Histogram:
    """One histogram as a single object, replaced whole at every fold.

    Queues append raw durations to `pending`, which costs a fraction of a bucket search per
    key; `folded` sorts a batch and finds each bucket's share with one search per bound. A
    scrape reads this object once, so it sees counts and pending durations of the same moment,
    even from another thread: once folded, a list is never appended to again.
    """

    # Per bucket (not cumulative), the last one for values above every bound.
    counts: tuple[int, ...]
    total: float
    pending: list[float]

    @classmethod
    def empty(cls) -> _Histogram:
        return cls((0,) * (len(DURATION_BUCKETS) + 1), 0.0, [])

    def folded(self) -> _Histogram:
        """`pending` counted in, with a new empty `pending` (this one when there is nothing to
        count); this object is left unchanged."""
        # sorted() copies first, in one C call: the loop thread may still append.
        values = sorted(self.pending)
        if not values:
            return self
        counts = list(self.counts)
        # Only the bounds between the smallest and the largest value split the batch.
        first = bisect_left(DURATION_BUCKETS, values[0])
        last = bisect_left(DURATION_BUCKETS, values[-1])
        below = 0
        for index in range(first, last):
            # bisect_right: a value equal to a bound belongs to that bound's `le` bucket.
            upto = bisect_right(values, DURATION_BUCKETS[index], below)
            counts[index] += upto - below
            below = upto
        counts[last] += len(values) - below
        return _Histogram(tuple(counts), self.total + sum(values), [])

    def buckets(self) -> tuple[list[tuple[str, float]], float]:
        """Cumulative `le` buckets, as of now, and the sum."""
        current = self.folded()
        cumulative = 0
        out: list[tuple[str, float]] = []
        for label, count in zip(_BUCKET_LABELS, current.counts, strict=False):
            cumulative += count
            out.append((label, cumulative))
        out.append(("+Inf", cumulative + current.counts[-1]))
        return out, current.total


class _QueueRecorder:
    """The series of one queue name: `QueueMetrics` for every queue created under that name.

    Queues update `adds`, `retries`, `waits` and `works` in place from the event loop's
    thread; everything else here runs at scrape time.
    """

    __slots__ = (
        "_now",
        "_overflowed",
        "_priority_labels",
        "_sources",
        "adds",
        "queue_duration",
        "retries",
        "waits",
        "work_duration",
        "works",
    )

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.adds = 0
        self.retries = 0
        self.queue_duration = _Histogram.empty()
        self.work_duration = _Histogram.empty()
        self.waits = self.queue_duration.pending
        self.works = self.work_duration.pending
        self._sources: weakref.WeakSet[QueueState] = weakref.WeakSet()
        # Priorities in the order first seen; priority 0 is exported from the start.
        self._priority_labels: dict[int, str] = {0: "0"}
        # Whether a priority past the first MAX_PRIORITY_LABELS was seen: those are not
        # remembered one by one, or a caller using ever new priorities would grow this map.
        self._overflowed = False

    def track(self, source: QueueState) -> None:
        self._sources.add(source)

    def fold(self) -> None:
        # Runs on the loop thread, the only one that appends, so nothing is appended between
        # publishing a histogram and pointing queues at its new list.
        self.queue_duration = self.queue_duration.folded()
        self.waits = self.queue_duration.pending
        self.work_duration = self.work_duration.folded()
        self.works = self.work_duration.pending

    def depth_by_label(self) -> dict[str, int]:
        depth: dict[int, int] = {}
        for source in list(self._sources):
            for priority, count in source.depth_by_priority().items():
                depth[priority] = depth.get(priority, 0) + count
        labels = self._priority_labels
        for priority in sorted(depth.keys() - labels.keys(), reverse=True):
            if len(labels) < MAX_PRIORITY_LABELS:
                labels[priority] = str(priority)
            else:
                self._overflowed = True
        # Every label once seen stays exported (at 0 when empty), as a gauge child does.
        labelled: dict[str, int] = dict.fromkeys(labels.values(), 0)
        if self._overflowed:
            labelled[PRIORITY_OVERFLOW_LABEL] = 0
        for priority, count in depth.items():
            labelled[labels.get(priority, PRIORITY_OVERFLOW_LABEL)] += count
        return labelled

    def in_flight(self) -> tuple[float, float]:
        """Total and longest seconds of work in progress, as of now."""
        starts: list[float] = []
        for source in list(self._sources):
            starts.extend(source.work_started())
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

    def queue_metrics(self, name: str, clock: Clock, state: QueueState) -> QueueMetrics | None:
        with self._lock:
            recorder = self._collector.recorders.get(name)
            if recorder is None:
                recorder = _QueueRecorder(clock.monotonic)
                # Replaced, not mutated, so a concurrent scrape iterates a stable mapping.
                self._collector.recorders = {**self._collector.recorders, name: recorder}
            recorder.track(state)
            return recorder
