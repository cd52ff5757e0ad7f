"""`loads` and `dumps`: JSON as deep as the apiserver stores it (10,000 levels)."""

from __future__ import annotations

import math
import sys
from typing import Any

import orjson
import pytest

from mirrorctl.client.json_codec import dumps, loads


def _nested_text(depth: int) -> bytes:
    return b'{"spec":' + b"[" * depth + b"]" * depth + b"}"


def _nested(depth: int) -> list[Any]:
    """``depth`` lists, each in the one before."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def _depth(value: list[Any]) -> int:
    depth = 1
    while value:
        (value,) = value
        depth += 1
    return depth


@pytest.mark.parametrize("depth", [1100, 10_000])
def test_json_nested_as_deep_as_the_apiserver_stores_is_read(depth: int) -> None:
    # orjson stops at 1,024 levels.
    assert _depth(loads(_nested_text(depth))["spec"]) == depth


@pytest.mark.parametrize("depth", [300, 10_000])
def test_values_nested_as_deep_as_the_apiserver_stores_are_written(depth: int) -> None:
    # orjson stops at 254 levels.
    data = dumps({"spec": _nested(depth), "name": "ü"})
    assert data.startswith(b'{"spec":[[')
    assert data.endswith(b']]],"name":"\xc3\xbc"}')
    assert _depth(loads(data)["spec"]) == depth


def test_what_is_not_json_is_refused_with_orjsons_errors() -> None:
    limit = sys.getrecursionlimit()
    for text in (b"{nope", _nested_text(20_000)):
        with pytest.raises(orjson.JSONDecodeError):
            loads(text)
    for value in ({"v": object()}, [_nested(300), math.nan]):
        with pytest.raises(orjson.JSONEncodeError):
            dumps(value)
    assert sys.getrecursionlimit() == limit


def test_shallow_json_is_orjsons() -> None:
    value = {"a": [1, 2.5, None, True, "x"]}
    assert dumps(value) == orjson.dumps(value)
    assert loads(orjson.dumps(value)) == value
