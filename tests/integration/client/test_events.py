from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.client import WARNING, Client, EventRecorder
from mirrorctl.client.event_correlator import AGGREGATED_MESSAGE_PREFIX, CorrelationSettings
from mirrorctl.client.resources import CONFIGMAPS, EVENTS

pytestmark = pytest.mark.integration


async def subject(admin_client: Client, namespace: str) -> dict[str, Any]:
    return await admin_client.create(
        CONFIGMAPS,
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "subject"}},
        namespace,
    )


async def events_about(admin_client: Client, obj: dict[str, Any]) -> list[dict[str, Any]]:
    listed = await admin_client.list(
        EVENTS,
        obj["metadata"]["namespace"],
        field_selector=f"involvedObject.uid={obj['metadata']['uid']}",
    )
    return sorted(listed["items"], key=lambda e: e["metadata"]["creationTimestamp"])


async def test_repeats_become_one_event_with_a_count(
    admin_client: Client, controller_client: Client, rbac: None, namespace: str
) -> None:
    obj = await subject(admin_client, namespace)
    # The controller identity holds only events create+patch: enough for the recorder.
    async with EventRecorder(controller_client, "mirrorctl-test", host="node-1") as recorder:
        for _ in range(3):
            recorder.warning(obj, "SyncFailed", "analyzer pod not found")
            await recorder.flush()
    (event,) = await events_about(admin_client, obj)
    assert event["count"] == 3
    assert event["type"] == WARNING
    assert event["reason"] == "SyncFailed"
    assert event["message"] == "analyzer pod not found"
    assert event["source"] == {"component": "mirrorctl-test", "host": "node-1"}
    assert event["involvedObject"]["uid"] == obj["metadata"]["uid"]
    assert event["involvedObject"]["kind"] == "ConfigMap"
    assert event["firstTimestamp"] <= event["lastTimestamp"]
    assert recorder.dropped == 0


async def test_similar_messages_are_aggregated(admin_client: Client, namespace: str) -> None:
    obj = await subject(admin_client, namespace)
    settings = CorrelationSettings(max_similar=3)
    async with EventRecorder(admin_client, "mirrorctl-test", settings=settings) as recorder:
        for i in range(5):
            recorder.normal(obj, "Resolved", f"interface {i} mirrored")
    events = await events_about(admin_client, obj)
    messages = sorted((e["message"], e["count"]) for e in events)
    assert messages == [
        (AGGREGATED_MESSAGE_PREFIX + "interface 4 mirrored", 3),
        ("interface 0 mirrored", 1),
        ("interface 1 mirrored", 1),
    ]


async def test_spam_is_limited_per_object(admin_client: Client, namespace: str) -> None:
    obj = await subject(admin_client, namespace)
    settings = CorrelationSettings(spam_burst=2)
    async with EventRecorder(admin_client, "mirrorctl-test", settings=settings) as recorder:
        for i in range(6):
            recorder.normal(obj, f"Reason{i}", "m")
    assert recorder.dropped == 4
    assert [e["reason"] for e in await events_about(admin_client, obj)] == ["Reason0", "Reason1"]


async def test_a_repeat_of_a_vanished_event_recreates_it(
    admin_client: Client, namespace: str
) -> None:
    obj = await subject(admin_client, namespace)
    async with EventRecorder(admin_client, "mirrorctl-test") as recorder:
        recorder.normal(obj, "Resolved", "ok")
        await recorder.flush()
        (first,) = await events_about(admin_client, obj)
        # As if its TTL ran out on the apiserver.
        await admin_client.delete(EVENTS, first["metadata"]["name"], namespace)
        recorder.normal(obj, "Resolved", "ok")
    (again,) = await events_about(admin_client, obj)
    assert again["metadata"]["name"] == first["metadata"]["name"]
    assert again["count"] == 2
    assert again["firstTimestamp"] == first["firstTimestamp"]
