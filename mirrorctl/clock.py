"""Clocks: injected wherever time matters so tests can drive it.

`RealClock` reads the monotonic clock and schedules on the running event loop. `FakeClock` only
moves when a test calls `advance`, and fires what falls due in deadline order, letting the loop
run between firings, so a test sees the same interleaving on every run.
"""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["Clock", "FakeClock", "RealClock", "TimerHandle"]


class TimerHandle(Protocol):
    """A scheduled callback that can still be called off."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """Monotonic time in seconds, sleeping, and one-shot callbacks at a monotonic deadline."""

    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...

    def call_at(self, deadline: float, callback: Callable[[], None]) -> TimerHandle:
        """Run `callback` on the event loop once `monotonic()` reaches `deadline`.

        One handle can stand for any number of waiting items, which is how the delaying queue
        keeps a single timer for all of its keys instead of a task per key.
        """
        ...


class RealClock:
    """The process's monotonic clock and the running event loop's timers."""

    __slots__ = ()

    # The C function itself, not a method wrapping it: queues read the clock several times per key.
    monotonic = staticmethod(time.monotonic)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def call_at(self, deadline: float, callback: Callable[[], None]) -> TimerHandle:
        loop = asyncio.get_running_loop()
        # The loop's time base is not guaranteed to be time.monotonic() (uvloop has its own).
        return loop.call_at(loop.time() + (deadline - time.monotonic()), callback)


class _FakeTimer:
    __slots__ = ("_callback", "_clock", "deadline")

    def __init__(self, clock: FakeClock, deadline: float, callback: Callable[[], None]) -> None:
        self._clock: FakeClock | None = clock
        self._callback = callback
        self.deadline = deadline

    @property
    def live(self) -> bool:
        return self._clock is not None

    def cancel(self) -> None:
        clock, self._clock = self._clock, None
        if clock is not None:
            clock._timer_gone()

    def fire(self) -> None:
        clock, self._clock = self._clock, None
        if clock is not None:
            clock._timer_gone()
            self._callback()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


# Bounds how long `FakeClock` lets the loop run between firings when some task never stops
# rescheduling itself; far more rounds than any chain of awaits in a test needs.
_MAX_SETTLE_ROUNDS = 10_000
# Loops that do not expose their ready queue get this many rounds instead.
_BLIND_SETTLE_ROUNDS = 100


class FakeClock:
    """A clock that stands still until `advance` is awaited.

    `advance(s)` fires every timer whose deadline falls within the next `s` seconds, earliest
    first (ties in scheduling order), with the clock set to each timer's deadline while it
    fires; after each firing it lets the loop run until no task is ready, so a sleeper that
    wakes and sleeps again is scheduled before time moves past its new deadline.
    """

    __slots__ = ("_heap", "_live", "_now", "_seq")

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._heap: list[tuple[float, int, _FakeTimer]] = []
        self._seq = 0
        self._live = 0

    def monotonic(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        timer = self.call_at(self._now + seconds, lambda: _wake(future))
        try:
            await future
        finally:
            timer.cancel()

    def call_at(self, deadline: float, callback: Callable[[], None]) -> TimerHandle:
        timer = _FakeTimer(self, deadline, callback)
        self._seq += 1
        self._live += 1
        heapq.heappush(self._heap, (deadline, self._seq, timer))
        return timer

    @property
    def pending_timers(self) -> int:
        """Timers scheduled and neither fired nor cancelled (sleepers included)."""
        return self._live

    def next_deadline(self) -> float | None:
        """The earliest deadline still pending, if any."""
        heap = self._heap
        while heap and not heap[0][2].live:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    async def advance(self, seconds: float) -> None:
        """Move time forward by `seconds`, firing what falls due on the way."""
        if seconds < 0:
            raise ValueError(f"cannot move a monotonic clock back by {seconds}s")
        target = self._now + seconds
        await self.settle()
        while (deadline := self.next_deadline()) is not None and deadline <= target:
            _, _, timer = heapq.heappop(self._heap)
            self._now = max(self._now, deadline)
            timer.fire()
            await self.settle()
        self._now = target
        await self.settle()

    async def settle(self) -> None:
        """Let the loop run until no task is ready to run (time does not move)."""
        loop = asyncio.get_running_loop()
        # CPython's loops keep runnable callbacks in `_ready`; an empty one after our own
        # wake-up means every other task is blocked on something.
        ready = getattr(loop, "_ready", None)
        rounds = _MAX_SETTLE_ROUNDS if ready is not None else _BLIND_SETTLE_ROUNDS
        for _ in range(rounds):
            await asyncio.sleep(0)
            if ready is not None and not ready:
                return

    def _timer_gone(self) -> None:
        self._live -= 1
