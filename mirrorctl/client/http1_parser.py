"""`ResponseParser`: one HTTP/1.1 response, fed in the chunks a connection receives."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from enum import Enum

__all__ = ["MAX_HEAD", "ProtocolError", "Reply", "ResponseParser"]

# Larger than any header block the apiserver sends; a stream that never ends its head is not
# HTTP and must not grow a buffer without bound.
MAX_HEAD = 64 * 1024
_HEX_DIGITS = b"0123456789abcdefABCDEF"


class ProtocolError(Exception):
    """The bytes received are not an HTTP/1.1 response this client can read."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete response: status, headers (names lower-cased, repeats joined by ", ") and
    the body, already decompressed (gzip)."""

    status: int
    headers: dict[str, str]
    body: bytes
    keep_alive: bool

    async def read(self) -> bytes:
        return self.body

    def release(self) -> None:
        """Nothing to release: the body was read whole."""


class _State(Enum):
    HEAD = 1
    LENGTH = 2
    CHUNK_SIZE = 3
    CHUNK_DATA = 4
    TRAILER = 5
    UNTIL_CLOSE = 6
    DONE = 7


def _head(block: bytes) -> tuple[int, bool, dict[str, str]]:
    try:
        text = block.decode("latin-1")
    except UnicodeDecodeError as error:  # pragma: no cover - latin-1 decodes any byte
        raise ProtocolError("undecodable response head") from error
    lines = text.split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    # isdigit() alone takes Latin-1 superscripts, which int() then refuses.
    if (
        not version.startswith("HTTP/1.")
        or len(code) != 3
        or not code.isascii()
        or not code.isdigit()
    ):
        raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise ProtocolError(f"malformed header line: {line[:80]!r}")
        name = name.lower()
        value = value.strip()
        previous = headers.get(name)
        headers[name] = value if previous is None else f"{previous}, {value}"
    return int(code), version == "HTTP/1.1", headers


def _ending(buffer: bytearray, marker: bytes, what: str) -> int:
    """Where ``marker`` starts in ``buffer``, -1 while it may still come; a part that runs past
    `MAX_HEAD` without it is refused."""
    end = buffer.find(marker)
    if end < 0 and len(buffer) > MAX_HEAD:
        raise ProtocolError(f"{what} too large")
    return end


class ResponseParser:
    """Parses exactly one response: feed it bytes until `feed` returns the `Reply`.

    The body is delimited as RFC 9112 says: no body for 1xx (skipped), 204 and 304, then
    ``Transfer-Encoding: chunked``, then ``Content-Length``, and otherwise the connection's
    end (`finish`). A gzip body is decompressed.
    """

    __slots__ = (
        "_buffer",
        "_headers",
        "_http11",
        "_parts",
        "_remaining",
        "_state",
        "_status",
    )

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._state = _State.HEAD
        self._status = 0
        self._http11 = True
        self._headers: dict[str, str] = {}
        self._parts: list[bytes] = []
        self._remaining = 0

    @property
    def started(self) -> bool:
        """Whether any byte of the response has arrived."""
        return bool(self._buffer) or self._state is not _State.HEAD

    def feed(self, data: bytes) -> Reply | None:
        """The reply once ``data`` completes it; bytes past its end are a protocol error
        (one request is in flight per connection)."""
        if self._state is _State.DONE:
            raise ProtocolError("data after the end of the response")
        if self._state is _State.HEAD and not self._buffer:
            # Nearly every reply arrives whole in one read: framed straight from it, without
            # the buffer and state machine (half the cost). Anything else (a partial or
            # malformed reply, an interim one) takes the general path below.
            reply = _whole(data)
            if reply is not None:
                self._state = _State.DONE
                return reply
        self._buffer += data
        reply = self._advance()
        if reply is not None and self._buffer:
            raise ProtocolError("data after the end of the response")
        return reply

    def finish(self) -> Reply:
        """The reply at the connection's end, when its body runs until then."""
        if self._state is _State.UNTIL_CLOSE:
            self._parts.append(bytes(self._buffer))
            self._buffer.clear()
            return self._done(keep_alive=False)
        raise ProtocolError("connection closed before the response was complete")

    def _advance(self) -> Reply | None:
        buffer = self._buffer
        while True:
            state = self._state
            if state is _State.HEAD:
                end = _ending(buffer, b"\r\n\r\n", "response head")
                if end < 0:
                    return None
                self._status, self._http11, self._headers = _head(bytes(buffer[:end]))
                del buffer[: end + 4]
                if 100 <= self._status < 200:
                    continue  # an interim response: the real one follows
                self._state = self._body_state()
                if self._state is _State.DONE:
                    return self._done()
            elif state is _State.LENGTH:
                if len(buffer) < self._remaining:
                    return None
                self._parts.append(bytes(buffer[: self._remaining]))
                del buffer[: self._remaining]
                return self._done()
            elif state is _State.CHUNK_SIZE:
                end = _ending(buffer, b"\r\n", "chunk size line")
                if end < 0:
                    return None
                size_text = bytes(buffer[:end]).split(b";", 1)[0].rstrip(b" \t")
                # Hex digits only, at most 16 of them, as Go's chunked reader takes them:
                # int(x, 16) would also take "0x10", "+10", "1_0" and surrounding spaces.
                if not 0 < len(size_text) <= 16 or size_text.strip(_HEX_DIGITS):
                    raise ProtocolError(f"bad chunk size {size_text[:20]!r}")
                size = int(size_text, 16)
                del buffer[: end + 2]
                self._remaining = size
                self._state = _State.CHUNK_DATA if size else _State.TRAILER
            elif state is _State.CHUNK_DATA:
                if len(buffer) < self._remaining + 2:
                    return None
                if buffer[self._remaining : self._remaining + 2] != b"\r\n":
                    raise ProtocolError("chunk not followed by CRLF")
                self._parts.append(bytes(buffer[: self._remaining]))
                del buffer[: self._remaining + 2]
                self._state = _State.CHUNK_SIZE
            elif state is _State.TRAILER:
                end = _ending(buffer, b"\r\n", "trailer")
                if end < 0:
                    return None
                del buffer[: end + 2]
                if end == 0:
                    return self._done()
            else:  # UNTIL_CLOSE: everything up to the connection's end is body
                return None

    def _body_state(self) -> _State:
        if self._status in (204, 304):
            return _State.DONE
        encoding = self._headers.get("transfer-encoding")
        if encoding is not None:
            if encoding.lower().rsplit(",", 1)[-1].strip() != "chunked":
                raise ProtocolError(f"unsupported transfer-encoding {encoding!r}")
            return _State.CHUNK_SIZE
        length = self._headers.get("content-length")
        if length is None:
            return _State.UNTIL_CLOSE
        if not (length.isascii() and length.isdigit()):
            raise ProtocolError(f"bad content-length {length[:20]!r}")
        self._remaining = int(length)
        return _State.LENGTH if self._remaining else _State.DONE

    def _done(self, *, keep_alive: bool | None = None) -> Reply:
        self._state = _State.DONE
        body = self._parts[0] if len(self._parts) == 1 else b"".join(self._parts)
        self._parts = []
        return _reply(self._status, self._http11, self._headers, body, keep_alive)


