"""`SingleFlight`: concurrent runs of one refresh collapse into a single run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

__all__ = ["SingleFlight"]


class SingleFlight:
    """Runs an action for the first caller; callers that queued behind that run return once
    it finishes, taking its result instead of running the action again (a burst of 401s
    re-runs an exec plugin or re-reads a token file once)."""

    __slots__ = ("_generation", "_lock")

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._generation = 0  # completed runs

    async def run(self, action: Callable[[], Awaitable[None]]) -> None:
        generation = self._generation
        async with self._lock:
            if self._generation != generation:
                return  # a run finished while this caller waited for the lock
            await action()
            self._generation += 1
