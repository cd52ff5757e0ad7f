"""Rate limiters: the sequence of delays each gives, forget, and num_requeues."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from mirrorctl.clock import FakeClock
from mirrorctl.queue import (
    BucketRateLimiter,
    ItemExponentialRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
    WithMaxWaitRateLimiter,
    default_controller_rate_limiter,
)

__all__: list[str] = []


def test_exponential_doubles_per_key_from_the_base() -> None:
    limiter: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter(0.001, 1.0)
    assert [limiter.when("a") for _ in range(5)] == [0.001, 0.002, 0.004, 0.008, 0.016]
    assert limiter.num_requeues("a") == 5
    # Keys are independent.
    assert limiter.when("b") == 0.001
    assert limiter.num_requeues("b") == 1


def test_exponential_stops_at_the_cap_and_never_overflows() -> None:
    limiter: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter(0.001, 1.0)
    delays = [limiter.when("a") for _ in range(2000)]
    assert delays[9] == 0.512
    assert delays[10] == 1.0
    assert set(delays[10:]) == {1.0}


def test_exponential_forget_starts_the_key_over() -> None:
    limiter: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter(0.001, 1.0)
    for _ in range(4):
        limiter.when("a")
    limiter.when("b")
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    assert limiter.when("a") == 0.001
    assert limiter.num_requeues("b") == 1
    limiter.forget("never-seen")


def test_exponential_defaults_to_5ms_up_to_1000s() -> None:
    limiter: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter()
    delays = [limiter.when("a") for _ in range(20)]
    assert delays[:3] == [0.005, 0.01, 0.02]
    assert delays[17] == 0.005 * 2**17
    assert delays[18] == 1000.0


def test_bucket_serves_the_burst_then_spaces_by_the_rate() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(qps=10, burst=3, clock=clock)
    delays = [limiter.when(f"k{i}") for i in range(6)]
    assert delays[:3] == [0.0, 0.0, 0.0]
    # Each further call reserves the next token: 0.1 s, 0.2 s, 0.3 s from now.
    assert delays[3:] == pytest.approx([0.1, 0.2, 0.3])
    assert limiter.num_requeues("k0") == 0


async def test_bucket_refills_at_the_rate_up_to_the_burst() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(qps=10, burst=3, clock=clock)
    for _ in range(3):
        limiter.when("a")
    await clock.advance(0.2)  # two tokens back
    assert [limiter.when("a") for _ in range(3)] == pytest.approx([0.0, 0.0, 0.1])
    await clock.advance(60)  # refills to the burst, not beyond
    assert [limiter.when("a") for _ in range(4)] == pytest.approx([0.0, 0.0, 0.0, 0.1])


async def test_bucket_delays_count_from_tokens_already_reserved() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(qps=2, burst=1, clock=clock)
    assert limiter.when("a") == 0.0
    assert limiter.when("a") == pytest.approx(0.5)
    assert limiter.when("a") == pytest.approx(1.0)
    await clock.advance(0.75)
    # Tokens are reserved for t=0, 0.5 and 1.0; the fourth is due at t=1.5, 0.75 s from now.
    assert limiter.when("a") == pytest.approx(0.75)


def test_bucket_defaults_to_10_qps_burst_100() -> None:
    limiter = BucketRateLimiter(clock=FakeClock())
    delays = [limiter.when("a") for _ in range(102)]
    assert delays[:100] == [0.0] * 100
    assert delays[100:] == pytest.approx([0.1, 0.2])


def test_bucket_forget_is_a_no_op() -> None:
    clock = FakeClock()
    limiter = BucketRateLimiter(qps=1, burst=1, clock=clock)
    limiter.when("a")
    limiter.forget("a")
    assert limiter.when("a") == pytest.approx(1.0)


@pytest.mark.parametrize(("qps", "burst"), [(0, 1), (-1, 1), (1, 0), (math.nan, 1)])
def test_bucket_rejects_impossible_settings(qps: float, burst: int) -> None:
    with pytest.raises(ValueError, match=r"qps|burst"):
        BucketRateLimiter(qps=qps, burst=burst, clock=FakeClock())


def test_fast_slow_is_fast_for_the_first_attempts_only() -> None:
    limiter: ItemFastSlowRateLimiter[str] = ItemFastSlowRateLimiter(0.1, 5.0, max_fast_attempts=3)
    assert [limiter.when("a") for _ in range(5)] == [0.1, 0.1, 0.1, 5.0, 5.0]
    assert limiter.num_requeues("a") == 5
    assert limiter.when("b") == 0.1
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    assert limiter.when("a") == 0.1


def test_max_of_waits_for_the_slowest_and_asks_every_limiter() -> None:
    fast_slow: ItemFastSlowRateLimiter[str] = ItemFastSlowRateLimiter(0.5, 3.0, 2)
    exponential: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter(0.1, 100.0)
    limiter = MaxOfRateLimiter(fast_slow, exponential)
    assert [limiter.when("a") for _ in range(6)] == [0.5, 0.5, 3.0, 3.0, 3.0, 3.2]
    assert fast_slow.num_requeues("a") == 6
    assert exponential.num_requeues("a") == 6
    assert limiter.num_requeues("a") == 6
    limiter.forget("a")
    assert fast_slow.num_requeues("a") == 0
    assert exponential.num_requeues("a") == 0


def test_max_of_reports_the_most_requeues() -> None:
    exponential: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter(0.1, 100.0)
    bucket = BucketRateLimiter(clock=FakeClock())
    limiter = MaxOfRateLimiter(bucket, exponential)
    limiter.when("a")
    limiter.when("a")
    assert limiter.num_requeues("a") == 2


def test_max_of_needs_a_limiter() -> None:
    with pytest.raises(ValueError, match="at least one"):
        MaxOfRateLimiter[str]()


def test_with_max_wait_caps_the_delay_and_delegates_the_rest() -> None:
    exponential: ItemExponentialRateLimiter[str] = ItemExponentialRateLimiter(1.0, 1000.0)
    limiter = WithMaxWaitRateLimiter(exponential, max_delay=5.0)
    assert [limiter.when("a") for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert limiter.num_requeues("a") == 5
    limiter.forget("a")
    assert exponential.num_requeues("a") == 0
    assert limiter.when("a") == 1.0


async def test_the_default_is_per_key_backoff_under_an_overall_bucket() -> None:
    clock = FakeClock()
    limiter: RateLimiter[str] = default_controller_rate_limiter(clock=clock)
    assert [limiter.when("a") for _ in range(3)] == [0.005, 0.01, 0.02]
    # 97 more keys exhaust the bucket of 100; the next attempt of a fresh key waits for a token.
    for i in range(97):
        assert limiter.when(f"k{i}") == 0.005
    assert limiter.when("fresh") == pytest.approx(0.1)
    assert limiter.num_requeues("a") == 3
    limiter.forget("a")
    assert limiter.num_requeues("a") == 0
    await clock.advance(100)
    assert limiter.when("a") == 0.005


@pytest.mark.parametrize(
    "make",
    [
        lambda: ItemExponentialRateLimiter[str](math.nan, 1.0),
        lambda: ItemExponentialRateLimiter[str](0.1, math.nan),
        lambda: ItemFastSlowRateLimiter[str](math.nan, 1.0, 3),
        lambda: ItemFastSlowRateLimiter[str](0.1, math.nan, 3),
        lambda: WithMaxWaitRateLimiter(ItemExponentialRateLimiter[str](), math.nan),
    ],
)
def test_a_nan_delay_setting_is_refused(make: Callable[[], object]) -> None:
    # min() with a NaN cap returns NaN, a delay the queue must refuse: fail at construction.
    with pytest.raises(ValueError, match="NaN"):
        make()
