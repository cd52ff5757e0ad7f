"""`RequestLog`: the HTTP/1.1 requests seen in one client-to-server byte stream, with when each
was sent. Only requests are parsed (responses, watches included, pass unread), so framing needs
nothing but the request head and its Content-Length or chunked body."""

from __future__ import annotations

import time
from dataclasses import dataclass

__all__ = ["WRITE_METHODS", "RequestLog", "SeenRequest"]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_MAX_HEAD = 64 * 1024


@dataclass(frozen=True, slots=True)
class SeenRequest:
    at: float  # wall clock (time.time()), comparable with Lease times and other processes
    method: str
    path: str

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS


class RequestLog:
    """Feed it the bytes a client sends; each complete request head appends a `SeenRequest`
    to the shared ``into`` list."""

    def __init__(self, into: list[SeenRequest]) -> None:
        self._into = into
        self._buffer = b""
        self._body_left = 0  # bytes of a Content-Length body still to skip
        self._chunked = False  # inside a chunked body

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while self._step():
            pass

    def _step(self) -> bool:
        """Consume one framing unit from the buffer; False when more bytes are needed."""
        if self._body_left:
            taken = min(self._body_left, len(self._buffer))
            self._buffer = self._buffer[taken:]
            self._body_left -= taken
            return bool(self._buffer) and not self._body_left
        if self._chunked:
            return self._chunk()
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > _MAX_HEAD:
                raise ValueError("request head too long: not HTTP/1.1 from a client")
            return False
        head, self._buffer = self._buffer[:end].decode("latin-1"), self._buffer[end + 4 :]
        lines = head.split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        self._into.append(SeenRequest(time.time(), method, path))
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._chunked = True
        else:
            self._body_left = int(headers.get("content-length", "0"))
        return bool(self._buffer)

    def _chunk(self) -> bool:
        end = self._buffer.find(b"\r\n")
        if end < 0:
            return False
        size = int(self._buffer[:end].split(b";", 1)[0], 16)
        if size == 0:
            # The last chunk: no trailers from our clients, just the final CRLF.
            if len(self._buffer) < end + 4:
                return False
            self._buffer = self._buffer[end + 4 :]
            self._chunked = False
            return bool(self._buffer)
        if len(self._buffer) < end + 2 + size + 2:
            return False
        self._buffer = self._buffer[end + 2 + size + 2 :]
        return bool(self._buffer)
