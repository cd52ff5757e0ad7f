"""`bounded`: run many writes concurrently, a bounded number at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable

__all__ = ["bounded"]


async def bounded(jobs: Iterable[Awaitable[None]], limit: int) -> None:
    """Run ``jobs`` with at most ``limit`` in flight; the first failure cancels the rest."""
    gate = asyncio.Semaphore(limit)

    async def one(job: Awaitable[None]) -> None:
        async with gate:
            await job

    async with asyncio.TaskGroup() as group:
        for job in jobs:
            group.create_task(one(job))
