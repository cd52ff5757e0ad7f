"""B2: informer initial sync of 10,000 custom objects, and cache memory per object.

1. Time for a cluster-wide `SharedInformer` (default transform, namespace index) to list and
   cache 10,000 objects of a small CRD created here (`benchitems.bench.mirrorctl.dev`), from
   `run()` to `has_synced()`, against the baseline: one raw aiohttp GET of the same list with
   ``resourceVersion=0`` (the watch cache, as the informer's first list asks) parsed with
   `orjson.loads`. Both on warm connections, alternating, median of several rounds.
   Target: informer <= 1.25x the baseline. Also reported: the same sync with one handler
   enqueueing every key into a `RateLimitingQueue` (what a controller adds on top).
   `client_side_only` repeats the comparison on the response body already in memory, so the
   apiserver's own time (most of the total) does not hide the client's cost.
2. Memory per object, measured with tracemalloc on the same response body: the full parsed
   dict versus what the cache retains after the default transform (managedFields dropped,
   kind/apiVersion/namespace strings shared), index included. Target: <= 60%.

Run: ``python -m benchmarks.b2_sync [KUBECONFIG]`` (without one, a local control plane is
started). Prints JSON. Nothing here asserts the targets.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import statistics
import time
import tracemalloc
from typing import Any

import aiohttp
import orjson

from benchmarks import standalone
from mirrorctl.client import AlreadyExistsError, Client, NotFoundError
from mirrorctl.client.decode import loads_bulk
from mirrorctl.client.resources import CUSTOMRESOURCEDEFINITIONS, NAMESPACES, resource
from mirrorctl.informers import (
    NAMESPACE_INDEX,
    CacheProcessor,
    Indexer,
    SharedInformer,
    key_of,
    namespace_index,
    strip_managed_fields,
)
from mirrorctl.manifests import wait_for_crds
from mirrorctl.queue import LOW_PRIORITY, RateLimitingQueue

__all__ = ["run"]

OBJECTS = 10_000
ROUNDS = 7
CREATE_CONCURRENCY = 32
NAMESPACE = "bench-b2"
GROUP = "bench.mirrorctl.dev"
BENCH_ITEMS = resource(GROUP, "v1", "benchitems", kind="BenchItem")
CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"benchitems.{GROUP}"},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {
            "plural": "benchitems",
            "singular": "benchitem",
            "kind": "BenchItem",
            "listKind": "BenchItemList",
        },
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                        },
                    }
                },
            }
        ],
    },
}


def _item(i: int) -> dict[str, Any]:
    return {
        "apiVersion": BENCH_ITEMS.api_version,
        "kind": BENCH_ITEMS.kind,
        "metadata": {
            "name": f"item-{i:05d}",
            "namespace": NAMESPACE,
            "labels": {"app": f"app-{i % 50}", "tier": "bench"},
        },
        "spec": {
            "destination": f"analyzer-{i % 20}",
            "port": 8000 + i % 1000,
            "enabled": i % 3 != 0,
            "selector": {"app": f"app-{i % 50}"},
        },
    }


async def _ensure_objects(client: Client) -> None:
    with contextlib.suppress(AlreadyExistsError):
        await client.create(CUSTOMRESOURCEDEFINITIONS, CRD)
    await wait_for_crds(client, [CRD["metadata"]["name"]])
    try:
        await client.get(NAMESPACES, NAMESPACE)
    except NotFoundError:
        await client.create(NAMESPACES, {"metadata": {"name": NAMESPACE}})
    existing = {o["metadata"]["name"] for o in (await client.list(BENCH_ITEMS, NAMESPACE))["items"]}
    missing = [i for i in range(OBJECTS) if f"item-{i:05d}" not in existing]
    pending = iter(missing)

    async def creator() -> None:
        for i in pending:
            for attempt in range(20):
                try:
                    await client.create(BENCH_ITEMS, _item(i))
                    break
                except AlreadyExistsError:
                    break
                except Exception:
                    if attempt == 19:
                        raise
                    # The CRD's endpoint may still be warming up right after it was created.
                    await asyncio.sleep(0.5)

    await asyncio.gather(*(creator() for _ in range(CREATE_CONCURRENCY)))
    # The informer's first list is served by the watch cache: wait until it has them all.
    while True:
        cached = await client.list(BENCH_ITEMS, resource_version="0")
        if len(cached["items"]) >= OBJECTS:
            return
        await asyncio.sleep(0.2)


async def _raw_list(session: aiohttp.ClientSession, url: str) -> tuple[float, bytes, int]:
    started = time.perf_counter()
    async with session.get(url) as response:
        response.raise_for_status()
        body = await response.read()
    items = orjson.loads(body)["items"]
    elapsed = time.perf_counter() - started
    return elapsed, body, len(items)


async def _informer_sync(client: Client, *, with_queue: bool) -> float:
    informer = SharedInformer(client, BENCH_ITEMS)
    queue: RateLimitingQueue[str] | None = None
    if with_queue:
        q: RateLimitingQueue[str] = RateLimitingQueue("b2")
        queue = q

        class Enqueue:
            def on_add(self, obj: dict[str, Any], is_initial_list: bool) -> None:
                q.add(key_of(obj), priority=LOW_PRIORITY if is_initial_list else 0)

            def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
                q.add(key_of(new))

            def on_delete(self, obj: Any) -> None:
                q.add(key_of(obj))

        informer.add_event_handler(Enqueue())
    started = time.perf_counter()
    task = asyncio.create_task(informer.run())
    await informer.wait_for_sync()
    elapsed = time.perf_counter() - started
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    if len(informer.store) < OBJECTS:
        raise RuntimeError(f"informer synced {len(informer.store)} objects, expected {OBJECTS}")
    if queue is not None:
        if len(queue) < OBJECTS:
            raise RuntimeError(f"queue holds {len(queue)} keys, expected {OBJECTS}")
        queue.shutdown()
    return elapsed


def _fresh_cache() -> tuple[Indexer, CacheProcessor]:
    store = Indexer({NAMESPACE_INDEX: namespace_index})
    processor = CacheProcessor(
        store,
        api_version=BENCH_ITEMS.api_version,
        kind=BENCH_ITEMS.kind,
        transform=strip_managed_fields,
    )
    return store, processor


def _client_side(body: bytes) -> dict[str, Any]:
    """The same comparison without the server: the body already in memory."""
    parse: list[float] = []
    paused: list[float] = []
    cache: list[float] = []
    for _ in range(ROUNDS):
        gc.collect()
        started = time.perf_counter()
        orjson.loads(body)
        parse.append(time.perf_counter() - started)
        gc.collect()
        started = time.perf_counter()
        loads_bulk(body)
        paused.append(time.perf_counter() - started)
        gc.collect()
        _, processor = _fresh_cache()
        started = time.perf_counter()
        processor.replace(processor.prepare(loads_bulk(body)["items"]), "1")
        cache.append(time.perf_counter() - started)
    parse_s, cache_s = statistics.median(parse), statistics.median(cache)
    paused_s = statistics.median(paused)
    return {
        "orjson_loads_s": round(parse_s, 4),
        "informer_parse_and_cache_s": round(cache_s, 4),
        "ratio": round(cache_s / parse_s, 3),
        # The same parse with the cyclic GC paused (as the client does): what is left of
        # the informer's time above this is the transform, store and index.
        "orjson_loads_gc_paused_s": round(paused_s, 4),
        "ratio_to_gc_paused_parse": round(cache_s / paused_s, 3),
    }


def _retained(build: Any) -> tuple[int, Any]:
    """Bytes still allocated after `build()` returns, with the result kept alive."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = build()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return after - before, result


