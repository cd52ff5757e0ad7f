"""Polling with generous bounds: the apiserver side has no event to wait on, and a bound only
keeps a broken build from hanging (it is never a statement about speed)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

__all__ = ["eventually"]


async def eventually(
    condition: Callable[[], Awaitable[bool]],
    *,
    what: str,
    timeout: float,
    interval: float = 0.5,
    explain: Callable[[], Awaitable[str]] | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await condition():
            return
        if time.monotonic() > deadline:
            detail = f":\n{await explain()}" if explain is not None else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
        await asyncio.sleep(interval)
