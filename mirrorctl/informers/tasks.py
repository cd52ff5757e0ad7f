"""Task helpers that leave nothing running and no exception unretrieved."""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["cancel_and_wait"]


async def cancel_and_wait(task: asyncio.Future[Any]) -> None:
    """Cancel `task` (if still running) and wait until it has finished."""
    if not task.done():
        task.cancel()
    # `wait` neither raises the task's exception nor swallows our own cancellation.
    await asyncio.wait((task,))
    if not task.cancelled():
        task.exception()  # mark it retrieved, so asyncio does not log it as lost
