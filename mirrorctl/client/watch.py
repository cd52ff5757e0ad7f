"""`WatchStream`: the events of one watch request, parsed line by line with orjson."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import aiohttp

from mirrorctl.client.errors import ApiError, error_from_status
from mirrorctl.client.json_codec import loads
from mirrorctl.client.read_hold import ReadHold

__all__ = ["MAX_EVENT_BYTES", "LineSplitter", "WatchStream", "decode_event"]

# client-go's watch decoder refuses an object past this size; a stream that never ends its
# line must not grow a buffer without bound.
MAX_EVENT_BYTES = 16 * 1024 * 1024


def _too_large() -> ApiError:
    return ApiError(500, "InternalError", f"watch event larger than {MAX_EVENT_BYTES} bytes")


class LineSplitter:
    """Cuts a byte stream into newline-terminated lines, whatever the chunk boundaries."""

    __slots__ = ("_pieces", "_size")

    def __init__(self) -> None:
        # The unterminated line so far, in pieces: joining only once it ends keeps a large
        # object arriving in many small chunks linear rather than quadratic.
        self._pieces: list[bytes] = []
        self._size = 0  # bytes in `_pieces`

    def feed(self, chunk: bytes) -> list[bytes]:
        """The lines completed by `chunk` (without their newline, blank ones dropped); an
        unterminated line past `MAX_EVENT_BYTES` raises `ApiError`."""
        pieces = self._pieces
        if b"\n" not in chunk:
            self._size += len(chunk)
            if self._size > MAX_EVENT_BYTES:
                raise _too_large()
            pieces.append(chunk)
            return []
        if pieces:
            pieces.append(chunk)
            chunk = b"".join(pieces)
            pieces.clear()
        parts = chunk.split(b"\n")
        tail = parts.pop()
        self._size = len(tail)
        if tail:
            if self._size > MAX_EVENT_BYTES:
                raise _too_large()
            pieces.append(tail)
        return [p for p in parts if p.strip()]

    def finish(self) -> bytes | None:
        """The unterminated tail at end of stream, if any."""
        tail = b"".join(self._pieces)
        self._pieces.clear()
        self._size = 0
        return tail if tail.strip() else None


def decode_event(line: bytes) -> dict[str, Any]:
    """One watch event; an ``ERROR`` event raises its `Status` as an `ApiError`.

    A 410 (the resourceVersion was compacted away) comes out as `GoneError`.
    """
    event = loads(line)
    if not isinstance(event, dict) or "type" not in event:
        raise ApiError(500, "InternalError", f"malformed watch event: {line[:200]!r}")
    if event["type"] == "ERROR":
        status = event.get("object")
        raise error_from_status(status if isinstance(status, dict) else {})
    return event


class WatchStream:
    """An async iterator of ``{"type", "object"}`` dicts.

    The request is sent on the first `__anext__`. Iteration ends when the server closes the
    stream (e.g. after ``timeoutSeconds``). Use ``async with`` (or `aclose`) when leaving the
    loop early so the connection is closed at once rather than at garbage collection.

    With ``hold`` (seconds), events that arrive in quick succession are read in batches, each
    held back at most that long (see `ReadHold`).
    """

    __slots__ = (
        "__weakref__",
        "_closed",
        "_hold",
        "_open",
        "_pending",
        "_response",
        "_splitter",
    )

    def __init__(
        self,
        open_response: Callable[[], Awaitable[aiohttp.ClientResponse]],
        *,
        hold: float = 0.0,
    ) -> None:
        self._open = open_response
        self._response: aiohttp.ClientResponse | None = None
        self._splitter = LineSplitter()
        self._pending: deque[bytes] = deque()
        self._closed = False
        self._hold = ReadHold(hold) if hold > 0 else None

    def __aiter__(self) -> WatchStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        while not self._pending:
            if self._closed:
                raise StopAsyncIteration
            if self._response is None:
                self._response = await self._open()
            chunk = await self._response.content.readany()
            if chunk:
                if self._hold is not None:
                    connection = self._response.connection
                    transport = None if connection is None else connection.transport
                    self._hold.after_read(len(chunk), transport)
                self._pending.extend(self._splitter.feed(chunk))
                continue
            tail = self._splitter.finish()
            if tail is not None:
                self._pending.append(tail)
            if self._hold is not None:
                self._hold.release()  # a connection going back to the pool must be reading
            self._response.release()
            self._response = None
            self._closed = True
        try:
            return decode_event(self._pending.popleft())
        except BaseException:
            await self.aclose()
            raise

    def interrupt(self, error: BaseException) -> None:
        """End an open stream now: the read under way (or the next one) raises ``error``, and
        its connection is closed. Closing a connection alone would leave that read waiting."""
        response = self._response
        if response is not None:
            response.content.set_exception(error)
            response.close()
        if self._hold is not None:
            self._hold.release()

    async def aclose(self) -> None:
        self._closed = True
        self._pending.clear()
        if self._hold is not None:
            self._hold.release()
        if self._response is not None:
            # Closing (not releasing) an unfinished stream stops the server writing to it.
            self._response.close()
            self._response = None

    async def __aenter__(self) -> WatchStream:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
