"""Work queue duration histograms: exact buckets and sums across folds, and which add a wait
is timed from when a key is promoted, re-added in flight, or added while it waits."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable

from prometheus_client import CollectorRegistry

from mirrorctl.clock import FakeClock, TimerHandle
from mirrorctl.metrics.workqueue import PrometheusQueueMetricsProvider
from mirrorctl.queue import FifoQueue, RateLimitingQueue
from mirrorctl.queue.metrics import FOLD_EVERY

__all__: list[str] = []

NAME = "pods"
BOUNDS = ["1e-08", "1e-07", "1e-06", "9.999999999999999e-06", "9.999999999999999e-05"]
BOUNDS += ["0.001", "0.01", "0.1", "1.0", "10.0", "100.0", "1000.0", "+Inf"]


def sample(registry: CollectorRegistry, metric: str, **labels: str) -> float | None:
    return registry.get_sample_value(metric, {"name": NAME, "controller": NAME, **labels})


def buckets(registry: CollectorRegistry, metric: str) -> dict[str, float]:
    """Cumulative bucket counts by `le`, all of them present."""
    out: dict[str, float] = {}
    for bound in BOUNDS:
        value = sample(registry, f"{metric}_bucket", le=bound)
        assert value is not None, bound
        out[bound] = value
    return out


def queue_on(registry: CollectorRegistry, clock: FakeClock) -> RateLimitingQueue[str]:
    return RateLimitingQueue(NAME, clock=clock, metrics=PrometheusQueueMetricsProvider(registry))


class SetClock:
    """A clock a test sets to exact readings (a FakeClock moves by sums, which round)."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        raise NotImplementedError

    def call_at(self, deadline: float, callback: Callable[[], None]) -> TimerHandle:
        raise NotImplementedError


async def test_a_duration_equal_to_a_bound_is_counted_in_that_bounds_bucket() -> None:
    clock = SetClock()
    registry = CollectorRegistry()
    queue: FifoQueue[str] = FifoQueue(
        NAME, clock=clock, metrics=PrometheusQueueMetricsProvider(registry)
    )
    for key in "abcd":
        queue.add(key)
    assert [await queue.get(), await queue.get()] == ["a", "b"]
    clock.now = 0.001
    queue.done("a")
    assert await queue.get() == "c"
    clock.now = 0.01
    queue.done("b")
    assert await queue.get() == "d"
    # Waits 0, 0, 0.001 and 0.01; works 0.001 and 0.01.
    queued = buckets(registry, "workqueue_queue_duration_seconds")
    assert [queued[le] for le in BOUNDS[:8]] == [2, 2, 2, 2, 2, 3, 4, 4]
    worked = buckets(registry, "workqueue_work_duration_seconds")
    assert [worked[le] for le in BOUNDS[:8]] == [0, 0, 0, 0, 0, 1, 2, 2]
    queue.shutdown()


async def test_buckets_and_sums_stay_exact_across_folds(clock: FakeClock) -> None:
    """More keys than one fold takes, with waits and works spread over several buckets,
    scraped before, between and after folds."""
    registry = CollectorRegistry()
    queue = queue_on(registry, clock)
    waits = [0.0, 0.25, 2.5, 25.0]  # buckets le=1e-08, 1.0, 10.0, 100.0
    works = [0.5, 5.0]  # buckets le=1.0, 10.0
    total = 2 * FOLD_EVERY + 7
    expected_wait_sum = 0.0
    expected_work_sum = 0.0
    for index in range(total):
        wait, work = waits[index % 4], works[index % 2]
        queue.add(f"k{index}")
        await clock.advance(wait)
        assert await queue.get() == f"k{index}"
        await clock.advance(work)
        queue.done(f"k{index}")
        expected_wait_sum += wait
        expected_work_sum += work
        if index in (FOLD_EVERY - 2, FOLD_EVERY - 1, FOLD_EVERY, total - 1):
            seen = index + 1
            per_wait = [len(range(k, seen, 4)) for k in range(4)]
            per_work = [len(range(k, seen, 2)) for k in range(2)]
            queued = buckets(registry, "workqueue_queue_duration_seconds")
            assert queued["1e-08"] == per_wait[0]
            assert queued["0.1"] == per_wait[0]
            assert queued["1.0"] == per_wait[0] + per_wait[1]
            assert queued["10.0"] == seen - per_wait[3]
            assert queued["100.0"] == queued["+Inf"] == seen
            worked = buckets(registry, "workqueue_work_duration_seconds")
            assert worked["0.1"] == 0
            assert worked["1.0"] == per_work[0]
            assert worked["10.0"] == worked["+Inf"] == seen
            assert sample(registry, "workqueue_queue_duration_seconds_count") == seen
            assert sample(registry, "workqueue_work_duration_seconds_count") == seen
    # All durations are multiples of 1/4 well within a double's precision: the sums are exact.
    assert sample(registry, "workqueue_queue_duration_seconds_sum") == expected_wait_sum
    assert sample(registry, "workqueue_work_duration_seconds_sum") == expected_work_sum
    assert sample(registry, "workqueue_adds_total") == total
    queue.shutdown()


