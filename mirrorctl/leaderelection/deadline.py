"""`run_with_deadline`: await something for at most a number of seconds of a `Clock`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from mirrorctl.clock import Clock

__all__ = ["run_with_deadline"]

T = TypeVar("T")


async def run_with_deadline(clock: Clock, awaitable: Awaitable[T], seconds: float) -> T:
    """The result of `awaitable`, or `TimeoutError` once `seconds` of `clock` have passed.

    Measured on the injected clock rather than the loop's, so a fake clock drives it in tests.
    On timeout or cancellation the awaitable is cancelled and waited for, never leaked.
    """
    work = asyncio.ensure_future(awaitable)
    timer = asyncio.ensure_future(clock.sleep(max(0.0, seconds)))
    try:
        await asyncio.wait({work, timer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not work.done():
            work.cancel()
        timer.cancel()
        await asyncio.wait({work, timer})
    if work.cancelled() and timer.done() and not timer.cancelled():
        raise TimeoutError(f"no result within {seconds:g}s")
    return work.result()