def _reply(
    status: int, http11: bool, headers: dict[str, str], body: bytes, keep_alive: bool | None
) -> Reply:
    coding = headers.get("content-encoding", "identity").lower()
    if coding in ("gzip", "x-gzip"):
        try:
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        except zlib.error as error:
            raise ProtocolError("body is not valid gzip") from error
    elif coding != "identity":
        # Only gzip is ever asked for (Accept-Encoding), as Go's transport does.
        raise ProtocolError(f"unsupported content-encoding {coding!r}")
    if keep_alive is None:
        connection = headers.get("connection", "").lower()
        keep_alive = "close" not in connection and (http11 or "keep-alive" in connection)
    return Reply(status, headers, body, keep_alive)


def _whole(data: bytes) -> Reply | None:
    """The reply ``data`` holds exactly, if it is a complete final response with a
    Content-Length or plain chunked body; None for anything else."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    status, http11, headers = _head(data[:end])
    if status < 200 or status in (204, 304):
        return None
    start = end + 4
    encoding = headers.get("transfer-encoding")
    if encoding is None:
        length = headers.get("content-length")
        if length is None or not (length.isascii() and length.isdigit()):
            return None
        if len(data) - start != int(length):
            return None
        return _reply(status, http11, headers, data[start:], None)
    if encoding != "chunked":
        return None
    parts: list[bytes] = []
    while True:
        eol = data.find(b"\r\n", start)
        if eol < 0:
            return None
        size_text = data[start:eol]
        if not 0 < len(size_text) <= 16 or size_text.strip(_HEX_DIGITS):
            return None  # an extension, or not a size at all
        size = int(size_text, 16)
        start = eol + 2
        if not size:
            break
        stop = start + size
        if data[stop : stop + 2] != b"\r\n":
            return None
        parts.append(data[start:stop])
        start = stop + 2
    if data[start:] != b"\r\n":
        return None  # trailers, a cut-off end or more than one reply
    return _reply(status, http11, headers, b"".join(parts), None)
