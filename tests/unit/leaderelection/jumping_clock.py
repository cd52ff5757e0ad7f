"""A fake clock that can also jump: what a process stopped for a while (SIGSTOP, a paused VM)
sees on waking, every timer overdue and each firing at the time of waking."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from mirrorctl.clock import FakeClock, TimerHandle

__all__ = ["JumpingClock"]


class JumpingClock:
    def __init__(self) -> None:
        self._fake = FakeClock()
        self._floor = 0.0

    def monotonic(self) -> float:
        return max(self._floor, self._fake.monotonic())

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # From the time read now, so a sleep begun on waking ends after the jump, not in it.
        timer = self.call_at(self.monotonic() + seconds, lambda: _wake(woken))
        try:
            await woken
        finally:
            timer.cancel()

    def call_at(self, deadline: float, callback: Callable[[], None]) -> TimerHandle:
        return self._fake.call_at(deadline, callback)

    async def advance(self, seconds: float) -> None:
        await self._fake.advance(self.monotonic() + seconds - self._fake.monotonic())

    async def jump(self, seconds: float) -> None:
        """Time moves on by `seconds` at once; what fell due meanwhile fires, late, now."""
        self._floor = self.monotonic() + seconds
        await self._fake.advance(self._floor - self._fake.monotonic())

    async def settle(self) -> None:
        await self._fake.settle()


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
