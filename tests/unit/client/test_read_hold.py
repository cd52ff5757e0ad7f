"""`ReadHold`: a watch reads a burst of events in batches, an event that comes alone at once,
and a flood as fast as it can; and a `Client` watch delivers every event of a burst, in
order, through it."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from mirrorctl.client import Client
from mirrorctl.client.config import ClientConfig
from mirrorctl.client.read_hold import BURST_GAP, FLOOD_BYTES, ReadHold
from mirrorctl.client.resources import CONFIGMAPS
from tests.unit.client.scripted_server import Seen, Server


class _Transport:
    def __init__(self) -> None:
        self.paused = False
        self.pauses = 0
        self.closing = False

    def pause_reading(self) -> None:
        self.paused = True
        self.pauses += 1

    def resume_reading(self) -> None:
        self.paused = False

    def is_closing(self) -> bool:
        return self.closing


class _Time:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _hold(hold: float = 60.0) -> tuple[ReadHold, Any, _Time]:
    clock = _Time()
    transport: Any = _Transport()  # an asyncio.Transport as far as ReadHold is concerned
    return ReadHold(hold, now=clock), transport, clock


async def test_a_read_that_comes_alone_is_not_held() -> None:
    hold, transport, clock = _hold()
    for _ in range(3):
        hold.after_read(3000, transport)
        clock.now += BURST_GAP * 2
    assert transport.pauses == 0
    assert not hold.holding


async def test_a_read_right_after_another_pauses_reading_until_released() -> None:
    hold, transport, clock = _hold()
    hold.after_read(3000, transport)
    clock.now += BURST_GAP / 2
    hold.after_read(3000, transport)
    assert transport.paused
    assert hold.holding
    clock.now += BURST_GAP / 2
    hold.after_read(100, transport)  # still held: no second pause
    assert transport.pauses == 1
    hold.release()
    assert not transport.paused
    assert not hold.holding
    hold.release()  # and again: nothing to do
    assert not transport.paused


async def test_the_hold_ends_by_itself() -> None:
    hold, transport, _ = _hold(0.01)
    hold.after_read(3000, transport)
    hold.after_read(3000, transport)
    assert transport.paused
    for _ in range(500):
        if not transport.paused:
            break
        await asyncio.sleep(0.01)
    assert not transport.paused
    assert not hold.holding


async def test_a_flood_is_never_held() -> None:
    hold, transport, _ = _hold()
    for _ in range(5):
        hold.after_read(FLOOD_BYTES, transport)
    assert transport.pauses == 0


async def test_a_closing_or_unknown_transport_is_left_alone() -> None:
    hold, transport, _ = _hold()
    transport.closing = True
    hold.after_read(3000, transport)
    hold.after_read(3000, transport)
    hold.after_read(3000, None)
    assert transport.pauses == 0
    assert not hold.holding


async def test_a_transport_closed_while_held_is_not_resumed() -> None:
    hold, transport, _ = _hold()
    hold.after_read(3000, transport)
    hold.after_read(3000, transport)
    transport.closing = True
    hold.release()
    assert transport.paused  # resuming a closing transport would raise on some loops


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan")])
def test_a_hold_must_be_positive(value: float) -> None:
    with pytest.raises(ValueError, match="hold must be > 0"):
        ReadHold(value)


@pytest.mark.parametrize("hold", [0.0, 0.05])
async def test_a_watch_delivers_every_event_of_a_burst_in_order(
    server: Server, hold: float
) -> None:
    events = [
        orjson.dumps(
            {"type": "ADDED", "object": {"metadata": {"name": f"c{i}", "resourceVersion": str(i)}}}
        )
        + b"\n"
        for i in range(60)
    ]

    async def burst(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for event in events:
            writer.write(b"%x\r\n%s\r\n" % (len(event), event))
            await writer.drain()
            await asyncio.sleep(0.001)
        writer.write(b"0\r\n\r\n")
        return True

    server.respond = burst
    config = ClientConfig(f"http://127.0.0.1:{server.port}", watch_hold=hold)
    async with Client(config) as client:
        stream = client.watch(CONFIGMAPS, "n", resource_version="0")
        seen = [event["object"]["metadata"]["name"] async for event in stream]
    assert seen == [f"c{i}" for i in range(60)]
