"""JSON decoding for large bodies."""

from __future__ import annotations

from typing import Any

from mirrorctl.client.json_codec import loads
from mirrorctl.gcpause import gc_paused

__all__ = ["loads_bulk"]


def loads_bulk(data: bytes) -> Any:
    """`loads` with the cyclic GC paused (see `gc_paused`): nothing in a parse can create a
    reference cycle, so pausing collection loses nothing."""
    with gc_paused():
        return loads(data)
