"""InformerCache: the Reader over informer stores (get, list by namespace/labels, by_index)."""

from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.cache import CacheNotSyncedError, InformerCache, NotCachedError, Reader
from mirrorctl.client.resources import CONFIGMAPS, NAMESPACES
from mirrorctl.clock import FakeClock
from mirrorctl.informers.factory import InformerFactory
from tests.unit.informers.fakes import StaticListerWatcher


def cm(name: str, namespace: str, **labels: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "resourceVersion": "1",
            "labels": labels,
        },
        "data": {"owner": labels.get("owner", "")},
    }


ITEMS = [
    cm("a", "ns1", app="web", owner="x"),
    cm("b", "ns1", app="db", owner="x"),
    cm("c", "ns2", app="web", owner="y"),
]


def names(objs: list[dict[str, Any]]) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objs)


async def started_cache(namespace: str | None = None) -> tuple[InformerCache, InformerFactory]:
    clock = FakeClock()
    factory = InformerFactory(StaticListerWatcher(ITEMS, clock=clock), clock=clock)
    cache = InformerCache(factory, namespace=namespace)
    cache.add_index(CONFIGMAPS, "owner", lambda o: [o["data"]["owner"]])
    await factory.start()
    assert await factory.wait_for_sync(timeout=1.0)
    return cache, factory


async def test_cluster_wide_reads() -> None:
    cache, factory = await started_cache()
    reader: Reader = cache
    got = reader.get(CONFIGMAPS, "a", "ns1")
    assert got is not None
    assert got["metadata"]["labels"] == {"app": "web", "owner": "x"}
    assert reader.get(CONFIGMAPS, "a", "ns2") is None
    assert names(reader.list(CONFIGMAPS)) == ["a", "b", "c"]
    assert names(reader.list(CONFIGMAPS, "ns1")) == ["a", "b"]
    assert names(reader.list(CONFIGMAPS, label_selector={"app": "web"})) == ["a", "c"]
    assert names(reader.list(CONFIGMAPS, "ns1", {"app": "web", "owner": "x"})) == ["a"]
    assert reader.list(CONFIGMAPS, "ns1", {"app": "nope"}) == []
    assert names(reader.by_index(CONFIGMAPS, "owner", "x")) == ["a", "b"]
    assert sorted(reader.index_keys(CONFIGMAPS, "owner", "x")) == ["ns1/a", "ns1/b"]
    assert reader.index_keys(CONFIGMAPS, "owner", "nobody") == []
    # Reads return the cached dicts themselves (documented: never mutate them).
    assert reader.get(CONFIGMAPS, "a", "ns1") is got
    with pytest.raises(ValueError, match="needs a namespace"):
        reader.get(CONFIGMAPS, "a")
    await factory.stop()


async def test_namespace_scoped_cache_refuses_other_namespaces() -> None:
    cache, factory = await started_cache(namespace="ns1")
    assert cache.informer(CONFIGMAPS).namespace == "ns1"
    # The fake lists everything it holds; scoping the request is the apiserver's job.
    assert cache.get(CONFIGMAPS, "a", "ns1") is not None
    assert len(cache.list(CONFIGMAPS, "ns1")) == 3
    with pytest.raises(NotCachedError, match="ns1"):
        cache.get(CONFIGMAPS, "c", "ns2")
    with pytest.raises(NotCachedError):
        cache.list(CONFIGMAPS, "ns2")
    await factory.stop()


async def test_reads_before_sync_fail_loudly() -> None:
    cache, factory = await started_cache()
    with pytest.raises(CacheNotSyncedError, match="namespaces"):
        cache.get(NAMESPACES, "default")
    with pytest.raises(ValueError, match="cluster-scoped"):
        cache.get(NAMESPACES, "default", "ns1")
    await factory.stop()


async def test_an_empty_namespace_means_none_as_in_object_metadata() -> None:
    # An object's metadata.namespace (or a controller-runtime ObjectKey) is "" when unset:
    # a list over "" reads every cached namespace, a get of a namespaced object without one
    # is the same clear error as with None, and a cluster-scoped get accepts "".
    cache, factory = await started_cache()
    assert names(cache.list(CONFIGMAPS, "")) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="needs a namespace"):
        cache.get(CONFIGMAPS, "a", "")
    await factory.stop()
    scoped, factory = await started_cache(namespace="ns1")
    assert len(scoped.list(CONFIGMAPS, "")) == 3
    await factory.stop()
    clock = FakeClock()
    ns = {"metadata": {"name": "ns1", "resourceVersion": "1"}}
    factory = InformerFactory(StaticListerWatcher([ns], clock=clock), clock=clock)
    cluster = InformerCache(factory)
    cluster.informer(NAMESPACES)
    await factory.start()
    assert await factory.wait_for_sync(timeout=1.0)
    assert cluster.get(NAMESPACES, "ns1", "") is not None
    assert names(cluster.list(NAMESPACES, "")) == ["ns1"]
    await factory.stop()
