"""Paged lists and resourceVersion errors as the real apiserver produces them."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from mirrorctl.client import ApiError, Client, Resource
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.envtest import ControlPlane
from mirrorctl.informers import SharedInformer
from mirrorctl.informers.expiry import is_expired, is_too_large_resource_version
from mirrorctl.informers.pager import list_all
from tests.integration.informers.support import eventually

pytestmark = pytest.mark.integration


def configmap(name: str, namespace: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace}, "data": {"v": "0"}}


async def test_consistent_list_follows_continue_tokens(
    admin_client: Client, namespace: str
) -> None:
    for i in range(7):
        await admin_client.create(CONFIGMAPS, configmap(f"cm-{i}", namespace))
    result = await list_all(admin_client, CONFIGMAPS, namespace, page_size=2)
    assert result.paginated
    assert sorted(o["metadata"]["name"] for o in result.items) == [f"cm-{i}" for i in range(7)]
    assert int(result.resource_version) > 0

    # resourceVersion "0" is answered by the watch cache, which ignores the limit: one page.
    cached = await list_all(admin_client, CONFIGMAPS, namespace, resource_version="0", page_size=2)
    assert not cached.paginated
    assert len(cached.items) == 7


class CompactBetweenPages:
    """Lists through a real client; after the first page, writes and compacts etcd so that
    the continue token of that page expires for real."""

    def __init__(self, client: Client, control_plane: ControlPlane, namespace: str) -> None:
        self.client = client
        self.control_plane = control_plane
        self.namespace = namespace
        self.calls = 0
        self.errors: list[ApiError] = []

    async def list(self, resource: Resource, namespace: str | None = None, **kw: Any) -> Any:
        self.calls += 1
        try:
            page = await self.client.list(resource, namespace, **kw)
        except ApiError as err:
            self.errors.append(err)
            raise
        if self.calls == 1:
            await self.client.create(CONFIGMAPS, configmap("late", self.namespace))
            self.control_plane.compact_etcd()
        return page

    def watch(self, *args: Any, **kw: Any) -> Any:
        raise NotImplementedError


async def test_expired_continue_token_falls_back_to_one_full_list(
    admin_client: Client, namespace: str, control_plane: ControlPlane
) -> None:
    for i in range(5):
        await admin_client.create(CONFIGMAPS, configmap(f"cm-{i}", namespace))
    lister = CompactBetweenPages(admin_client, control_plane, namespace)
    result = await list_all(lister, CONFIGMAPS, namespace, page_size=2)
    assert len(lister.errors) == 1
    assert is_expired(lister.errors[0])
    names = sorted(o["metadata"]["name"] for o in result.items)
    assert names == sorted([f"cm-{i}" for i in range(5)] + ["late"])


async def test_future_resource_version_is_recognised(
    admin_client: Client, namespace: str, control_plane: ControlPlane
) -> None:
    now = int((await admin_client.list(CONFIGMAPS, namespace))["metadata"]["resourceVersion"])
    # The apiserver answers with Retry-After; without retries the error shows after one wait.
    async with await Client.from_kubeconfig(control_plane.admin_kubeconfig, max_retries=0) as c:
        with pytest.raises(ApiError) as caught:
            await c.list(CONFIGMAPS, namespace, resource_version=str(now + 1_000_000))
    assert is_too_large_resource_version(caught.value)
    assert not is_expired(caught.value)


class RecordingLister:
    """A real client's lists and watches; each list call records what it asked for and how
    many objects the informer's transform had seen by then."""

    def __init__(self, client: Client, transformed: list[str]) -> None:
        self.client = client
        self.transformed = transformed
        self.lists: list[tuple[dict[str, Any], int]] = []

    async def list(self, resource: Resource, namespace: str | None = None, **kw: Any) -> Any:
        self.lists.append((kw, len(self.transformed)))
        return await self.client.list(resource, namespace, **kw)

    def watch(self, resource: Resource, namespace: str | None = None, **kw: Any) -> Any:
        return self.client.watch(resource, namespace, **kw)


async def test_list_from_etcd_transforms_each_page_before_asking_for_the_next(
    admin_client: Client, namespace: str
) -> None:
    for i in range(5):
        await admin_client.create(CONFIGMAPS, configmap(f"cm-{i}", namespace))
    transformed: list[str] = []

    def keep_name_only(obj: dict[str, Any]) -> dict[str, Any]:
        transformed.append(obj["metadata"]["name"])
        return {
            "metadata": {k: obj["metadata"][k] for k in ("name", "namespace", "resourceVersion")}
        }

    lister = RecordingLister(admin_client, transformed)
    informer = SharedInformer(
        lister,
        CONFIGMAPS,
        namespace=namespace,
        transform=keep_name_only,
        page_size=2,
        list_from_etcd=True,
    )
    task = asyncio.create_task(informer.run())
    try:
        await informer.wait_for_sync(timeout=30)
        # Three pages of a consistent read (no resourceVersion), each transformed before
        # the next request: 0, 2 and 4 objects seen when the pages were asked for.
        assert [seen for _, seen in lister.lists] == [0, 2, 4]
        assert all(kw.get("limit") == 2 for kw, _ in lister.lists)
        assert lister.lists[0][0].get("resource_version") is None
        assert sorted(transformed) == [f"cm-{i}" for i in range(5)]
        cached = informer.store.get_by_key(f"{namespace}/cm-3")
        assert cached is not None
        assert set(cached) == {"metadata"}  # what the transform kept

        await admin_client.create(CONFIGMAPS, configmap("late", namespace))
        await eventually(
            lambda: informer.store.get_by_key(f"{namespace}/late") is not None, what="late"
        )
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
