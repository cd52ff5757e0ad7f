"""B5: client PATCH rate against raw aiohttp + orjson, at concurrency 1, 16 and 64.

Both sides send the same JSON merge patch (a changing annotation, so every request is a real
etcd write) to their own ConfigMap per worker over keep-alive connections, with the same TLS
context and the same bearer token, and parse every reply with orjson. The baseline is the bare
minimum on one aiohttp session with ``trust_env=False``: ``session.patch`` + ``read`` +
``orjson.loads``. The client runs its production path: `Client.patch` over its `Http1Pool`,
with the Prometheus request metrics on (status mapping, credential check, retries, metrics).
The two alternate in short slices and each side's figures are totals over its slices, so
apiserver warm-up and noise from neighbours (two shared cores) hit both alike.

Figures per concurrency: requests/s of each side, their ratio (target >= 0.8), and the
client process's CPU time per request (the client's own overhead; the apiserver and etcd are
other processes). ``executor_calls`` counts `run_in_executor` calls during the client's
rounds: the hot path must not hop to a thread pool, so it should be 0.

Run: ``python -m benchmarks.b5_client [KUBECONFIG]`` (without one, a local control plane is
started). Prints JSON. Nothing here asserts the target.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import orjson
from prometheus_client import CollectorRegistry

from benchmarks import standalone
from mirrorctl.client import Client
from mirrorctl.client.loading import load_kubeconfig
from mirrorctl.client.resources import CONFIGMAPS, NAMESPACES
from mirrorctl.metrics.client import ClientMetrics

__all__ = ["run"]

CONCURRENCY = (1, 16, 64)
# Per side and concurrency, sent in SLICES alternating slices.
REQUESTS = {1: 1000, 16: 3200, 64: 3840}
SLICES = 20

Patch = Callable[[str, int], Awaitable[None]]


async def _drive(patch: Patch, concurrency: int, total: int) -> tuple[float, float, int]:
    """Send `total` patches from `concurrency` workers; return (seconds, CPU seconds, sent)."""
    per_worker = total // concurrency

    async def worker(index: int) -> None:
        name = f"cm-{index}"
        for i in range(per_worker):
            await patch(name, i)

    cpu = time.process_time()
    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return time.perf_counter() - start, time.process_time() - cpu, per_worker * concurrency


class _ExecutorCounter:
    """Counts `run_in_executor` calls on the running loop while installed."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.calls = 0
        self._loop = loop
        self._original = loop.run_in_executor

    def __enter__(self) -> _ExecutorCounter:
        original = self._original

        def counting(executor: Any, func: Callable[..., Any], *args: Any) -> Any:
            self.calls += 1
            return original(executor, func, *args)

        self._loop.run_in_executor = counting  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.run_in_executor = self._original  # type: ignore[method-assign]


async def _run(kubeconfig: str) -> dict[str, Any]:
    config = await load_kubeconfig(kubeconfig, max_connections=100)
    client = Client(config, metrics=ClientMetrics(CollectorRegistry()))
    raw = aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(ssl=config.ssl_context() or True, limit=100),
        trust_env=False,
    )
    namespace = f"b5-{uuid.uuid4().hex[:8]}"
    authorization = config.credentials.authorization
    headers = {"Content-Type": "application/merge-patch+json", "Accept": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    base = config.base_url + CONFIGMAPS.path(namespace)

    async def raw_patch(name: str, i: int) -> None:
        body = orjson.dumps({"metadata": {"annotations": {"b5": f"raw-{i}"}}})
        async with raw.patch(f"{base}/{name}", data=body, headers=headers) as response:
            data = await response.read()
            if response.status != 200:
                raise RuntimeError(f"baseline PATCH failed: {response.status} {data[:200]!r}")
            orjson.loads(data)

    async def client_patch(name: str, i: int) -> None:
        await client.patch(
            CONFIGMAPS, name, {"metadata": {"annotations": {"b5": f"client-{i}"}}}, namespace
        )

    loop = asyncio.get_running_loop()
    results: dict[str, Any] = {}
    executor_calls = 0
    try:
        await client.create(NAMESPACES, {"metadata": {"name": namespace}})
        for w in range(max(CONCURRENCY)):
            await client.create(CONFIGMAPS, {"metadata": {"name": f"cm-{w}"}}, namespace)
        # Warm both sides up: connections open, apiserver caches filled.
        await _drive(raw_patch, 16, 320)
        await _drive(client_patch, 16, 320)
        for concurrency in CONCURRENCY:
            chunk = REQUESTS[concurrency] // SLICES
            spent = {"raw": [0.0, 0.0, 0], "client": [0.0, 0.0, 0]}
            # Short alternating slices: a noisy neighbour slows both sides alike.
            for _ in range(SLICES):
                for side, patch in (("raw", raw_patch), ("client", client_patch)):
                    with _ExecutorCounter(loop) as counter:
                        seconds, cpu, sent = await _drive(patch, concurrency, chunk)
                    if side == "client":
                        executor_calls += counter.calls
                    spent[side][0] += seconds
                    spent[side][1] += cpu
                    spent[side][2] += sent
            raw_rps = spent["raw"][2] / spent["raw"][0]
            client_rps = spent["client"][2] / spent["client"][0]
            results[f"c{concurrency}"] = {
                "raw_rps": raw_rps,
                "client_rps": client_rps,
                "ratio": client_rps / raw_rps,
                "raw_cpu_us_per_request": spent["raw"][1] / spent["raw"][2] * 1e6,
                "client_cpu_us_per_request": spent["client"][1] / spent["client"][2] * 1e6,
            }
        results["executor_calls"] = executor_calls
        results["target_ratio"] = 0.8
        results["met"] = all(results[f"c{c}"]["ratio"] >= 0.8 for c in CONCURRENCY)
    finally:
        try:
            await client.delete(NAMESPACES, namespace)
        finally:
            await raw.close()
            await client.close()
    return results


def run(kubeconfig: str) -> dict[str, Any]:
    """Run B5 against the apiserver of `kubeconfig` and return its figures."""
    return asyncio.run(_run(kubeconfig))


if __name__ == "__main__":
    standalone.main(run)
