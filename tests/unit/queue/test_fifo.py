"""FifoQueue: de-duplication, the processing set, priorities, shutdown."""

from __future__ import annotations

import asyncio

import pytest

from mirrorctl.clock import FakeClock
from mirrorctl.queue import LOW_PRIORITY, FifoQueue, ShutDown

__all__: list[str] = []


async def take(queue: FifoQueue[str], count: int) -> list[str]:
    """`count` keys, each marked done right away."""
    keys = []
    for _ in range(count):
        key = await queue.get()
        queue.done(key)
        keys.append(key)
    return keys


async def assert_blocked(clock: FakeClock, task: asyncio.Task[str]) -> None:
    await clock.settle()
    assert not task.done()


async def test_keys_come_out_in_the_order_they_went_in(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    for key in "abc":
        queue.add(key)
    assert await take(queue, 3) == ["a", "b", "c"]
    queue.shutdown()


async def test_a_queued_key_is_queued_once(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    queue.add("b")
    queue.add("a")
    assert len(queue) == 2
    assert await take(queue, 2) == ["a", "b"]
    assert len(queue) == 0
    queue.shutdown()


async def test_a_key_in_flight_is_not_handed_out_until_done(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    queue.add("a")
    assert len(queue) == 1
    second = asyncio.create_task(queue.get())
    await assert_blocked(clock, second)
    queue.done("a")
    assert await second == "a"
    queue.done("a")
    queue.shutdown()


async def test_re_adds_during_processing_make_one_more_run(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    for _ in range(3):
        queue.add("a")
    queue.done("a")
    assert len(queue) == 1
    assert await take(queue, 1) == ["a"]
    assert len(queue) == 0
    queue.shutdown()


async def test_a_key_re_added_in_flight_goes_behind_keys_queued_meanwhile(
    clock: FakeClock,
) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    queue.add("a")
    queue.add("b")
    queue.done("a")
    assert await take(queue, 2) == ["b", "a"]
    queue.shutdown()


async def test_workers_never_hold_the_same_key_at_once(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    keys = [f"k{i}" for i in range(5)]
    holding: set[str] = set()
    overlaps: list[str] = []
    runs: dict[str, int] = dict.fromkeys(keys, 0)

    async def worker() -> None:
        try:
            while True:
                key = await queue.get()
                if key in holding:
                    overlaps.append(key)
                holding.add(key)
                runs[key] += 1
                for _ in range(3):
                    await asyncio.sleep(0)
                holding.discard(key)
                queue.done(key)
        except ShutDown:
            return

    workers = [asyncio.create_task(worker()) for _ in range(4)]
    for _ in range(20):
        for key in keys:
            queue.add(key)
        await asyncio.sleep(0)
    await queue.shutdown_with_drain()
    await asyncio.gather(*workers)
    assert overlaps == []
    # Every key ran at least once and at most once per round of adds.
    assert all(1 <= count <= 20 for count in runs.values())


async def test_higher_priority_first_and_fifo_within_a_priority(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    queue.add("b", priority=LOW_PRIORITY)
    queue.add("c", priority=10)
    queue.add("d")
    queue.add("e", priority=10)
    queue.add("f", priority=LOW_PRIORITY)
    assert await take(queue, 6) == ["c", "e", "a", "d", "b", "f"]
    queue.shutdown()


async def test_a_real_change_overtakes_a_backlog_of_low_priority_keys(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    for i in range(1000):
        queue.add(f"initial-{i}", priority=LOW_PRIORITY)
    queue.add("changed")
    assert await take(queue, 1) == ["changed"]
    queue.shutdown()


async def test_re_adding_a_queued_key_never_lowers_its_priority(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a", priority=5)
    queue.add("b", priority=5)
    queue.add("a", priority=LOW_PRIORITY)
    queue.add("a")
    assert await take(queue, 2) == ["a", "b"]
    queue.shutdown()


async def test_re_adding_at_the_same_priority_keeps_the_position(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    for key in "xyz":
        queue.add(key)
    queue.add("x")
    queue.add("z")
    assert await take(queue, 3) == ["x", "y", "z"]
    queue.shutdown()


async def test_a_promoted_key_goes_to_the_end_of_its_new_priority(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a", priority=1)
    queue.add("b")
    queue.add("c")
    queue.add("c", priority=1)
    assert len(queue) == 3
    assert await take(queue, 3) == ["a", "c", "b"]
    queue.shutdown()


async def test_a_promoted_key_left_no_entry_behind(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    queue.add("b")
    queue.add("a", priority=1)
    queue.add("a", priority=2)
    assert await take(queue, 2) == ["a", "b"]
    # Both superseded entries of "a" were skipped, not handed out.
    assert len(queue) == 0
    waiter = asyncio.create_task(queue.get())
    await assert_blocked(clock, waiter)
    queue.shutdown()
    with pytest.raises(ShutDown):
        await waiter


async def test_a_key_re_added_at_its_old_priority_keeps_its_new_place(clock: FakeClock) -> None:
    # "a" leaves a superseded entry at the head of priority 0; when "a" is later queued at 0
    # again, that old entry must not serve it ahead of "b" and "c".
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    queue.add("b")
    queue.add("a", priority=5)
    assert await take(queue, 1) == ["a"]
    queue.add("c")
    queue.add("a")
    assert await take(queue, 3) == ["b", "c", "a"]
    queue.shutdown()


async def test_a_key_re_added_in_flight_keeps_its_highest_priority(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    queue.add("a", priority=LOW_PRIORITY)
    queue.add("a", priority=7)
    queue.add("a")
    queue.add("b", priority=5)
    queue.done("a")
    assert await take(queue, 2) == ["a", "b"]
    queue.shutdown()


async def test_get_with_priority_tells_the_priority_a_key_is_handed_out_at(
    clock: FakeClock,
) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("low", priority=LOW_PRIORITY)
    queue.add("raised", priority=1)
    queue.add("raised", priority=7)
    queue.add("plain")
    assert await queue.get_with_priority() == ("raised", 7)
    assert await queue.get_with_priority() == ("plain", 0)
    # A re-add while held decides its next run, not the priority of the one under way.
    queue.add("raised", priority=9)
    assert await queue.get_with_priority() == ("low", LOW_PRIORITY)
    queue.done("raised")
    assert await queue.get_with_priority() == ("raised", 9)
    for key in ("raised", "plain", "low"):
        queue.done(key)
    queue.shutdown()


async def test_waiting_getters_each_get_the_priority_of_their_own_key(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    getters = [asyncio.create_task(queue.get_with_priority()) for _ in range(3)]
    await clock.settle()
    queue.add("a", priority=3)
    queue.add("b", priority=LOW_PRIORITY)
    queue.add("c")
    got = [await getter for getter in getters]
    assert sorted(got) == [("a", 3), ("b", LOW_PRIORITY), ("c", 0)]
    for key, _ in got:
        queue.done(key)
    queue.shutdown()


async def test_len_counts_due_keys_including_those_still_in_flight(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    queue.add("b")
    assert len(queue) == 2
    assert await queue.get() == "a"
    assert len(queue) == 1
    queue.add("a")
    assert len(queue) == 2
    queue.done("a")
    assert len(queue) == 2
    assert await take(queue, 2) == ["b", "a"]
    assert len(queue) == 0
    queue.shutdown()


async def test_each_add_wakes_one_waiting_worker(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    getters = [asyncio.create_task(queue.get()) for _ in range(3)]
    await clock.settle()
    queue.add("a")
    queue.add("b")
    await clock.settle()
    assert [g.result() for g in getters if g.done()] == ["a", "b"]
    queue.shutdown()
    with pytest.raises(ShutDown):
        await getters[2]


async def test_a_cancelled_getter_passes_its_wake_up_on(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    first = asyncio.create_task(queue.get())
    second = asyncio.create_task(queue.get())
    await clock.settle()
    queue.add("a")  # wakes `first`...
    first.cancel()  # ...which is cancelled before it can run
    await clock.settle()
    assert first.cancelled()
    assert await second == "a"
    queue.done("a")
    queue.shutdown()


async def test_a_cancelled_idle_getter_is_forgotten(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    idle = asyncio.create_task(queue.get())
    await clock.settle()
    idle.cancel()
    await clock.settle()
    waiting = asyncio.create_task(queue.get())
    await clock.settle()
    queue.add("a")
    assert await waiting == "a"
    queue.shutdown()


async def test_done_for_a_key_not_in_flight_changes_nothing(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    queue.done("a")
    queue.done("zzz")
    assert len(queue) == 1
    assert await take(queue, 1) == ["a"]
    queue.shutdown()


async def test_shutdown_refuses_new_keys_and_drains_queued_ones(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    queue.add("b")
    queue.shutdown()
    assert queue.shutting_down
    queue.add("c")
    assert len(queue) == 2
    assert await take(queue, 2) == ["a", "b"]
    with pytest.raises(ShutDown):
        await queue.get()


async def test_shutdown_releases_idle_workers(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    getters = [asyncio.create_task(queue.get()) for _ in range(3)]
    await clock.settle()
    queue.shutdown()
    results = await asyncio.gather(*getters, return_exceptions=True)
    assert all(isinstance(r, ShutDown) for r in results)


async def test_a_key_re_added_before_shutdown_still_runs(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    queue.add("a")
    queue.shutdown()
    queue.done("a")
    assert await take(queue, 1) == ["a"]
    with pytest.raises(ShutDown):
        await queue.get()


async def test_shutdown_does_not_wait_for_keys_in_flight(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    queue.shutdown()
    with pytest.raises(ShutDown):
        await queue.get()
    queue.done("a")


async def test_shutdown_with_drain_waits_for_queued_and_in_flight_keys(
    clock: FakeClock,
) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    queue.add("b")
    assert await queue.get() == "a"
    drain = asyncio.create_task(queue.shutdown_with_drain())
    await clock.settle()
    queue.add("c")
    assert len(queue) == 1
    queue.done("a")
    await clock.settle()
    assert not drain.done()  # "b" is still queued
    assert await queue.get() == "b"
    await clock.settle()
    assert not drain.done()  # "b" is in flight
    queue.done("b")
    await drain
    with pytest.raises(ShutDown):
        await queue.get()


async def test_shutdown_with_drain_returns_at_once_when_idle(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    await queue.shutdown_with_drain()
    assert queue.shutting_down


async def test_shutdown_stops_a_drain_in_progress(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    drain = asyncio.create_task(queue.shutdown_with_drain())
    await clock.settle()
    assert not drain.done()
    queue.shutdown()
    await drain
    queue.done("a")


async def test_a_cancelled_drain_leaves_no_waiter_behind(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await queue.get() == "a"
    drain = asyncio.create_task(queue.shutdown_with_drain())
    await clock.settle()
    drain.cancel()
    with pytest.raises(asyncio.CancelledError):
        await drain
    second = asyncio.create_task(queue.shutdown_with_drain())
    await clock.settle()
    queue.done("a")
    await second


async def test_several_superseded_entries_of_one_key_are_all_skipped(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    queue.add("x")
    queue.add("a", priority=1)
    assert await take(queue, 1) == ["a"]
    queue.add("a")
    queue.add("y")
    queue.add("a", priority=1)
    assert await take(queue, 1) == ["a"]
    # Priority 0 now holds: a (superseded), x, a (superseded), y; then the live "a".
    queue.add("a")
    assert await take(queue, 3) == ["x", "y", "a"]
    assert len(queue) == 0
    queue.shutdown()
