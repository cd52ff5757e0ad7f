"""`ResponseParser`: every way an HTTP/1.1 response is framed, fed whole and byte by byte."""

from __future__ import annotations

import gzip
from collections.abc import Callable

import pytest

from mirrorctl.client.http1_parser import MAX_HEAD, ProtocolError, Reply, ResponseParser


def _parse_whole(raw: bytes) -> Reply:
    reply = ResponseParser().feed(raw)
    assert reply is not None
    return reply


def _parse_bytewise(raw: bytes) -> Reply:
    parser = ResponseParser()
    for i in range(len(raw) - 1):
        assert parser.feed(raw[i : i + 1]) is None, f"complete after {i + 1} of {len(raw)} bytes"
    reply = parser.feed(raw[-1:])
    assert reply is not None
    return reply


PARSERS = [_parse_whole, _parse_bytewise]


@pytest.mark.parametrize("parse", PARSERS)
def test_content_length_body(parse: Callable[[bytes], Reply]) -> None:
    reply = parse(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    )
    assert (reply.status, reply.body, reply.keep_alive) == (200, b"{}", True)
    assert reply.headers["content-type"] == "application/json"


@pytest.mark.parametrize("parse", PARSERS)
def test_chunked_body_with_extension_and_trailer(parse: Callable[[bytes], Reply]) -> None:
    raw = (
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )
    reply = parse(raw)
    assert (reply.status, reply.body) == (201, b"hello world")


@pytest.mark.parametrize("parse", PARSERS)
def test_plain_chunked_body(parse: Callable[[bytes], Reply]) -> None:
    # The apiserver's framing past 2 KB: no extensions, no trailers (read whole, the fast path).
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n"
    reply = parse(raw)
    assert (reply.status, reply.body, reply.keep_alive) == (200, b"0123456789", True)


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\nHTTP/1.1",
    ],
)
def test_bytes_past_a_whole_reply_are_refused(raw: bytes) -> None:
    with pytest.raises(ProtocolError, match="after the end"):
        ResponseParser().feed(raw)


@pytest.mark.parametrize(
    ("first", "rest", "body"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab", b"c", b"abc"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", b"0\r\n\r\n", b"ab"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n", b"\r\n", b"ab"),
    ],
)
def test_a_reply_missing_its_end_waits_for_the_rest(first: bytes, rest: bytes, body: bytes) -> None:
    parser = ResponseParser()
    assert parser.feed(first) is None
    reply = parser.feed(rest)
    assert reply is not None
    assert reply.body == body


@pytest.mark.parametrize("parse", PARSERS)
def test_interim_response_is_skipped(parse: Callable[[bytes], Reply]) -> None:
    reply = parse(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
    assert (reply.status, reply.body) == (200, b"x")


@pytest.mark.parametrize(
    ("raw", "keep_alive"),
    [
        (b"HTTP/1.1 204 No Content\r\n\r\n", True),
        (b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", True),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n", True),
    ],
)
def test_bodiless_responses_and_keep_alive(raw: bytes, keep_alive: bool) -> None:
    reply = _parse_whole(raw)
    assert reply.body == b""
    assert reply.keep_alive is keep_alive


def test_body_until_close_ends_with_the_connection() -> None:
    parser = ResponseParser()
    assert parser.feed(b"HTTP/1.1 200 OK\r\n\r\npart one, ") is None
    assert parser.feed(b"part two") is None
    reply = parser.finish()
    assert (reply.body, reply.keep_alive) == (b"part one, part two", False)


def test_gzip_body_is_decompressed() -> None:
    body = gzip.compress(b'{"kind":"List"}')
    raw = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(body)
    assert _parse_bytewise(raw + body).body == b'{"kind":"List"}'


def test_repeated_headers_are_joined_and_names_lower_cased() -> None:
    reply = _parse_whole(
        b"HTTP/1.1 200 OK\r\nWarning: one\r\nWARNING: two\r\nRetry-After: 3\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    assert reply.headers["warning"] == "one, two"
    assert reply.headers["retry-after"] == "3"


def test_started_says_whether_any_byte_arrived() -> None:
    parser = ResponseParser()
    assert not parser.started
    parser.feed(b"H")
    assert parser.started


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"SSH-2.0-OpenSSH\r\n\r\n", "status line"),
        (b"HTTP/1.1 2x0 OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "malformed header"),
        (b"HTTP/1.1 200 OK\r\n Folded: value\r\n\r\n", "malformed header"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"),
        # What int(x, 16) takes but HTTP does not (Go's chunked reader refuses them too).
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\n", "bad chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+1\r\n", "bad chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1_0\r\n", "bad chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "bad chunk size"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" * 17 + b"\r\n",
            "chunk size",
        ),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc", "not followed by CRLF"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "transfer-encoding"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "content-length"),
        # Latin-1 superscripts are digits to str.isdigit() but not to int().
        (b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\n", "content-length"),
        (b"HTTP/1.1 2\xb20 OK\r\n\r\n", "status line"),
        (b"HTTP/1.1 200 OK\r\nContent-Encoding: br\r\nContent-Length: 0\r\n\r\n", "br"),
        (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc", "gzip"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab", "after the end"),
    ],
)
def test_what_is_not_a_response_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        ResponseParser().feed(raw)


@pytest.mark.parametrize(
    ("start", "what"),
    [
        (b"HTTP/1.1 200 OK\r\n", "response head"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "chunk size line"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", "trailer"),
    ],
)
def test_a_line_without_end_is_refused_past_the_limit(start: bytes, what: str) -> None:
    parser = ResponseParser()
    assert parser.feed(start) is None
    with pytest.raises(ProtocolError, match=f"{what} too large"):
        parser.feed(b"a" * (MAX_HEAD + 1))


def test_data_after_a_complete_response_is_refused() -> None:
    parser = ResponseParser()
    assert parser.feed(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") is not None
    with pytest.raises(ProtocolError, match="after the end"):
        parser.feed(b"HTTP/1.1")


@pytest.mark.parametrize(
    "raw",
    [
        b"HTTP/1.1 200 OK\r\nContent-Len",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab",
    ],
)
def test_a_response_cut_short_cannot_finish(raw: bytes) -> None:
    parser = ResponseParser()
    parser.feed(raw)
    with pytest.raises(ProtocolError, match="before the response was complete"):
        parser.finish()
