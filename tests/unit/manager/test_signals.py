"""`SignalHandlers`: graceful, then immediate, then a forced exit, whichever signal it is."""

from __future__ import annotations

import asyncio
import signal

from mirrorctl.manager.signals import SignalHandlers


async def test_each_further_signal_asks_for_more() -> None:
    calls: list[str] = []
    handlers = SignalHandlers(
        lambda: calls.append("graceful"),
        lambda: calls.append("immediate"),
        forced=lambda: calls.append("forced"),
    )
    before = signal.getsignal(signal.SIGTERM)
    handlers.install()
    try:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGTERM, signal.SIGTERM):
            signal.raise_signal(sig)
            await asyncio.sleep(0.01)  # the loop runs the handler on its next turn
    finally:
        handlers.remove()
    assert calls == ["graceful", "immediate", "forced", "forced"]
    assert signal.getsignal(signal.SIGTERM) == before
