"""Opt-in SIGTERM/SIGINT handling for a manager."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable

__all__ = ["SignalHandlers"]

_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_FORCED_EXIT_CODE = 1


def _exit_at_once() -> None:
    os.write(2, b"mirrorctl: third signal, exiting without cleanup\n")
    os._exit(_FORCED_EXIT_CODE)


class SignalHandlers:
    """The first signal asks for a graceful stop, the second for an immediate one (in-flight
    work is cancelled), and the third exits the process at once with status 1: the way out
    when code that ignores cancellation holds the stop up (controller-runtime exits on the
    second; here that one still lets the Lease be released and Events be flushed)."""

    def __init__(
        self,
        graceful: Callable[[], None],
        immediate: Callable[[], None],
        *,
        forced: Callable[[], None] = _exit_at_once,
    ) -> None:
        self._graceful = graceful
        self._immediate = immediate
        self._forced = forced
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
        elif self._received == 2:
            self._immediate()
        else:
            self._forced()
