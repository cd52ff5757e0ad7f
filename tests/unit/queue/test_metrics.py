"""Prometheus work queue metrics: controller-runtime's names and labels, values after operations."""

from __future__ import annotations

import gc
import tracemalloc

import pytest
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest

from mirrorctl.clock import FakeClock
from mirrorctl.metrics.workqueue import PrometheusQueueMetricsProvider
from mirrorctl.queue import (
    LOW_PRIORITY,
    FifoQueue,
    ItemExponentialRateLimiter,
    RateLimitingQueue,
)

__all__: list[str] = []

BUCKET_BOUNDS = [
    "1e-08",
    "1e-07",
    "1e-06",
    "9.999999999999999e-06",
    "9.999999999999999e-05",
    "0.001",
    "0.01",
    "0.1",
    "1.0",
    "10.0",
    "100.0",
    "1000.0",
    "+Inf",
]


class Scrape:
    def __init__(self, registry: CollectorRegistry, name: str) -> None:
        self.registry = registry
        self.name = name

    def value(self, metric: str, **labels: str) -> float | None:
        return self.registry.get_sample_value(
            metric, {"name": self.name, "controller": self.name, **labels}
        )

    def depth(self, priority: int | str) -> float | None:
        return self.value("workqueue_depth", priority=str(priority))

    def histogram(self, metric: str) -> tuple[float | None, float | None]:
        return self.value(f"{metric}_count"), self.value(f"{metric}_sum")


@pytest.fixture
def registry() -> CollectorRegistry:
    return CollectorRegistry()


def rl_queue(
    registry: CollectorRegistry, clock: FakeClock, name: str = "pods"
) -> RateLimitingQueue[str]:
    return RateLimitingQueue(
        name,
        rate_limiter=ItemExponentialRateLimiter(1.0, 100.0),
        clock=clock,
        metrics=PrometheusQueueMetricsProvider(registry),
    )


