"""FifoQueue's wake-ups: getters cancelled, woken twice or outrun in the same loop step.

Each test performs the racing calls with no `await` between them, so they land in one step
of the loop exactly as they would when a timer, a cancel and an add fire together.
"""

from __future__ import annotations

import asyncio

import pytest

from mirrorctl.clock import FakeClock
from mirrorctl.queue import FifoQueue, ShutDown

__all__: list[str] = []


async def waiting_getters(
    clock: FakeClock, queue: FifoQueue[str], count: int
) -> list[asyncio.Task[str]]:
    getters = [asyncio.create_task(queue.get()) for _ in range(count)]
    await clock.settle()
    assert not any(getter.done() for getter in getters)
    return getters


async def outcome(clock: FakeClock, task: asyncio.Task[str]) -> str:
    """What `task` returned (or raised) once the loop is idle; a failure if it still waits.

    Never a bare `await task`: a lost wake-up must fail the test, not hang it.
    """
    await clock.settle()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        pytest.fail("the getter is still waiting")
    return task.result()


async def get_now(clock: FakeClock, queue: FifoQueue[str]) -> str:
    return await outcome(clock, asyncio.create_task(queue.get()))


def take_without_waiting(queue: FifoQueue[str]) -> str:
    """A key from `get()` driven by hand, within this very step of the loop."""
    step = queue.get()
    try:
        step.send(None)
    except StopIteration as returned:
        key: str = returned.value
        return key
    step.close()
    pytest.fail("get() had to wait")


async def assert_cancelled(clock: FakeClock, task: asyncio.Task[str]) -> None:
    # Through `result()`, so any exception other than the cancellation surfaces as itself.
    with pytest.raises(asyncio.CancelledError):
        await outcome(clock, task)


async def test_a_getter_cancelled_as_a_key_arrives_leaves_it_queued(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    (getter,) = await waiting_getters(clock, queue, 1)
    getter.cancel()  # its waiter is cancelled, but the getter has not run yet...
    queue.add("a")  # ...when an add looks for someone to wake
    await clock.settle()
    await assert_cancelled(clock, getter)
    assert len(queue) == 1
    assert await get_now(clock, queue) == "a"
    queue.done("a")
    queue.shutdown()


async def test_a_key_skips_a_cancelled_getter_for_a_waiting_one(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    first, second = await waiting_getters(clock, queue, 2)
    first.cancel()
    queue.add("a")
    await clock.settle()
    await assert_cancelled(clock, first)
    assert second.done()
    assert second.result() == "a"
    queue.done("a")
    queue.shutdown()


async def test_a_getter_cancelled_as_the_queue_shuts_down_is_cancelled(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    cancelled, other = await waiting_getters(clock, queue, 2)
    cancelled.cancel()
    queue.shutdown()
    await assert_cancelled(clock, cancelled)
    with pytest.raises(ShutDown):
        await outcome(clock, other)


async def test_a_woken_getter_cancelled_before_it_runs_leaves_the_key_queued(
    clock: FakeClock,
) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    (getter,) = await waiting_getters(clock, queue, 1)
    queue.add("a")  # resolves the getter's waiter...
    getter.cancel()  # ...and the cancel arrives before the getter resumes
    await assert_cancelled(clock, getter)
    assert len(queue) == 1
    assert await get_now(clock, queue) == "a"
    queue.done("a")
    queue.shutdown()


async def test_a_woken_getter_cancelled_passes_each_key_to_a_waiting_one(
    clock: FakeClock,
) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    first, second, third, fourth = await waiting_getters(clock, queue, 4)
    queue.add("a")  # wakes first
    queue.add("b")  # wakes second
    first.cancel()
    second.cancel()
    await clock.settle()
    await assert_cancelled(clock, first)
    await assert_cancelled(clock, second)
    assert sorted([third.result(), fourth.result()]) == ["a", "b"]
    queue.done("a")
    queue.done("b")
    queue.shutdown()


async def test_a_woken_getter_outrun_for_its_key_waits_again_and_is_woken_again(
    clock: FakeClock,
) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    (getter,) = await waiting_getters(clock, queue, 1)
    queue.add("a")  # wakes the getter...
    assert take_without_waiting(queue) == "a"  # ...but another worker takes "a" first
    await clock.settle()
    assert not getter.done()
    queue.add("b")
    await clock.settle()
    assert getter.done()
    assert getter.result() == "b"
    queue.done("a")
    queue.done("b")
    queue.shutdown()


async def test_a_second_add_wakes_a_second_getter_not_the_first_again(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    first, second = await waiting_getters(clock, queue, 2)
    queue.add("a")
    queue.add("b")
    await clock.settle()
    assert [first.result(), second.result()] == ["a", "b"]
    queue.done("a")
    queue.done("b")
    queue.shutdown()


async def test_a_second_add_with_no_one_left_to_wake_stays_queued(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    (getter,) = await waiting_getters(clock, queue, 1)
    queue.add("a")
    queue.add("b")  # the only getter is woken already
    assert await outcome(clock, getter) == "a"
    assert len(queue) == 1
    assert await get_now(clock, queue) == "b"
    queue.done("a")
    queue.done("b")
    queue.shutdown()


async def test_shutdown_right_after_a_wake_up_still_hands_the_key_out(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    getter, idle = await waiting_getters(clock, queue, 2)
    queue.add("a")  # resolves the first waiter
    queue.shutdown()  # must resolve only the second, and not drop "a"
    assert await outcome(clock, getter) == "a"
    with pytest.raises(ShutDown):
        await outcome(clock, idle)
    queue.done("a")
    with pytest.raises(ShutDown):
        await get_now(clock, queue)


async def test_done_queues_a_re_added_key_for_a_waiting_getter(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await get_now(clock, queue) == "a"
    (getter,) = await waiting_getters(clock, queue, 1)
    queue.add("a")  # in flight: not handed out yet
    await clock.settle()
    assert not getter.done()
    queue.done("a")
    queue.add("a")  # queued already: no second wake-up, no second entry
    await clock.settle()
    assert getter.result() == "a"
    assert len(queue) == 0
    queue.done("a")
    queue.shutdown()


async def test_done_after_shutdown_hands_a_re_added_key_to_a_woken_getter(
    clock: FakeClock,
) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    queue.add("a")
    assert await get_now(clock, queue) == "a"
    (getter,) = await waiting_getters(clock, queue, 1)
    queue.add("a")
    queue.shutdown()  # wakes the getter with nothing queued yet...
    queue.done("a")  # ...and "a" is queued again before it runs
    assert await outcome(clock, getter) == "a"
    queue.done("a")
    with pytest.raises(ShutDown):
        await get_now(clock, queue)


async def test_add_after_shutdown_wakes_no_one_and_queues_nothing(clock: FakeClock) -> None:
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    (getter,) = await waiting_getters(clock, queue, 1)
    queue.shutdown()
    queue.add("a")
    with pytest.raises(ShutDown):
        await outcome(clock, getter)
    assert len(queue) == 0