def _memory(body: bytes) -> dict[str, Any]:
    full_bytes, full = _retained(lambda: orjson.loads(body)["items"])
    count = len(full)
    del full

    def cache() -> Indexer:
        store, processor = _fresh_cache()
        processor.replace(processor.prepare(orjson.loads(body)["items"]), "1")
        return store

    cached_bytes, store = _retained(cache)
    assert len(store) == count
    del store
    return {
        "full_bytes_per_object": round(full_bytes / count),
        "cached_bytes_per_object": round(cached_bytes / count),
        "cached_over_full": round(cached_bytes / full_bytes, 3),
        "target": 0.6,
    }


async def _run(kubeconfig: str) -> dict[str, Any]:
    client = await Client.from_kubeconfig(kubeconfig)
    try:
        await _ensure_objects(client)
        config = client.config
        headers = {"Accept": "application/json"}
        if config.credentials.authorization:
            headers["Authorization"] = config.credentials.authorization
        connector = aiohttp.TCPConnector(ssl=config.ssl_context() or True)
        url = f"{config.base_url}{BENCH_ITEMS.path()}?resourceVersion=0"
        async with aiohttp.ClientSession(
            connector=connector, trust_env=False, headers=headers
        ) as session:
            _, body, count = await _raw_list(session, url)
            await _informer_sync(client, with_queue=False)
            raw: list[float] = []
            informer: list[float] = []
            with_queue: list[float] = []
            for _ in range(ROUNDS):
                gc.collect()
                raw.append((await _raw_list(session, url))[0])
                gc.collect()
                informer.append(await _informer_sync(client, with_queue=False))
                gc.collect()
                with_queue.append(await _informer_sync(client, with_queue=True))
        raw_s = statistics.median(raw)
        informer_s = statistics.median(informer)
        queue_s = statistics.median(with_queue)
        return {
            "objects": count,
            "list_bytes": len(body),
            "rounds": ROUNDS,
            "raw_get_parse_s": round(raw_s, 4),
            "informer_sync_s": round(informer_s, 4),
            "ratio": round(informer_s / raw_s, 3),
            "ratio_target": 1.25,
            "informer_sync_with_queue_handler_s": round(queue_s, 4),
            "ratio_with_queue_handler": round(queue_s / raw_s, 3),
            "client_side_only": _client_side(body),
            "memory": _memory(body),
        }
    finally:
        await client.close()


def run(kubeconfig: str) -> dict[str, Any]:
    """Run B2 against the apiserver of `kubeconfig` and return its figures."""
    return asyncio.run(_run(kubeconfig))


if __name__ == "__main__":
    standalone.main(run)
