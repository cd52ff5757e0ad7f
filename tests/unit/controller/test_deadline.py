"""The clock-driven reconcile deadline."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest

from mirrorctl.clock import FakeClock
from mirrorctl.controller import ReconcileTimeoutError
from mirrorctl.controller.timeout import deadline


async def test_the_body_is_cancelled_at_the_deadline() -> None:
    clock = FakeClock()
    seen: list[str] = []

    async def body() -> None:
        async with deadline(clock, 5):
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                seen.append("cancelled")
                raise

    task = asyncio.create_task(body())
    await clock.advance(4.9)
    assert not task.done()
    await clock.advance(0.1)
    with pytest.raises(ReconcileTimeoutError):
        await task
    assert seen == ["cancelled"]
    assert clock.pending_timers == 0


async def test_a_body_that_ends_in_time_leaves_no_timer() -> None:
    clock = FakeClock()
    async with deadline(clock, 5):
        await asyncio.sleep(0)
    assert clock.pending_timers == 0


async def test_an_outside_cancellation_stays_a_cancellation() -> None:
    clock = FakeClock()
    entered = asyncio.Event()

    async def body() -> None:
        async with deadline(clock, 5):
            entered.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(body())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def cancelling_after(outlived: Callable[[FakeClock], Awaitable[None]]) -> int:
    """The task's pending cancellation requests once ``outlived`` (a body whose 1 s deadline
    expires) returned; 0 when the deadline took its cancellation back."""
    clock = FakeClock()

    async def body() -> int:
        await outlived(clock)
        await asyncio.sleep(0)  # would be cancelled were the request still pending
        current = asyncio.current_task()
        assert current is not None
        return current.cancelling()

    task = asyncio.create_task(body())
    await clock.advance(1)
    return await task


async def test_a_body_that_swallows_the_cancellation_leaves_the_task_usable() -> None:
    async def swallowing(clock: FakeClock) -> None:
        async with deadline(clock, 1):
            with contextlib.suppress(asyncio.CancelledError):  # a misbehaving reconciler
                await asyncio.Event().wait()

    assert await cancelling_after(swallowing) == 0


async def test_a_body_that_turns_the_cancellation_into_an_error_leaves_the_task_usable() -> None:
    # A cleanup failing in a `finally` replaces the CancelledError by its own error: the
    # deadline's cancellation request must still be taken back, as asyncio.timeout does, or
    # the task looks cancelled (cancelling() > 0) for the rest of its life.
    async def failing_cleanup(clock: FakeClock) -> None:
        with contextlib.suppress(RuntimeError):
            async with deadline(clock, 1):
                try:
                    await asyncio.Event().wait()
                finally:
                    raise RuntimeError("cleanup failed")

    assert await cancelling_after(failing_cleanup) == 0
