from __future__ import annotations

import asyncio

import pytest

from mirrorctl.client.limiter import TokenBucketLimiter
from mirrorctl.clock import FakeClock


def test_burst_then_spaced_reservations() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(2.0, 3, clock=clock)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 0.0]
    # Each further caller queues half a second behind the previous one.
    assert [limiter.reserve() for _ in range(3)] == [0.5, 1.0, 1.5]


async def test_tokens_refill_up_to_burst_only() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(1.0, 2, clock=clock)
    limiter.reserve()
    limiter.reserve()
    await clock.advance(100)
    assert [limiter.reserve() for _ in range(3)] == [0.0, 0.0, 1.0]


async def test_acquire_waits_for_its_token() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(4.0, 1, clock=clock)
    await limiter.acquire()
    done: list[float] = []

    async def caller() -> None:
        await limiter.acquire()
        done.append(clock.monotonic())

    tasks = [asyncio.create_task(caller()) for _ in range(2)]
    await clock.advance(0.24)
    assert done == []
    await clock.advance(0.01)
    assert done == [0.25]
    await clock.advance(0.25)
    assert done == [0.25, 0.5]
    await asyncio.gather(*tasks)


async def test_cancelled_waiter_gives_its_token_back() -> None:
    clock = FakeClock()
    limiter = TokenBucketLimiter(1.0, 1, clock=clock)
    await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await clock.settle()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    # Without the refund the next caller would wait 2s (behind the abandoned reservation).
    assert limiter.reserve() == 1.0


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="qps"):
        TokenBucketLimiter(0, 1)
    with pytest.raises(ValueError, match="burst"):
        TokenBucketLimiter(1, 0)
