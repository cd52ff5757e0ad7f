from __future__ import annotations

import orjson
import pytest

from mirrorctl.client.errors import ApiError, ForbiddenError, GoneError, ServerError
from mirrorctl.client.watch import MAX_EVENT_BYTES, LineSplitter, decode_event

EVENT = {"type": "ADDED", "object": {"kind": "ConfigMap", "metadata": {"name": "a"}}}
LINE = orjson.dumps(EVENT)


def test_lines_split_across_arbitrary_chunks() -> None:
    stream = LINE + b"\n" + LINE + b"\n\n" + LINE + b"\n"
    for size in (1, 2, 7, len(LINE), len(LINE) + 1, len(stream)):
        splitter = LineSplitter()
        lines: list[bytes] = []
        for i in range(0, len(stream), size):
            lines.extend(splitter.feed(stream[i : i + size]))
        assert lines == [LINE, LINE, LINE], size
        assert splitter.finish() is None


def test_a_large_object_in_small_chunks_comes_out_whole() -> None:
    big = orjson.dumps({"type": "ADDED", "object": {"data": "x" * 1_500_000}})
    stream = big + b"\n" + LINE + b"\n" + big[:5000]
    splitter = LineSplitter()
    lines: list[bytes] = []
    for i in range(0, len(stream), 1024):
        lines.extend(splitter.feed(stream[i : i + 1024]))
    assert lines == [big, LINE]
    assert splitter.finish() == big[:5000]


def test_unterminated_tail_is_returned_at_end() -> None:
    splitter = LineSplitter()
    assert splitter.feed(LINE + b"\n" + LINE[:10]) == [LINE]
    assert splitter.feed(LINE[10:]) == []
    assert splitter.finish() == LINE
    assert splitter.finish() is None


def test_events_decode_to_dicts() -> None:
    assert decode_event(LINE) == EVENT
    bookmark = {"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "42"}}}
    assert decode_event(orjson.dumps(bookmark)) == bookmark


def test_an_event_nested_deeper_than_orjson_reads_is_decoded() -> None:
    depth = 5000
    line = b'{"type":"MODIFIED","object":{"spec":' + b"[" * depth + b"]" * depth + b"}}"
    assert decode_event(line)["type"] == "MODIFIED"


def test_error_event_410_raises_gone() -> None:
    status = {
        "kind": "Status",
        "status": "Failure",
        "message": "too old resource version: 5 (90)",
        "reason": "Expired",
        "code": 410,
    }
    with pytest.raises(GoneError, match="too old resource version"):
        decode_event(orjson.dumps({"type": "ERROR", "object": status}))


def test_other_error_events_raise_api_errors() -> None:
    status = {"kind": "Status", "reason": "Forbidden", "message": "no", "code": 403}
    with pytest.raises(ForbiddenError):
        decode_event(orjson.dumps({"type": "ERROR", "object": status}))
    with pytest.raises(ServerError):
        decode_event(orjson.dumps({"type": "ERROR", "object": None}))


def test_malformed_events_raise() -> None:
    with pytest.raises(ApiError, match="malformed"):
        decode_event(b"[1, 2]")
    with pytest.raises(orjson.JSONDecodeError):
        decode_event(b"{not json")


def test_a_line_that_never_ends_is_refused_past_the_limit() -> None:
    # A stream that never sends a newline must not grow the buffer without bound (client-go's
    # watch decoder refuses an object over 16 MiB the same way).
    piece = b"x" * (1024 * 1024)
    for start, first_lines in ((b'{"type":"ADDED"', []), (LINE + b"\n", [LINE])):
        # The limit counts the whole unterminated line, also one that began past a newline.
        splitter = LineSplitter()
        assert splitter.feed(start + piece) == first_lines
        held = len(start + piece) - sum(len(line) + 1 for line in first_lines)
        while held + len(piece) <= MAX_EVENT_BYTES:
            assert splitter.feed(piece) == []
            held += len(piece)
        with pytest.raises(ApiError, match="watch event larger than"):
            splitter.feed(piece)


def test_a_line_up_to_the_limit_comes_out_whole() -> None:
    piece = b"x" * (1024 * 1024)
    splitter = LineSplitter()
    for _ in range(MAX_EVENT_BYTES // len(piece)):
        assert splitter.feed(piece) == []
    (line,) = splitter.feed(b"\n")
    assert len(line) == MAX_EVENT_BYTES