async def test_series_are_named_and_labelled_as_controller_runtime_does(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    queue = rl_queue(registry, clock)
    queue.add("a")
    samples = {(s.name, tuple(sorted(s.labels))) for f in registry.collect() for s in f.samples}
    common = ("controller", "name")
    assert {
        ("workqueue_depth", ("controller", "name", "priority")),
        ("workqueue_adds_total", common),
        ("workqueue_queue_duration_seconds_count", common),
        ("workqueue_queue_duration_seconds_sum", common),
        ("workqueue_queue_duration_seconds_bucket", ("controller", "le", "name")),
        ("workqueue_work_duration_seconds_count", common),
        ("workqueue_work_duration_seconds_sum", common),
        ("workqueue_work_duration_seconds_bucket", ("controller", "le", "name")),
        ("workqueue_unfinished_work_seconds", common),
        ("workqueue_longest_running_processor_seconds", common),
        ("workqueue_retries_total", common),
    } == samples
    types = {f.name: f.type for f in registry.collect()}
    assert types == {
        "workqueue_depth": "gauge",
        "workqueue_adds": "counter",
        "workqueue_queue_duration_seconds": "histogram",
        "workqueue_work_duration_seconds": "histogram",
        "workqueue_unfinished_work_seconds": "gauge",
        "workqueue_longest_running_processor_seconds": "gauge",
        "workqueue_retries": "counter",
    }
    for family in registry.collect():
        if family.type == "histogram":
            bounds = [s.labels["le"] for s in family.samples if s.name.endswith("_bucket")]
            assert bounds == BUCKET_BOUNDS
    text = generate_latest(registry).decode()
    assert 'workqueue_adds_total{controller="pods",name="pods"} 1.0' in text
    queue.shutdown()


async def test_nothing_lands_in_the_global_registry(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    queue = rl_queue(registry, clock, name="global-check")
    queue.add("a")
    assert REGISTRY.get_sample_value("workqueue_adds_total", {"name": "global-check"}) is None
    assert not any(f.name.startswith("workqueue") for f in REGISTRY.collect())
    queue.shutdown()


async def test_depth_and_adds_follow_the_keys_by_priority(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    scrape = Scrape(registry, "pods")
    queue = rl_queue(registry, clock)
    assert scrape.depth(0) == 0
    assert scrape.value("workqueue_adds_total") == 0
    queue.add("a")
    queue.add("b", priority=LOW_PRIORITY)
    queue.add("c", priority=LOW_PRIORITY)
    queue.add("a")  # already queued: not an add
    assert (scrape.depth(0), scrape.depth(LOW_PRIORITY)) == (1, 2)
    assert scrape.value("workqueue_adds_total") == 3
    queue.add("b")  # promoted: moves between priorities, still one add
    assert (scrape.depth(0), scrape.depth(LOW_PRIORITY)) == (2, 1)
    assert scrape.value("workqueue_adds_total") == 3
    assert await queue.get() == "a"
    assert scrape.depth(0) == 1
    queue.add("a", priority=5)  # in flight: due again, counted
    assert (scrape.depth(0), scrape.depth(5)) == (1, 1)
    assert scrape.value("workqueue_adds_total") == 4
    queue.done("a")
    assert await queue.get() == "a"
    queue.done("a")
    # A priority once seen keeps its series, at zero.
    assert (scrape.depth(0), scrape.depth(5), scrape.depth(LOW_PRIORITY)) == (1, 0, 1)
    queue.shutdown()


async def test_queue_and_work_durations_are_observed_per_key(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    scrape = Scrape(registry, "pods")
    queue = rl_queue(registry, clock)
    queue.add("a")
    await clock.advance(2)
    queue.add("b")
    assert await queue.get() == "a"
    assert await queue.get() == "b"
    assert scrape.histogram("workqueue_queue_duration_seconds") == (2, 2.0)
    bucket = "workqueue_queue_duration_seconds_bucket"
    assert scrape.value(bucket, le="1e-08") == 1  # "b" waited 0 s
    assert scrape.value(bucket, le="1.0") == 1
    assert scrape.value(bucket, le="10.0") == 2
    await clock.advance(0.5)
    queue.done("a")
    await clock.advance(0.25)
    queue.done("b")
    assert scrape.histogram("workqueue_work_duration_seconds") == (2, 1.25)
    assert scrape.value("workqueue_work_duration_seconds_bucket", le="0.1") == 0
    assert scrape.value("workqueue_work_duration_seconds_bucket", le="1.0") == 2
    queue.shutdown()


async def test_a_key_re_added_in_flight_waits_from_its_re_add(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    scrape = Scrape(registry, "pods")
    queue = rl_queue(registry, clock)
    queue.add("a")
    assert await queue.get() == "a"
    await clock.advance(1)
    queue.add("a")
    await clock.advance(3)
    queue.done("a")
    assert await queue.get() == "a"
    assert scrape.histogram("workqueue_queue_duration_seconds") == (2, 3.0)
    queue.done("a")
    queue.shutdown()


async def test_in_flight_gauges_are_computed_when_scraped(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    scrape = Scrape(registry, "pods")
    queue = rl_queue(registry, clock)
    queue.add("a")
    queue.add("b")
    assert await queue.get() == "a"
    await clock.advance(3)
    assert await queue.get() == "b"
    await clock.advance(1)
    assert scrape.value("workqueue_unfinished_work_seconds") == 5.0
    assert scrape.value("workqueue_longest_running_processor_seconds") == 4.0
    await clock.advance(1)
    assert scrape.value("workqueue_unfinished_work_seconds") == 7.0
    queue.done("a")
    assert scrape.value("workqueue_unfinished_work_seconds") == 2.0
    assert scrape.value("workqueue_longest_running_processor_seconds") == 2.0
    queue.done("b")
    assert scrape.value("workqueue_unfinished_work_seconds") == 0.0
    assert scrape.value("workqueue_longest_running_processor_seconds") == 0.0
    queue.shutdown()


async def test_retries_count_adds_with_a_delay(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    scrape = Scrape(registry, "pods")
    queue = rl_queue(registry, clock)
    queue.add_after("a", 5)
    queue.add_after("a", 10)
    queue.add_after("b", 0)
    queue.add_rate_limited("c")
    assert scrape.value("workqueue_retries_total") == 3
    queue.shutdown()


async def test_a_delayed_key_is_added_when_it_falls_due(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    scrape = Scrape(registry, "pods")
    queue = rl_queue(registry, clock)
    queue.add_after("a", 5)
    assert scrape.value("workqueue_adds_total") == 0
    assert scrape.depth(0) == 0
    await clock.advance(5)
    assert scrape.value("workqueue_adds_total") == 1
    assert scrape.depth(0) == 1
    await clock.advance(1)
    assert await queue.get() == "a"
    assert scrape.histogram("workqueue_queue_duration_seconds") == (1, 1.0)
    queue.done("a")
    queue.shutdown()


async def test_an_unnamed_queue_reports_nothing(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock, metrics=PrometheusQueueMetricsProvider(registry))
    queue.add("a")
    assert [s for f in registry.collect() for s in f.samples] == []
    queue.shutdown()


async def test_queues_of_one_name_share_their_series(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    scrape = Scrape(registry, "pods")
    provider = PrometheusQueueMetricsProvider(registry)
    first: FifoQueue[str] = FifoQueue("pods", clock=clock, metrics=provider)
    second: FifoQueue[str] = FifoQueue("pods", clock=clock, metrics=provider)
    first.add("a")
    second.add("b")
    second.add("c")
    assert scrape.value("workqueue_adds_total") == 3
    assert scrape.depth(0) == 3
    first.shutdown()
    del first
    gc.collect()
    # A discarded queue's keys no longer count in the depth; the counter keeps its total.
    assert scrape.depth(0) == 2
    assert scrape.value("workqueue_adds_total") == 3
    second.shutdown()


async def test_priority_labels_are_bounded(registry: CollectorRegistry, clock: FakeClock) -> None:
    scrape = Scrape(registry, "pods")
    queue = rl_queue(registry, clock)
    for priority in range(1, 31):
        queue.add(f"k{priority}", priority=priority)
    depths = {
        s.labels["priority"]: s.value
        for f in registry.collect()
        if f.name == "workqueue_depth"
        for s in f.samples
    }
    assert len(depths) == 26
    assert sum(depths.values()) == 30
    assert depths["exceeded_cardinality_limit"] == 6
    assert scrape.depth(30) == 1
    queue.shutdown()


async def test_ever_new_priorities_do_not_grow_the_metrics(
    registry: CollectorRegistry, clock: FakeClock
) -> None:
    # A caller may use unbounded priorities (a timestamp, say): past the labelled ones, each
    # new priority must cost nothing once its keys are gone.
    scrape = Scrape(registry, "pods")
    queue = rl_queue(registry, clock)

    async def through(priorities: range) -> None:
        for priority in priorities:
            queue.add("k", priority=priority)
            scrape.depth(0)
            key = await queue.get()
            queue.done(key)

    await through(range(1, 300))  # the labels are taken, and the allocator warmed up
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        await through(range(1000, 6000))
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 50_000, f"{grown} bytes kept for 5,000 priorities"
    assert scrape.depth("exceeded_cardinality_limit") == 0
    queue.shutdown()


def test_a_registry_takes_the_families_once(registry: CollectorRegistry) -> None:
    PrometheusQueueMetricsProvider(registry)
    with pytest.raises(ValueError, match="Duplicated timeseries"):
        PrometheusQueueMetricsProvider(registry)