async def test_a_scrape_changes_nothing(clock: FakeClock) -> None:
    registry = CollectorRegistry()
    queue = queue_on(registry, clock)
    for index in range(3):
        queue.add(f"k{index}")
        await clock.advance(1)
        assert await queue.get() == f"k{index}"
        queue.done(f"k{index}")
    first = buckets(registry, "workqueue_queue_duration_seconds")
    assert first == buckets(registry, "workqueue_queue_duration_seconds")
    assert sample(registry, "workqueue_queue_duration_seconds_sum") == 3.0
    assert sample(registry, "workqueue_queue_duration_seconds_sum") == 3.0
    queue.shutdown()


async def test_a_promoted_key_waits_from_its_first_add(clock: FakeClock) -> None:
    registry = CollectorRegistry()
    queue = queue_on(registry, clock)
    queue.add("a", priority=-1)
    await clock.advance(2)
    queue.add("a", priority=1)
    await clock.advance(1)
    assert await queue.get() == "a"
    assert sample(registry, "workqueue_queue_duration_seconds_sum") == 3.0
    assert sample(registry, "workqueue_adds_total") == 1
    queue.done("a")
    queue.shutdown()


async def test_a_key_re_added_in_flight_waits_from_its_first_re_add(clock: FakeClock) -> None:
    registry = CollectorRegistry()
    queue = queue_on(registry, clock)
    queue.add("a")
    assert await queue.get() == "a"
    await clock.advance(1)
    queue.add("a")
    await clock.advance(1)
    queue.add("a", priority=5)  # raises its priority, not its due time
    await clock.advance(1)
    queue.done("a")
    assert await queue.get() == "a"
    assert sample(registry, "workqueue_queue_duration_seconds_sum") == 2.0
    assert sample(registry, "workqueue_work_duration_seconds_sum") == 3.0
    assert sample(registry, "workqueue_adds_total") == 2
    queue.done("a")
    queue.shutdown()


async def test_adding_a_waiting_key_now_times_its_wait_from_then(clock: FakeClock) -> None:
    registry = CollectorRegistry()
    queue = queue_on(registry, clock)
    queue.add_after("a", 10)
    await clock.advance(2)
    queue.add("a")
    await clock.advance(1)
    assert await queue.get() == "a"
    queue.done("a")
    await clock.advance(10)  # the superseded delay adds nothing
    assert sample(registry, "workqueue_queue_duration_seconds_sum") == 1.0
    assert sample(registry, "workqueue_adds_total") == 1
    assert sample(registry, "workqueue_retries_total") == 1
    assert len(queue) == 0
    queue.shutdown()


async def test_in_flight_gauges_cover_every_queue_of_a_name(clock: FakeClock) -> None:
    registry = CollectorRegistry()
    provider = PrometheusQueueMetricsProvider(registry)
    first: FifoQueue[str] = FifoQueue(NAME, clock=clock, metrics=provider)
    second: FifoQueue[str] = FifoQueue(NAME, clock=clock, metrics=provider)
    first.add("a")
    second.add("a")  # the same key in two queues is two pieces of work
    assert await first.get() == "a"
    await clock.advance(2)
    assert await second.get() == "a"
    await clock.advance(1)
    assert sample(registry, "workqueue_unfinished_work_seconds") == 4.0
    assert sample(registry, "workqueue_longest_running_processor_seconds") == 3.0
    # A discarded queue's work in progress is no longer reported; its histograms stay.
    first.shutdown()
    del first
    gc.collect()
    assert sample(registry, "workqueue_unfinished_work_seconds") == 1.0
    second.done("a")
    assert sample(registry, "workqueue_unfinished_work_seconds") == 0.0
    assert sample(registry, "workqueue_work_duration_seconds_count") == 1
    assert sample(registry, "workqueue_queue_duration_seconds_count") == 2
    second.shutdown()


async def test_a_scrape_off_the_loop_thread_counts_folded_and_pending_durations(
    clock: FakeClock,
) -> None:
    registry = CollectorRegistry()
    queue = queue_on(registry, clock)
    done_so_far = 0

    def scrape() -> None:
        assert sample(registry, "workqueue_work_duration_seconds_count") == done_so_far

    for index in range(FOLD_EVERY + 3):
        queue.add(f"k{index}")
        assert await queue.get() == f"k{index}"
        queue.done(f"k{index}")
        done_so_far += 1
        if index % 97 == 0 or index >= FOLD_EVERY - 2:
            await asyncio.to_thread(scrape)
    queue.shutdown()
