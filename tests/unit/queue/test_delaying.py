"""DelayingQueue: add_after, only-earlier re-adds, one timer for all waiting keys, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from mirrorctl.clock import FakeClock
from mirrorctl.queue import LOW_PRIORITY, DelayingQueue, ShutDown

__all__: list[str] = []


async def take(queue: DelayingQueue[str], count: int) -> list[str]:
    keys = []
    for _ in range(count):
        key = await queue.get()
        queue.done(key)
        keys.append(key)
    return keys


async def test_a_key_is_due_once_its_delay_has_passed(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("a", 5)
    assert len(queue) == 0
    await clock.advance(4.999)
    assert len(queue) == 0
    await clock.advance(0.001)
    assert len(queue) == 1
    assert await take(queue, 1) == ["a"]
    queue.shutdown()


async def test_a_waiting_worker_gets_the_key_when_it_falls_due(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    getter = asyncio.create_task(queue.get())
    queue.add_after("a", 1)
    await clock.advance(0.5)
    assert not getter.done()
    await clock.advance(0.5)
    assert getter.done()
    assert getter.result() == "a"
    queue.done("a")
    queue.shutdown()


async def test_a_zero_or_negative_delay_queues_at_once(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("a", 0)
    queue.add_after("b", -1)
    assert len(queue) == 2
    assert clock.pending_timers == 0
    assert await take(queue, 2) == ["a", "b"]
    queue.shutdown()


async def test_keys_fall_due_in_order_of_their_ready_time(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("late", 3)
    queue.add_after("early", 1)
    queue.add_after("middle", 2)
    await clock.advance(10)
    assert await take(queue, 3) == ["early", "middle", "late"]
    queue.shutdown()


async def test_re_adding_a_waiting_key_can_only_bring_it_earlier(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("a", 10)
    queue.add_after("a", 20)  # later: ignored
    queue.add_after("a", 3)  # earlier: wins
    await clock.advance(3)
    assert len(queue) == 1
    assert await take(queue, 1) == ["a"]
    # The superseded 10 s and 20 s entries do not queue it again.
    await clock.advance(20)
    assert len(queue) == 0
    queue.shutdown()


async def test_a_later_re_add_can_still_raise_the_priority(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("a", 1)
    queue.add_after("a", 5, priority=3)  # later: the time stays, the priority rises
    queue.add("b", priority=1)
    await clock.advance(1)
    assert await take(queue, 2) == ["a", "b"]
    queue.shutdown()


async def test_an_earlier_re_add_keeps_the_higher_priority(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("a", 5, priority=3)
    queue.add_after("a", 1, priority=LOW_PRIORITY)
    queue.add("b", priority=1)
    await clock.advance(1)
    assert await take(queue, 2) == ["a", "b"]
    queue.shutdown()


async def test_an_immediate_add_supersedes_the_delay(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("a", 5, priority=2)
    queue.add("a")
    queue.add("b", priority=1)
    assert len(queue) == 2
    # Still at the waiting entry's higher priority.
    assert await take(queue, 2) == ["a", "b"]
    await clock.advance(5)
    assert len(queue) == 0
    queue.shutdown()


async def test_add_after_of_a_queued_key_leaves_it_queued(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add("a")
    queue.add("b", priority=1)
    queue.add_after("a", 5, priority=2)
    assert clock.pending_timers == 0
    assert await take(queue, 2) == ["a", "b"]
    await clock.advance(5)
    assert len(queue) == 0
    queue.shutdown()


async def test_add_after_of_a_key_in_flight_queues_it_after_done(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    queue.add_after("a", 2)
    await clock.advance(2)
    assert len(queue) == 1
    getter = asyncio.create_task(queue.get())
    await clock.settle()
    assert not getter.done()
    queue.done("a")
    assert await getter == "a"
    queue.done("a")
    queue.shutdown()


async def test_add_after_of_a_key_already_due_again_is_absorbed(clock: FakeClock) -> None:
    # In flight and re-added: it runs again right after this run, which decides what follows.
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    queue.add("a")
    queue.add_after("a", 2)
    assert clock.pending_timers == 0
    queue.done("a")
    assert await take(queue, 1) == ["a"]
    await clock.advance(2)
    assert len(queue) == 0
    queue.shutdown()


async def test_one_timer_serves_all_waiting_keys(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    tasks_before = asyncio.all_tasks()
    for i in range(1000):
        queue.add_after(f"k{i}", 1 + (i * 7919 % 1000) / 100)
    assert clock.pending_timers == 1
    assert asyncio.all_tasks() == tasks_before
    # Bringing a key earlier re-arms the one timer instead of adding another.
    queue.add_after("k5", 0.5)
    assert clock.pending_timers == 1
    assert clock.next_deadline() == 1000.5
    await clock.advance(5)
    assert clock.pending_timers == 1
    await clock.advance(10)
    assert clock.pending_timers == 0
    assert len(queue) == 1000
    queue.shutdown()


async def test_superseded_entries_do_not_pile_up(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    for step in range(1000):
        queue.add_after("a", 10_000 - step)
        queue.add_after("b", 10_000 - step)
    assert len(queue._heap) <= 2 * len(queue._waiting) + 64
    await clock.advance(9001)
    assert await take(queue, 2) == ["a", "b"]
    queue.shutdown()


async def test_shutdown_cancels_the_timer_and_drops_waiting_keys(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("a", 1)
    queue.add("b")
    assert clock.pending_timers == 1
    queue.shutdown()
    assert clock.pending_timers == 0
    queue.add_after("c", 1)
    assert clock.pending_timers == 0
    await clock.advance(2)
    assert await take(queue, 1) == ["b"]
    with pytest.raises(ShutDown):
        await queue.get()


async def test_shutdown_with_drain_also_cancels_the_timer(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("a", 1)
    await queue.shutdown_with_drain()
    assert clock.pending_timers == 0
    await clock.advance(2)
    assert len(queue) == 0


async def test_a_superseded_delay_does_not_fire_for_a_later_add_after(clock: FakeClock) -> None:
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    queue.add_after("c", 5)
    queue.add_after("a", 5)  # superseded below, but stays in the heap behind "c"
    queue.add_after("a", 3)
    await clock.advance(3)
    assert await take(queue, 1) == ["a"]
    queue.add_after("a", 100)
    # At 5 s "c" falls due together with the old entry of "a", which must not queue it.
    await clock.advance(2)
    assert await take(queue, 1) == ["c"]
    assert len(queue) == 0
    await clock.advance(97.999)
    assert len(queue) == 0
    await clock.advance(0.001)
    assert len(queue) == 1
    queue.shutdown()


async def test_a_nan_delay_is_refused_and_stalls_no_other_key(clock: FakeClock) -> None:
    # A NaN ready time compares false with every other: at the top of the heap it would
    # keep the one timer armed for a deadline that never comes, for every waiting key.
    queue: DelayingQueue[str] = DelayingQueue(clock=clock)
    with pytest.raises(ValueError, match="NaN"):
        queue.add_after("a", float("nan"))
    queue.add_after("b", 1)
    await clock.advance(1)
    assert await take(queue, 1) == ["b"]
    assert len(queue) == 0
    queue.shutdown()
