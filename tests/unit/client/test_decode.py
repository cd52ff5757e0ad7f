from __future__ import annotations

import gc
from collections.abc import Iterator

import orjson
import pytest

from mirrorctl.client.decode import loads_bulk


@pytest.fixture
def gc_state() -> Iterator[None]:
    was_enabled = gc.isenabled()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


@pytest.mark.usefixtures("gc_state")
def test_gc_is_enabled_again_after_parsing() -> None:
    gc.enable()
    assert loads_bulk(b'{"items": [1, 2]}') == {"items": [1, 2]}
    assert gc.isenabled()


@pytest.mark.usefixtures("gc_state")
def test_gc_is_enabled_again_after_a_parse_error() -> None:
    gc.enable()
    with pytest.raises(orjson.JSONDecodeError):
        loads_bulk(b"{broken")
    assert gc.isenabled()


@pytest.mark.usefixtures("gc_state")
def test_a_caller_that_disabled_gc_keeps_it_disabled() -> None:
    gc.disable()
    assert loads_bulk(b"[]") == []
    assert not gc.isenabled()
