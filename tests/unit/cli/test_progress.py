from __future__ import annotations

import asyncio
import io

from mirrorctl.cli.progress import Progress
from mirrorctl.clock import FakeClock


async def test_silent_for_a_short_wait_then_a_line_now_and_then() -> None:
    clock = FakeClock()
    stream = io.StringIO()
    done = asyncio.Event()

    async def wait() -> None:
        async with Progress(lambda s: f"waited {s:.0f}s", stream=stream, clock=clock):
            await done.wait()

    task = asyncio.create_task(wait())
    await clock.advance(0.9)
    assert stream.getvalue() == ""
    await clock.advance(0.2)
    assert stream.getvalue() == "mirrorctl: waited 1s\n"
    await clock.advance(5.0)
    assert stream.getvalue().splitlines() == ["mirrorctl: waited 1s", "mirrorctl: waited 6s"]
    done.set()
    await task
    assert clock.pending_timers == 0  # the reporter is gone with its sleep
    await clock.advance(60)
    assert len(stream.getvalue().splitlines()) == 2


async def test_a_quick_wait_says_nothing() -> None:
    clock = FakeClock()
    stream = io.StringIO()
    async with Progress(lambda s: "never", stream=stream, clock=clock) as progress:
        await clock.advance(0.5)
    assert stream.getvalue() == ""
    assert progress.lines == 0
    assert clock.pending_timers == 0
