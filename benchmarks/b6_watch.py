"""B6: watch ingestion into the informer cache and a work queue, 3 KB events.

Two cores cannot make a real apiserver (plus etcd) emit 20,000 events/s, so the stream is
recorded and replayed: ConfigMap events (ADDED, then MODIFIED) of about 3 KB each are recorded
from the real apiserver's watch, and a loopback HTTP server replays them, cycled to
`EVENTS` events, as one watch response. The informer consumes it through the full production
path: `Client.watch` (aiohttp, line splitting, orjson) -> reflector -> default transform ->
store and namespace-free index -> one handler enqueueing each key into a `RateLimitingQueue`
(with Prometheus informer and queue metrics on) drained by one worker. The replay server
runs in the same process and on the same two cores.

Figures: events/s from the first byte served to the last event handled (target >= 20,000),
and for scale the rate of bare `orjson.loads` over the same lines.

Run: ``python -m benchmarks.b6_watch [KUBECONFIG]`` (without one, a local control plane is
started). Prints JSON. Nothing here asserts the target.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import statistics
import time
import uuid
from typing import Any

import aiohttp
import orjson
from aiohttp import web
from prometheus_client import CollectorRegistry

from benchmarks import standalone
from mirrorctl.client import Client, ClientConfig
from mirrorctl.client.resources import CONFIGMAPS, NAMESPACES
from mirrorctl.informers import SharedInformer, key_of
from mirrorctl.metrics.informer import InformerMetrics
from mirrorctl.metrics.workqueue import PrometheusQueueMetricsProvider
from mirrorctl.queue import LOW_PRIORITY, RateLimitingQueue, ShutDown

__all__ = ["run"]

RECORDED_OBJECTS = 300
EVENT_BYTES = 3_000
EVENTS = 60_000
ROUNDS = 3
CHUNK = 256 * 1024


def _configmap(name: str, namespace: str, value: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": "b6"}},
        "data": {"payload": value},
    }


async def _record(kubeconfig: str) -> list[bytes]:
    """Raw watch lines from the real apiserver: an ADDED and a MODIFIED per object."""
    client = await Client.from_kubeconfig(kubeconfig)
    namespace = f"bench-b6-{uuid.uuid4().hex[:6]}"
    try:
        await client.create(NAMESPACES, {"metadata": {"name": namespace}})
        start_rv = (await client.list(CONFIGMAPS, namespace))["metadata"]["resourceVersion"]
        config = client.config
        headers = {"Accept": "application/json"}
        if config.credentials.authorization:
            headers["Authorization"] = config.credentials.authorization
        url = (
            f"{config.base_url}{CONFIGMAPS.path(namespace)}"
            f"?watch=true&resourceVersion={start_rv}&timeoutSeconds=120"
        )
        lines: list[bytes] = []
        wanted = 2 * RECORDED_OBJECTS
        connector = aiohttp.TCPConnector(ssl=config.ssl_context() or True)
        async with (
            aiohttp.ClientSession(connector=connector, trust_env=False, headers=headers) as s,
            s.get(url) as response,
        ):
            response.raise_for_status()

            async def write() -> None:
                # Sized so the whole event line (metadata, managedFields) is about 3 KB.
                filler = "x" * (EVENT_BYTES - 500)
                for i in range(RECORDED_OBJECTS):
                    await client.create(CONFIGMAPS, _configmap(f"cm-{i:04d}", namespace, filler))
                for i in range(RECORDED_OBJECTS):
                    await client.patch(
                        CONFIGMAPS,
                        f"cm-{i:04d}",
                        {"data": {"payload": filler[1:] + "y"}},
                        namespace,
                    )

            writer = asyncio.create_task(write())
            async for line in response.content:
                if line.strip():
                    lines.append(line.rstrip(b"\n"))
                if len(lines) >= wanted:
                    break
            await writer
        return lines
    finally:
        try:
            await client.delete(NAMESPACES, namespace)
        finally:
            await client.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Replay:
    """A loopback apiserver stand-in: an empty list, then one watch replaying the blob."""

    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        self.first_byte_at = 0.0
        self.closing = asyncio.Event()
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("watch") != "true":
            body = {
                "kind": "ConfigMapList",
                "apiVersion": "v1",
                "metadata": {"resourceVersion": "1"},
                "items": [],
            }
            return web.Response(body=orjson.dumps(body), content_type="application/json")
        response = web.StreamResponse()
        response.content_type = "application/json"
        await response.prepare(request)
        self.first_byte_at = time.perf_counter()
        blob = self.blob
        for offset in range(0, len(blob), CHUNK):
            await response.write(blob[offset : offset + CHUNK])
        # Then stay open like an idle watch until the benchmark ends.
        await self.closing.wait()
        return response


async def _ingest(blob: bytes, events: int) -> float:
    replay = _Replay(blob)
    runner = web.AppRunner(replay.app, access_log=None)
    await runner.setup()
    port = _free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    client = Client(ClientConfig(host=f"http://127.0.0.1:{port}"))
    registry = CollectorRegistry()
    informer = SharedInformer(
        client, CONFIGMAPS, namespace="bench", metrics=InformerMetrics(registry)
    )
    queue: RateLimitingQueue[str] = RateLimitingQueue(
        "b6", metrics=PrometheusQueueMetricsProvider(registry)
    )
    done = asyncio.Event()
    handled = 0
    finished_at = 0.0

    class Enqueue:
        def _count(self) -> None:
            nonlocal handled, finished_at
            handled += 1
            if handled == events:
                finished_at = time.perf_counter()
                done.set()

        def on_add(self, obj: dict[str, Any], is_initial_list: bool) -> None:
            queue.add(key_of(obj), priority=LOW_PRIORITY if is_initial_list else 0)
            self._count()

        def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
            queue.add(key_of(new))
            self._count()

        def on_delete(self, obj: Any) -> None:
            queue.add(key_of(obj))
            self._count()

    async def worker() -> None:
        try:
            while True:
                key = await queue.get()
                queue.done(key)
        except ShutDown:
            return

    informer.add_event_handler(Enqueue())
    drain = asyncio.create_task(worker())
    task = asyncio.create_task(informer.run())
    try:
        await asyncio.wait_for(done.wait(), timeout=300)
        return finished_at - replay.first_byte_at
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        queue.shutdown()
        await asyncio.gather(drain, return_exceptions=True)
        await client.close()
        replay.closing.set()
        await runner.cleanup()


async def _run(kubeconfig: str) -> dict[str, Any]:
    recorded = await _record(kubeconfig)
    lines = list(itertools.islice(itertools.cycle(recorded), EVENTS))
    blob = b"".join(line + b"\n" for line in lines)

    started = time.perf_counter()
    for line in lines:
        orjson.loads(line)
    parse_rate = len(lines) / (time.perf_counter() - started)

    await _ingest(blob, EVENTS)  # warm-up
    rates = [EVENTS / await _ingest(blob, EVENTS) for _ in range(ROUNDS)]
    rate = statistics.median(rates)
    return {
        "source": "recorded from the real apiserver, replayed over loopback HTTP",
        "recorded_events": len(recorded),
        "events": EVENTS,
        "mean_event_bytes": round(len(blob) / EVENTS),
        "rounds": ROUNDS,
        "events_per_s": round(rate),
        "events_per_s_rounds": [round(r) for r in rates],
        "target_events_per_s": 20_000,
        "bare_orjson_loads_per_s": round(parse_rate),
    }


def run(kubeconfig: str) -> dict[str, Any]:
    """Run B6 (recording from the apiserver of `kubeconfig`) and return its figures."""
    return asyncio.run(_run(kubeconfig))


if __name__ == "__main__":
    standalone.main(run)
