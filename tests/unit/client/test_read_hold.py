"""`ReadHold`: a watch reads a burst of events in batches, events that come alone or in pairs
at once, and a flood as fast as it can; and a `Client` watch delivers every event of a burst, in
order, through it."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from mirrorctl.client import Client
from mirrorctl.client.config import ClientConfig
from mirrorctl.client.read_hold import BURST_GAP, BURST_READS, FLOOD_BYTES, ReadHold
from mirrorctl.client.resources import CONFIGMAPS
from tests.unit.client.scripted_server import Seen, Server


class _Transport:
    def __init__(self) -> None:
        self.paused = False
        self.pauses = 0
        self.closing = False
        self.resumed = asyncio.Event()

    def pause_reading(self) -> None:
        self.paused = True
        self.pauses += 1

    def resume_reading(self) -> None:
        self.paused = False
        self.resumed.set()

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


def _burst(hold: ReadHold, transport: Any, clock: _Time, reads: int, size: int = 3000) -> None:
    """``reads`` reads in a row, each half a burst gap after the one before."""
    for _ in range(reads):
        hold.after_read(size, transport)
        clock.now += BURST_GAP / 2


async def test_reads_that_come_alone_or_in_pairs_are_not_held() -> None:
    hold, transport, clock = _hold()
    for _ in range(3):
        _burst(hold, transport, clock, BURST_READS - 1)
        clock.now += BURST_GAP * 2
    assert transport.pauses == 0
    assert not hold.holding


async def test_a_burst_pauses_reading_until_released() -> None:
    hold, transport, clock = _hold()
    _burst(hold, transport, clock, BURST_READS)
    assert transport.paused
    assert hold.holding
    _burst(hold, transport, clock, 1, size=100)  # still held: no second pause
    assert transport.pauses == 1
    hold.release()
    assert not transport.paused
    assert not hold.holding
    hold.release()  # and again: nothing to do
    assert not transport.paused


async def test_the_read_after_a_hold_continues_the_burst() -> None:
    hold, transport, clock = _hold(0.01)
    _burst(hold, transport, clock, BURST_READS)
    assert transport.paused
    await asyncio.wait_for(transport.resumed.wait(), 5)  # the hold ends by itself
    clock.now += 0.0001  # what came meanwhile is read at once
    hold.after_read(30_000, transport)
    assert transport.pauses == 2
    hold.release()
    # A read long after the last one starts afresh.
    clock.now += 1
    hold.after_read(3000, transport)
    assert transport.pauses == 2


async def test_a_flood_is_never_held() -> None:
    hold, transport, clock = _hold()
    _burst(hold, transport, clock, BURST_READS * 3, size=FLOOD_BYTES)
    assert transport.pauses == 0


async def test_a_closing_or_unknown_transport_is_left_alone() -> None:
    hold, transport, clock = _hold()
    transport.closing = True
    _burst(hold, transport, clock, BURST_READS)
    _burst(hold, None, clock, BURST_READS)
    assert transport.pauses == 0
    assert not hold.holding


async def test_a_transport_closed_while_held_is_not_resumed() -> None:
    hold, transport, clock = _hold()
    _burst(hold, transport, clock, BURST_READS)
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


class _TlsTransport(_Transport):
    """A TLS transport: it has read buffer limits, and resumes reading only within them."""

    def __init__(self) -> None:
        super().__init__()
        self.limits = (65536, 262144)  # (low, high), as get_read_buffer_limits gives them
        self.calls: list[str] = []

    def get_read_buffer_limits(self) -> tuple[int, int]:
        return self.limits

    def set_read_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        assert high is not None
        assert low is not None
        self.limits = (low, high)
        self.calls.append(f"limits {low} {high}")

    def resume_reading(self) -> None:
        self.calls.append("resume")
        super().resume_reading()


async def test_a_tls_transport_stops_reading_its_socket_while_held() -> None:
    hold, _, clock = _hold()
    transport: Any = _TlsTransport()
    _burst(hold, transport, clock, BURST_READS)
    assert transport.paused
    # One byte waiting makes the TLS layer pause the socket under it.
    assert transport.limits == (0, 1)
    hold.release()
    # Its own limits come back before reading resumes.
    assert transport.calls == ["limits 0 1", "limits 65536 262144", "resume"]
    assert transport.limits == (65536, 262144)
    assert not transport.paused


async def test_a_closed_tls_transport_is_left_alone_on_release() -> None:
    hold, _, clock = _hold()
    transport: Any = _TlsTransport()
    _burst(hold, transport, clock, BURST_READS)
    transport.closing = True
    hold.release()
    assert transport.calls == ["limits 0 1"]
    assert not hold.holding
