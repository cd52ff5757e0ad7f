from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from mirrorctl.client import Client, ForbiddenError, GoneError
from mirrorctl.client.resources import CONFIGMAPS, EVENTS
from mirrorctl.envtest import ControlPlane

pytestmark = pytest.mark.integration


def configmap(name: str, namespace: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels or {}}}


async def test_watch_sees_changes_after_the_list(admin_client: Client, namespace: str) -> None:
    await admin_client.create(CONFIGMAPS, configmap("before", namespace))
    listed = await admin_client.list(CONFIGMAPS, namespace)
    seen: list[tuple[str, str]] = []
    async with admin_client.watch(
        CONFIGMAPS,
        namespace,
        resource_version=listed["metadata"]["resourceVersion"],
        allow_bookmarks=False,
        timeout_seconds=30,
    ) as stream:
        await admin_client.create(CONFIGMAPS, configmap("a", namespace))
        await admin_client.patch(CONFIGMAPS, "a", {"data": {"k": "v"}}, namespace)
        await admin_client.delete(CONFIGMAPS, "a", namespace)
        async for event in stream:
            seen.append((event["type"], event["object"]["metadata"]["name"]))
            if event["type"] == "DELETED":
                break
    assert seen == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]


async def test_watch_filters_by_label(admin_client: Client, namespace: str) -> None:
    listed = await admin_client.list(CONFIGMAPS, namespace)
    async with admin_client.watch(
        CONFIGMAPS,
        namespace,
        resource_version=listed["metadata"]["resourceVersion"],
        label_selector="pick=yes",
        timeout_seconds=30,
    ) as stream:
        await admin_client.create(CONFIGMAPS, configmap("skip", namespace, {"pick": "no"}))
        await admin_client.create(CONFIGMAPS, configmap("take", namespace, {"pick": "yes"}))
        event = await anext(stream)
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "take")


async def test_bookmarks_arrive_and_the_server_ends_the_stream(
    admin_client: Client, namespace: str
) -> None:
    listed = await admin_client.list(CONFIGMAPS, namespace)
    start = int(listed["metadata"]["resourceVersion"])
    # Bookmarks carry the cache's progress, so make some elsewhere while we watch.
    other = f"bm-{uuid.uuid4().hex[:8]}"

    async def progress() -> None:
        for i in range(20):
            await admin_client.create(CONFIGMAPS, configmap(f"{other}-{i}", "default"))
            await asyncio.sleep(0.25)

    writer = asyncio.create_task(progress())
    try:
        events = [
            event
            async for event in admin_client.watch(
                CONFIGMAPS, namespace, resource_version=str(start), timeout_seconds=4
            )
        ]
    finally:
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
    # The namespace saw no changes: only bookmarks, each a bare object with a newer version.
    assert events
    assert {e["type"] for e in events} == {"BOOKMARK"}
    for event in events:
        assert event["object"]["kind"] == "ConfigMap"
        assert int(event["object"]["metadata"]["resourceVersion"]) > start


async def test_watch_from_a_compacted_version_is_gone(
    admin_client: Client, control_plane: ControlPlane, namespace: str
) -> None:
    def event(name: str) -> dict[str, Any]:
        return {
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": {"kind": "ConfigMap", "name": "x", "namespace": namespace},
            "reason": "Test",
            "message": "m",
            "type": "Normal",
        }

    # Events have no watch cache, so their watches read etcd's history directly.
    first = await admin_client.create(EVENTS, event("e1"))
    # Two more revisions: a watch from `first` starts at the next one, which must be gone too.
    await admin_client.create(EVENTS, event("e2"))
    await admin_client.create(EVENTS, event("e3"))
    await asyncio.to_thread(control_plane.compact_etcd)
    with pytest.raises(GoneError) as caught:
        async for _ in admin_client.watch(
            EVENTS,
            namespace,
            resource_version=first["metadata"]["resourceVersion"],
            timeout_seconds=10,
        ):
            pass
    assert caught.value.status == 410
    assert caught.value.reason == "Expired"


async def test_forbidden_watch_raises(
    controller_client: Client, rbac: None, namespace: str
) -> None:
    with pytest.raises(ForbiddenError):
        async for _ in controller_client.watch(
            CONFIGMAPS, namespace, resource_version="0", timeout_seconds=10
        ):
            pass
