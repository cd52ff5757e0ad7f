"""Informers against the real apiserver: sync, watch, bookmarks, selectors and scope."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from mirrorctl.cache import InformerCache
from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS, NAMESPACES
from mirrorctl.informers import InformerFactory, SharedInformer
from mirrorctl.metrics.informer import InformerMetrics
from tests.integration.informers.support import Recorder, cache_state, eventually, server_state

pytestmark = pytest.mark.integration


def configmap(name: str, namespace: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "data": {"v": "0"},
    }


async def touch(client: Client, name: str, namespace: str, value: str) -> dict[str, Any]:
    return await client.patch(CONFIGMAPS, name, {"data": {"v": value}}, namespace)


@pytest.fixture
async def other_namespace(admin_client: Client) -> AsyncIterator[str]:
    name = f"t-{uuid.uuid4().hex[:10]}"
    await admin_client.create(NAMESPACES, {"metadata": {"name": name}})
    yield name
    await admin_client.delete(NAMESPACES, name)


async def test_list_then_watch_reaches_the_server_state(
    admin_client: Client, namespace: str
) -> None:
    for i in range(5):
        await admin_client.create(CONFIGMAPS, configmap(f"pre-{i}", namespace))
    factory = InformerFactory(admin_client)
    informer = factory.informer(CONFIGMAPS, namespace)
    rec = Recorder()
    informer.add_event_handler(rec)
    await factory.start()
    try:
        assert await factory.wait_for_sync(timeout=30)
        # The first list is served from the apiserver's watch cache (resourceVersion "0", as
        # client-go lists), which may lag the last create by a moment; the watch brings the
        # rest as ordinary adds.
        before = await server_state(admin_client, namespace)
        await eventually(lambda: cache_state(informer) == before, what="cache == server")
        adds = [(name, initial) for kind, name, initial in rec.calls if kind == "add"]
        assert sorted(name for name, _ in adds) == [f"pre-{i}" for i in range(5)]
        assert any(initial for _, initial in adds)
        cached = informer.store.get_by_key(f"{namespace}/pre-0")
        assert cached is not None
        assert "managedFields" not in cached["metadata"]
        assert cached["kind"] == "ConfigMap"
        assert cached["apiVersion"] == "v1"

        for i in range(3):
            await admin_client.create(CONFIGMAPS, configmap(f"new-{i}", namespace))
        await touch(admin_client, "pre-0", namespace, "1")
        await touch(admin_client, "pre-1", namespace, "1")
        await admin_client.delete(CONFIGMAPS, "pre-2", namespace)
        await admin_client.delete(CONFIGMAPS, "new-0", namespace)
        expected = await server_state(admin_client, namespace)
        await eventually(lambda: cache_state(informer) == expected, what="cache == server")
        assert {"new-0", "new-1", "new-2"} <= rec.names("add")
        assert rec.names("update") == {"pre-0", "pre-1"}
        assert rec.names("delete") == {"pre-2", "new-0"}
        assert not any(initial for kind, name, initial in rec.calls if name.startswith("new"))
    finally:
        await factory.stop()


async def test_bookmarks_advance_the_resource_version(admin_client: Client, namespace: str) -> None:
    registry = CollectorRegistry()
    # Only labelled objects match, so changes to others reach this watch only as bookmarks.
    # Short watches, because this apiserver sends a bookmark shortly before a watch times out.
    informer = SharedInformer(
        admin_client,
        CONFIGMAPS,
        namespace=namespace,
        label_selector="app=watched",
        metrics=InformerMetrics(registry),
        min_watch_timeout=3,
    )
    await admin_client.create(CONFIGMAPS, configmap("watched", namespace, {"app": "watched"}))
    task = asyncio.create_task(informer.run())
    try:
        assert await informer.wait_for_sync(timeout=30)
        synced_rv = int(informer.last_sync_resource_version)
        last = None
        for i in range(3):
            last = await admin_client.create(CONFIGMAPS, configmap(f"other-{i}", namespace))
        assert last is not None
        target = int(last["metadata"]["resourceVersion"])
        assert target > synced_rv

        def advanced() -> bool:
            return int(informer.last_sync_resource_version) >= target

        await eventually(advanced, timeout=20, what="a bookmark past the unrelated writes")
        labels = {"resource": "configmaps"}
        bookmarks = registry.get_sample_value(
            "mirrorctl_informer_events_total", {**labels, "type": "BOOKMARK"}
        )
        assert bookmarks is not None
        assert bookmarks >= 1
        # Nothing but a bookmark could have moved it: no relist, no event for this watch.
        assert registry.get_sample_value("mirrorctl_informer_relists_total", labels) == 0
        assert list(informer.store.keys()) == [f"{namespace}/watched"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_selectors_and_namespace_scope(
    admin_client: Client, namespace: str, other_namespace: str
) -> None:
    for ns in (namespace, other_namespace):
        await admin_client.create(CONFIGMAPS, configmap("web", ns, {"app": "web"}))
        await admin_client.create(CONFIGMAPS, configmap("db", ns, {"app": "db"}))
    factory = InformerFactory(admin_client)
    scoped = factory.informer(CONFIGMAPS, namespace)
    labelled = factory.informer(CONFIGMAPS, namespace, label_selector={"app": "web"})
    by_field = factory.informer(CONFIGMAPS, namespace, field_selector="metadata.name=db")
    everywhere = factory.informer(CONFIGMAPS)
    cache = InformerCache(factory)
    labelled_rec = Recorder()
    labelled.add_event_handler(labelled_rec)
    await factory.start()
    try:
        assert await factory.wait_for_sync(timeout=30)
        assert set(cache_state(scoped)) == {"web", "db"}
        assert set(cache_state(labelled)) == {"web"}
        assert set(cache_state(by_field)) == {"db"}
        for ns in (namespace, other_namespace):
            assert set(cache_state(everywhere, ns)) == {"web", "db"}
            assert {o["metadata"]["name"] for o in cache.list(CONFIGMAPS, ns)} == {"web", "db"}
        got = cache.get(CONFIGMAPS, "web", other_namespace)
        assert got is not None
        assert got["metadata"]["namespace"] == other_namespace
        assert [
            o["metadata"]["namespace"] for o in cache.list(CONFIGMAPS, namespace, {"app": "db"})
        ] == [namespace]

        # Relabelling moves an object out of one selector and into the other.
        await admin_client.patch(
            CONFIGMAPS, "web", {"metadata": {"labels": {"app": "db"}}}, namespace
        )
        await admin_client.create(CONFIGMAPS, configmap("web2", other_namespace, {"app": "web"}))
        await eventually(lambda: cache_state(labelled) == {}, what="web leaving the selector")
        assert "web" in labelled_rec.names("delete")
        await eventually(
            lambda: "web2" in cache_state(everywhere, other_namespace),
            what="the cluster-wide informer seeing the other namespace",
        )
        assert "web2" not in cache_state(scoped)
        assert set(cache_state(scoped)) == {"web", "db"}
    finally:
        await factory.stop()
