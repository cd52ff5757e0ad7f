"""The recording proxy's request parser (pure: no server, no sockets)."""

from __future__ import annotations

from tests.faults.requests_log import RequestLog, SeenRequest


def _feed(data: bytes, cuts: list[int]) -> list[tuple[str, str]]:
    seen: list[SeenRequest] = []
    log = RequestLog(seen)
    start = 0
    for cut in [*cuts, len(data)]:
        log.feed(data[start:cut])
        start = cut
    return [(r.method, r.path) for r in seen]


# A body that looks like a request must be skipped as a body.
BODY = b"GET /not-a-request HTTP/1.1\r\n\r\n"
STREAM = (
    b"GET /api/v1/pods?watch=true HTTP/1.1\r\nHost: x\r\n\r\n"
    b"PATCH /apis/g/v1/namespaces/n/vmis/a HTTP/1.1\r\nContent-Length: "
    + str(len(BODY)).encode()
    + b"\r\n\r\n"
    + BODY
    + b"PUT /apis/g/v1/namespaces/n/vmis/b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    b'5\r\n{"a":\r\n3;ext=1\r\n1}\n\r\n0\r\n\r\n'
    b"DELETE /apis/g/v1/namespaces/n/vmis/c HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
)
EXPECTED = [
    ("GET", "/api/v1/pods?watch=true"),
    ("PATCH", "/apis/g/v1/namespaces/n/vmis/a"),
    ("PUT", "/apis/g/v1/namespaces/n/vmis/b"),
    ("DELETE", "/apis/g/v1/namespaces/n/vmis/c"),
]


def test_keep_alive_stream_in_one_piece() -> None:
    assert _feed(STREAM, []) == EXPECTED


def test_every_split_point() -> None:
    for cut in range(1, len(STREAM)):
        assert _feed(STREAM, [cut]) == EXPECTED, cut


def test_byte_by_byte() -> None:
    assert _feed(STREAM, list(range(1, len(STREAM)))) == EXPECTED


def test_writes_are_told_from_reads() -> None:
    seen: list[SeenRequest] = []
    RequestLog(seen).feed(STREAM)
    assert [r.is_write for r in seen] == [False, True, True, True]
