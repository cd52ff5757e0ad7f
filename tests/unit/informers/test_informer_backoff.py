"""ExponentialBackoff: the delay schedule, its cap, jitter bounds and the healthy-stretch reset."""

from __future__ import annotations

import random

import pytest

from mirrorctl.clock import FakeClock
from mirrorctl.informers.backoff import ExponentialBackoff


async def test_delays_double_from_initial_up_to_the_cap() -> None:
    clock = FakeClock()
    backoff = ExponentialBackoff(clock, jitter=0.0)
    delays = []
    for _ in range(9):
        delay = backoff.next_delay()
        delays.append(delay)
        await clock.advance(delay)
    assert delays == pytest.approx([0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0, 30.0])


async def test_a_healthy_stretch_resets_the_schedule() -> None:
    clock = FakeClock()
    backoff = ExponentialBackoff(clock, jitter=0.0, reset_after=120.0)
    for _ in range(4):
        backoff.next_delay()
    await clock.advance(120.0)  # not longer than reset_after: still failing
    assert backoff.next_delay() == pytest.approx(12.8)
    await clock.advance(120.5)
    assert backoff.next_delay() == pytest.approx(0.8)
    assert backoff.next_delay() == pytest.approx(1.6)


async def test_reset_forgets_failures() -> None:
    backoff = ExponentialBackoff(FakeClock(), jitter=0.0)
    for _ in range(5):
        backoff.next_delay()
    backoff.reset()
    assert backoff.next_delay() == pytest.approx(0.8)


async def test_jitter_stretches_each_delay_within_bounds() -> None:
    clock = FakeClock()
    backoff = ExponentialBackoff(clock, jitter=0.5, rng=random.Random(7))
    step = 0.8
    seen = []
    for _ in range(12):
        delay = backoff.next_delay()
        assert step <= delay < step * 1.5
        seen.append(delay / step)
        await clock.advance(delay)
        step = min(step * 2, 30.0)
    assert len(set(seen)) > 1  # jitter actually varies


def test_rejects_nonsense_parameters() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError, match="initial"):
        ExponentialBackoff(clock, initial=0.0)
    with pytest.raises(ValueError, match="initial"):
        ExponentialBackoff(clock, initial=5.0, cap=1.0)
    with pytest.raises(ValueError, match="factor"):
        ExponentialBackoff(clock, factor=0.5)
