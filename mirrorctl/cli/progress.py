"""Progress lines for long waits: silent when the wait is short, then a line now and then."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from mirrorctl.clock import Clock, RealClock
from mirrorctl.informers.tasks import cancel_and_wait

__all__ = ["Progress"]


class Progress:
    """``async with Progress(status, stream=sys.stderr): await long_wait()``.

    Writes ``mirrorctl: <status(elapsed)>`` on ``stream`` once the wait has lasted ``after``
    seconds, then every ``every`` seconds, and nothing at all for a wait that ends sooner (a
    small cluster answers at once and deserves a quiet command).
    """

    def __init__(
        self,
        status: Callable[[float], str],
        *,
        stream: TextIO,
        clock: Clock | None = None,
        after: float = 1.0,
        every: float = 5.0,
    ) -> None:
        if after < 0 or every <= 0:
            raise ValueError("after must be >= 0 and every > 0")
        self._status = status
        self._stream = stream
        self._clock: Clock = clock if clock is not None else RealClock()
        self._after = after
        self._every = every
        self._task: asyncio.Task[None] | None = None
        self.lines = 0

    async def _report(self) -> None:
        started = self._clock.monotonic()
        await self._clock.sleep(self._after)
        while True:
            elapsed = self._clock.monotonic() - started
            print(f"mirrorctl: {self._status(elapsed)}", file=self._stream, flush=True)
            self.lines += 1
            await self._clock.sleep(self._every)

    async def __aenter__(self) -> Progress:
        self._task = asyncio.create_task(self._report(), name="mirrorctl progress")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        await cancel_and_wait(task)
