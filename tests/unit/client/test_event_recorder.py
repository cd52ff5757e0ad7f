"""The recorder's caller side (building, correlating, queueing); writing is covered by the
integration tests against a real apiserver."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator
from typing import Any

import pytest

from mirrorctl.client import Client, ClientConfig
from mirrorctl.client.event_correlator import CorrelationSettings
from mirrorctl.client.events import MESSAGE_MAX_BYTES, NORMAL, WARNING, EventRecorder
from mirrorctl.clock import FakeClock

WALL = datetime.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=datetime.UTC)
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "resourceVersion": "7"},
}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "u-2"}}


@pytest.fixture
async def offline_client() -> AsyncIterator[Client]:
    # Never contacted: these tests do not start the writer.
    client = Client(ClientConfig("http://127.0.0.1:9"))
    yield client
    await client.close()


def queued(recorder: EventRecorder) -> list[Any]:
    items = []
    while not recorder._queue.empty():
        items.append(recorder._queue.get_nowait())
    return items


class Capture:
    """A structlog-shaped logger that keeps what it is given."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def bind(self, **_: Any) -> Capture:
        return self

    def warning(self, event: str, **kw: Any) -> None:
        self.lines.append(("warning", event, kw))

    def debug(self, event: str, **kw: Any) -> None:
        self.lines.append(("debug", event, kw))


def make(client: Client, log: Capture | None = None, **kwargs: Any) -> EventRecorder:
    return EventRecorder(
        client,
        "mirrorctl",
        host="node-1",
        clock=FakeClock(),
        wall=lambda: WALL,
        logger=log or Capture(),
        **kwargs,
    )


async def test_event_is_built_like_client_go(offline_client: Client) -> None:
    recorder = make(offline_client)
    recorder.event(POD, WARNING, "Failed", "boom", field_path="spec.containers{app}")
    (decision,) = queued(recorder)
    event = decision.event
    nanos = int(WALL.timestamp() * 1_000_000_000)
    assert event["metadata"] == {"name": f"web.{nanos:x}", "namespace": "shop"}
    assert event["involvedObject"] == {
        "kind": "Pod",
        "apiVersion": "v1",
        "name": "web",
        "namespace": "shop",
        "uid": "u-1",
        "resourceVersion": "7",
        "fieldPath": "spec.containers{app}",
    }
    assert (event["type"], event["reason"], event["message"]) == (WARNING, "Failed", "boom")
    assert event["source"] == {"component": "mirrorctl", "host": "node-1"}
    assert event["firstTimestamp"] == event["lastTimestamp"] == "2024-05-01T12:00:00Z"
    assert event["count"] == 1
    assert event["reportingComponent"] == "mirrorctl"
    assert event["reportingInstance"] == "node-1"


@pytest.mark.parametrize("unit", ["x", "é", "漢"])
async def test_long_messages_are_cut_to_the_note_limit_on_a_character(
    offline_client: Client, unit: str
) -> None:
    recorder = make(offline_client)
    recorder.event(POD, WARNING, "Failed", unit * (MESSAGE_MAX_BYTES + 1))
    recorder.event(POD, WARNING, "Failed", "fits")
    long, short = (d.event["message"] for d in queued(recorder))
    assert long.endswith(" ...")
    assert long.removesuffix(" ...") == unit * len(long.removesuffix(" ..."))
    assert MESSAGE_MAX_BYTES - 8 < len(long.encode()) <= MESSAGE_MAX_BYTES
    assert short == "fits"


async def test_cluster_scoped_objects_get_events_in_default(offline_client: Client) -> None:
    recorder = make(offline_client)
    recorder.normal(NODE, "Seen", "hello")
    (decision,) = queued(recorder)
    assert decision.event["metadata"]["namespace"] == "default"
    assert "namespace" not in decision.event["involvedObject"]
    assert decision.event["type"] == NORMAL


async def test_names_never_collide_within_a_clock_tick(offline_client: Client) -> None:
    recorder = make(offline_client)
    for i in range(3):
        recorder.normal(POD, f"R{i}", "m")
    names = [d.event["metadata"]["name"] for d in queued(recorder)]
    assert len(set(names)) == 3


async def test_full_queue_drops_instead_of_blocking(offline_client: Client) -> None:
    log = Capture()
    recorder = make(offline_client, log, queue_size=2)
    for i in range(5):
        recorder.normal(POD, f"R{i}", "m")
    assert recorder.dropped == 3
    assert len(queued(recorder)) == 2
    # One warning per overflow, however many events it drops.
    assert [line[1] for line in log.lines] == ["event queue full, dropping events"]
    recorder.normal(POD, "R5", "m")
    recorder.normal(POD, "R6", "m")
    recorder.normal(POD, "R7", "m")
    assert recorder.dropped == 4
    assert len(log.lines) == 2


async def test_spam_is_dropped_before_queueing(offline_client: Client) -> None:
    recorder = make(offline_client, settings=CorrelationSettings(spam_burst=2))
    for i in range(4):
        recorder.warning(POD, f"R{i}", "m")
    assert recorder.dropped == 2
    assert len(queued(recorder)) == 2


async def test_closed_recorder_drops_and_cannot_restart(offline_client: Client) -> None:
    recorder = make(offline_client)
    await recorder.close()
    recorder.normal(POD, "R", "m")
    assert recorder.dropped == 1
    with pytest.raises(RuntimeError, match="closed"):
        recorder.start()
