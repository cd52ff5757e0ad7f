"""Opt-in SIGTERM/SIGINT handling for a manager."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable

__all__ = ["SignalHandlers"]

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class SignalHandlers:
    """The first signal asks for a graceful stop, the next one for an immediate one."""

    def __init__(self, graceful: Callable[[], None], immediate: Callable[[], None]) -> None:
        self._graceful = graceful
        self._immediate = immediate
        self._received = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in _SIGNALS:
            loop.add_signal_handler(sig, self._on_signal)
        self._loop = loop

    def remove(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None:
            for sig in _SIGNALS:
                loop.remove_signal_handler(sig)

    def _on_signal(self) -> None:
        self._received += 1
        if self._received == 1:
            self._graceful()
        else:
            self._immediate()
