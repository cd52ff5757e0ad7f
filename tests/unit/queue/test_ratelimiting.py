"""RateLimitingQueue: retries spaced by its limiter, forget, num_requeues."""

from __future__ import annotations

from mirrorctl.clock import FakeClock
from mirrorctl.queue import (
    ItemExponentialRateLimiter,
    ItemFastSlowRateLimiter,
    RateLimitingQueue,
)

__all__: list[str] = []


async def test_add_rate_limited_waits_as_long_as_the_limiter_says(clock: FakeClock) -> None:
    limiter: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter(1.0, 100.0)
    queue = RateLimitingQueue(rate_limiter=limiter, clock=clock)
    for expected_delay in (1.0, 2.0, 4.0):
        queue.add_rate_limited("a")
        await clock.advance(expected_delay - 0.001)
        assert len(queue) == 0
        await clock.advance(0.001)
        assert len(queue) == 1
        assert await queue.get() == "a"
        queue.done("a")
    assert queue.num_requeues("a") == 3
    queue.shutdown()


async def test_forget_resets_the_backoff(clock: FakeClock) -> None:
    limiter: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter(1.0, 100.0)
    queue = RateLimitingQueue(rate_limiter=limiter, clock=clock)
    queue.add_rate_limited("a")
    queue.add_rate_limited("a")
    assert queue.num_requeues("a") == 2
    queue.forget("a")
    assert queue.num_requeues("a") == 0
    await clock.advance(1)
    assert len(queue) == 1
    queue.shutdown()


async def test_a_zero_delay_from_the_limiter_queues_at_once(clock: FakeClock) -> None:
    limiter: ItemFastSlowRateLimiter[str] = ItemFastSlowRateLimiter(0.0, 10.0, 1)
    queue = RateLimitingQueue(rate_limiter=limiter, clock=clock)
    queue.add_rate_limited("a")
    assert len(queue) == 1
    assert clock.pending_timers == 0
    queue.shutdown()


async def test_rate_limited_keys_keep_their_priority(clock: FakeClock) -> None:
    limiter: ItemFastSlowRateLimiter[str] = ItemFastSlowRateLimiter(1.0, 10.0, 5)
    queue = RateLimitingQueue(rate_limiter=limiter, clock=clock)
    queue.add("plain")
    queue.add_rate_limited("urgent", priority=5)
    await clock.advance(1)
    assert await queue.get() == "urgent"
    queue.done("urgent")
    queue.shutdown()


async def test_the_default_limiter_is_the_controller_one(clock: FakeClock) -> None:
    queue: RateLimitingQueue[str] = RateLimitingQueue(clock=clock)
    queue.add_rate_limited("a")
    await clock.advance(0.004)
    assert len(queue) == 0
    await clock.advance(0.001)
    assert len(queue) == 1
    queue.shutdown()


async def test_nothing_is_added_after_shutdown(clock: FakeClock) -> None:
    limiter: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter(1.0, 100.0)
    queue = RateLimitingQueue(rate_limiter=limiter, clock=clock)
    queue.shutdown()
    queue.add_rate_limited("a")
    assert queue.num_requeues("a") == 0
    assert clock.pending_timers == 0
