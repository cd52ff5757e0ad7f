"""`ReadHold`: a watch that receives events in quick succession reads them in batches.

Each read of a socket wakes the event loop, and in Python a wakeup costs far more than parsing
what it brought: an event that arrives alone costs an informer about 80 us of CPU, against 17
when it arrives among others. During a fan-out the watch echoes every patch, one event every
couple of milliseconds. So once `BURST_READS` reads in a row have come within `BURST_GAP` of
each other, the connection stops reading for the hold (`Client` default 20 ms), the kernel
queues what arrives meanwhile, and the next read takes all of it at once: interrupt
coalescing, as network drivers do it. That read continues the burst, so a steady stream is
read once per hold. Events that come alone, or two at a time, are read at once, so a
controller that is not busy answers as fast as before; during a burst an event waits at most
the hold.

Over TLS, pausing the stream's transport only stops it handing data on: the TLS layer under it
keeps reading the socket, one wakeup per event, into its buffer (it stops only once that holds
its read high-water mark, 256 KiB). So while holding, that mark is set to a byte, and the TLS
layer stops reading the socket as soon as anything arrives; it is restored on release, before
reading resumes (a partial record would otherwise keep the socket paused for good).

A large read is never held back: it means the stream is flooding (a burst the apiserver sends
as fast as it can), and reading as fast as possible is what keeps the apiserver from closing a
watch it finds too slow.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

__all__ = ["BURST_GAP", "BURST_READS", "FLOOD_BYTES", "ReadHold"]

# Reads this close together, this many in a row, mean the events are coming in a burst.
BURST_GAP = 0.005
BURST_READS = 3
# A read at least this large means a flood: held reads would fall behind the server.
FLOOD_BYTES = 64 * 1024


class ReadHold:
    """Pauses reading of one stream's transport for ``hold`` seconds after a read in a burst.
    Call `after_read` after each read with what it brought, and `release` when the stream ends
    or is abandoned."""

    __slots__ = ("_hold", "_last_read", "_limits", "_now", "_paused", "_streak", "_timer")

    def __init__(self, hold: float, *, now: Callable[[], float] = time.monotonic) -> None:
        if not hold > 0:
            raise ValueError("hold must be > 0")
        self._hold = hold
        self._now = now
        self._last_read = -BURST_GAP  # long ago
        self._streak = 0  # reads in a row, each within BURST_GAP of the one before
        self._timer: asyncio.TimerHandle | None = None
        self._paused: asyncio.Transport | None = None
        # The paused transport's read buffer limits (low, high), if it has any, to restore.
        self._limits: tuple[int, int] | None = None

    @property
    def holding(self) -> bool:
        return self._paused is not None

    def after_read(self, size: int, transport: asyncio.Transport | None) -> None:
        """``size`` bytes were just read from ``transport`` (None: not known, nothing held)."""
        now = self._now()
        self._streak = self._streak + 1 if now - self._last_read < BURST_GAP else 1
        self._last_read = now
        if (
            self._streak < BURST_READS
            or size >= FLOOD_BYTES
            or self._paused is not None
            or transport is None
            or transport.is_closing()
        ):
            return
        transport.pause_reading()
        self._paused = transport
        self._limits = _tighten(transport)
        self._timer = asyncio.get_running_loop().call_later(self._hold, self._held)

    def release(self) -> None:
        """Read again now (a no-op unless holding)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        transport, self._paused = self._paused, None
        limits, self._limits = self._limits, None
        if transport is not None and not transport.is_closing():
            if limits is not None:
                low, high = limits
                transport.set_read_buffer_limits(high=high, low=low)  # type: ignore[attr-defined]
            transport.resume_reading()

    def _held(self) -> None:
        self._timer = None
        # What arrived meanwhile is read next, at once: it belongs to the same burst.
        self._last_read = self._now()
        self.release()


def _tighten(transport: asyncio.Transport) -> tuple[int, int] | None:
    """Make a TLS transport stop reading its socket once a byte waits (see above); returns its
    limits before, or None for a transport without read buffer limits (plain TCP, where
    pausing already stops reading the socket)."""
    get = getattr(transport, "get_read_buffer_limits", None)
    set_ = getattr(transport, "set_read_buffer_limits", None)
    if get is None or set_ is None:
        return None
    low, high = get()
    set_(high=1, low=0)
    return int(low), int(high)
