"""Task helpers that leave nothing running and no exception unretrieved."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

__all__ = ["cancel_all_and_wait", "cancel_and_wait"]


async def cancel_and_wait(task: asyncio.Future[Any]) -> None:
    """Cancel `task` (if still running) and wait until it has finished."""
    if not task.done():
        task.cancel()
    # `wait` neither raises the task's exception nor swallows our own cancellation.
    await asyncio.wait((task,))
    if not task.cancelled():
        task.exception()  # mark it retrieved, so asyncio does not log it as lost


async def cancel_all_and_wait(tasks: Collection[asyncio.Future[Any]]) -> None:
    """Cancel every task still running, once each, and wait until all have finished.

    Not `cancel_and_wait` on each in turn after cancelling them all: a task still unwinding
    when its turn came would be cancelled a second time, which interrupts its cleanup (an
    informer's closing of its watch, say) at its next await.
    """
    for task in tasks:
        if not task.done():
            task.cancel()
    if not tasks:
        return
    await asyncio.wait(tasks)
    for task in tasks:
        if not task.cancelled():
            task.exception()  # mark it retrieved, so asyncio does not log it as lost
