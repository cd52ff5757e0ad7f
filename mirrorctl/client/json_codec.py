"""JSON in and out, however deeply nested: the apiserver stores custom resources up to 10,000
levels deep, while orjson reads 1,024 and writes 254."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

__all__ = ["APISERVER_MAX_DEPTH", "dumps", "loads"]

# The apiserver refuses JSON nested deeper than this (its decoder's limit).
APISERVER_MAX_DEPTH = 10_000


@contextmanager
def _stack_for_the_deepest() -> Iterator[None]:
    # Each level of an array or object is one recursive call of the standard library's
    # parser and encoder.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + APISERVER_MAX_DEPTH + 100)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def loads(data: bytes | str) -> Any:
    """`orjson.loads`; what it refuses is read by the standard library's parser, so that one
    deep object does not make every list or watch of its resource fail for good. Not JSON
    (or deeper than the apiserver allows) raises orjson's error."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        refused = error
    # Not JSON at all fails here too, once more: a rare error path, and no guessing from
    # orjson's wording which refusals are about depth.
    with _stack_for_the_deepest():
        try:
            return json.loads(data)
        except (ValueError, RecursionError):
            raise refused from None


def dumps(value: Any) -> bytes:
    """`orjson.dumps`; a value nested deeper than it writes is written by the standard
    library's encoder (compact, UTF-8), so an object read can always be written back."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError as error:
        refused = error
    with _stack_for_the_deepest():
        try:
            return json.dumps(
                value, separators=(",", ":"), ensure_ascii=False, allow_nan=False
            ).encode()
        except (TypeError, ValueError, RecursionError):
            raise refused from None
