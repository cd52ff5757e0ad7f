"""Informers fed by the real apiserver while user code (index functions, transforms) raises."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from mirrorctl.client import Client, Resource
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.informers import InformerFactory
from tests.integration.informers.support import Recorder, cache_state, eventually, server_state

pytestmark = pytest.mark.integration


def configmap(name: str, namespace: str, owner: str | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    if owner is not None:
        metadata["annotations"] = {"owner": owner}
    return {"metadata": metadata, "data": {"v": "0"}}


def by_owner(obj: dict[str, Any]) -> list[str]:
    # Written for objects that always carry the annotation; some do not.
    return [obj["metadata"]["annotations"]["owner"]]


class CountedWatches:
    """Passes lists and watches to a real client and counts the watches opened."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.watches = 0

    async def list(self, resource: Resource, namespace: str | None = None, **kw: Any) -> Any:
        return await self.client.list(resource, namespace, **kw)

    def watch(
        self, resource: Resource, namespace: str | None = None, **kw: Any
    ) -> AsyncIterator[dict[str, Any]]:
        self.watches += 1
        return self.client.watch(resource, namespace, **kw)


async def test_a_raising_index_function_neither_stalls_the_watch_nor_hides_objects(
    admin_client: Client, namespace: str
) -> None:
    counted = CountedWatches(admin_client)
    factory = InformerFactory(counted)
    informer = factory.informer(CONFIGMAPS, namespace)
    informer.add_indexers({"owner": by_owner})
    rec = Recorder()
    informer.add_event_handler(rec)
    await factory.start()
    try:
        assert await factory.wait_for_sync(timeout=30)
        await eventually(lambda: counted.watches == 1, what="the first watch")
        await admin_client.create(CONFIGMAPS, configmap("orphan", namespace))
        await admin_client.create(CONFIGMAPS, configmap("owned", namespace, owner="me"))
        expected = await server_state(admin_client, namespace)
        await eventually(lambda: cache_state(informer) == expected, what="cache == server")
        assert {"orphan", "owned"} <= rec.names("add")
        assert [o["metadata"]["name"] for o in informer.store.by_index("owner", "me")] == ["owned"]
        # The event the index function failed on was consumed, not replayed on new watches.
        assert counted.watches == 1
    finally:
        await factory.stop()
