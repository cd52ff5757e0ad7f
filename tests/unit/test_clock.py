"""Clocks: FakeClock's deterministic advance, RealClock's contract."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from mirrorctl.clock import Clock, FakeClock, RealClock

__all__: list[str] = []


@pytest.fixture(autouse=True)
async def no_leaked_tasks() -> AsyncIterator[None]:
    before = asyncio.all_tasks()
    yield
    await asyncio.sleep(0)
    leaked = asyncio.all_tasks() - before - {asyncio.current_task()}
    assert not leaked, f"tasks left running: {leaked}"


def test_both_clocks_satisfy_the_protocol() -> None:
    clocks: list[Clock] = [RealClock(), FakeClock()]
    assert all(isinstance(c.monotonic(), float) for c in clocks)


async def test_fake_time_moves_only_when_advanced() -> None:
    clock = FakeClock(start=50.0)
    assert clock.monotonic() == 50.0
    await asyncio.sleep(0)
    assert clock.monotonic() == 50.0
    await clock.advance(2.5)
    assert clock.monotonic() == 52.5
    with pytest.raises(ValueError, match="back"):
        await clock.advance(-1)


async def test_a_sleeper_wakes_when_its_deadline_is_reached() -> None:
    clock = FakeClock()
    sleeper = asyncio.create_task(clock.sleep(5))
    await clock.advance(4.9)
    assert not sleeper.done()
    await clock.advance(0.1)
    assert sleeper.done()
    await sleeper


async def test_sleepers_wake_in_deadline_order_at_their_own_time() -> None:
    clock = FakeClock()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.monotonic()))

    tasks = [
        asyncio.create_task(sleeper(name, s))
        for name, s in (("c", 3.0), ("a", 1.0), ("b", 2.0), ("a2", 1.0))
    ]
    await clock.advance(10)
    assert woke == [("a", 1.0), ("a2", 1.0), ("b", 2.0), ("c", 3.0)]
    assert clock.monotonic() == 10.0
    await asyncio.gather(*tasks)


async def test_a_periodic_sleeper_runs_once_per_period_within_one_advance() -> None:
    clock = FakeClock()
    ticks: list[float] = []

    async def every_two_seconds() -> None:
        while True:
            await clock.sleep(2)
            ticks.append(clock.monotonic())

    task = asyncio.create_task(every_two_seconds())
    await clock.advance(9)
    assert ticks == [2.0, 4.0, 6.0, 8.0]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert clock.pending_timers == 0


async def test_a_cancelled_sleep_leaves_no_timer() -> None:
    clock = FakeClock()
    sleeper = asyncio.create_task(clock.sleep(5))
    await clock.settle()
    assert clock.pending_timers == 1
    sleeper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sleeper
    assert clock.pending_timers == 0
    assert clock.next_deadline() is None


async def test_a_zero_sleep_yields_without_a_timer() -> None:
    clock = FakeClock()
    await clock.sleep(0)
    assert clock.pending_timers == 0


async def test_call_at_fires_at_the_deadline_with_the_clock_there() -> None:
    clock = FakeClock()
    seen: list[float] = []
    clock.call_at(3.0, lambda: seen.append(clock.monotonic()))
    cancelled = clock.call_at(2.0, lambda: seen.append(-1.0))
    cancelled.cancel()
    assert clock.pending_timers == 1
    assert clock.next_deadline() == 3.0
    await clock.advance(2.999)
    assert seen == []
    await clock.advance(0.001)
    assert seen == [3.0]
    assert clock.pending_timers == 0


async def test_a_timer_scheduled_by_a_timer_fires_in_the_same_advance() -> None:
    clock = FakeClock()
    seen: list[float] = []

    def first() -> None:
        seen.append(clock.monotonic())
        clock.call_at(clock.monotonic() + 1, lambda: seen.append(clock.monotonic()))

    clock.call_at(1.0, first)
    await clock.advance(5)
    assert seen == [1.0, 2.0]


async def test_a_deadline_in_the_past_fires_on_the_next_advance() -> None:
    clock = FakeClock(start=10.0)
    seen: list[float] = []
    clock.call_at(5.0, lambda: seen.append(clock.monotonic()))
    await clock.advance(0)
    assert seen == [10.0]


async def test_real_clock_call_at_runs_the_callback_on_the_loop() -> None:
    clock = RealClock()
    fired = asyncio.Event()
    clock.call_at(clock.monotonic() - 1.0, fired.set)
    await fired.wait()
    handle = clock.call_at(clock.monotonic() + 3600, fired.clear)
    handle.cancel()
    await asyncio.sleep(0)
    assert fired.is_set()


async def test_real_clock_is_monotonic_and_sleeps() -> None:
    clock = RealClock()
    before = clock.monotonic()
    await clock.sleep(0)
    assert clock.monotonic() >= before
