"""B1: work queue hot path and delay-timer lateness.

1. add -> get -> done per key, against the same hand-off through a bare `asyncio.Queue`
   (put_nowait -> get -> task_done), at 1, 4 and 16 workers, with Prometheus metrics on
   (and, for reference, off). Three patterns, each timed from the first add to the last done:
   - burst: all keys added at once to idle workers (an informer fan-out), workers do no I/O;
     this isolates the queue's own cost;
   - burst+yield: the same, each worker yielding to the loop once per key, as any reconcile
     that awaits anything does;
   - trickle: the producer yields after every add, so each key is handed to a waiting worker.
   The variants run interleaved, round after round, and each keeps its fastest round: on a
   shared machine interference only ever adds time. Costs are process CPU time per key (the
   run is single-threaded and CPU-bound, so this is its wall time minus preemption by other
   processes); wall time is reported too. Target: at most 2x the bare hand-off.
2. 10,000 keys pending in `add_after` (delays spread over ~1 s) on the real clock; lateness is
   how long after its due time a worker's `get` returns the key. Target: p99 <= 2 ms. As a
   baseline under the same load, the same 10,000 deadlines as bare `loop.call_at` callbacks
   (one loop timer per key, nothing else): what the event loop alone achieves.

Run: `python -m benchmarks.b1_queue` (prints JSON). Figures depend on the machine and its
load; nothing here asserts them.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import time
from collections.abc import Callable
from typing import Any, Protocol

from prometheus_client import CollectorRegistry

from mirrorctl.metrics.workqueue import PrometheusQueueMetricsProvider
from mirrorctl.queue import RateLimitingQueue, ShutDown

__all__ = ["run"]

KEYS = 20_000
ROUNDS = 7
WORKER_COUNTS = (1, 4, 16)
PATTERNS = ("burst", "burst+yield", "trickle")
TIMER_KEYS = 10_000
TIMER_RUNS = 3
TIMER_MIN_DELAY = 0.2
TIMER_SPREAD = 0.8


class _Harness(Protocol):
    def add(self, key: str) -> None: ...

    async def worker(self, yield_each: bool, on_done: Callable[[], None]) -> None: ...

    async def close(self) -> None: ...


class _Bare:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[str] = asyncio.Queue()

    def add(self, key: str) -> None:
        self.queue.put_nowait(key)

    async def worker(self, yield_each: bool, on_done: Callable[[], None]) -> None:
        queue = self.queue
        while True:
            await queue.get()
            if yield_each:
                await asyncio.sleep(0)
            queue.task_done()
            on_done()

    async def close(self) -> None:
        pass


class _Mirrorctl:
    def __init__(self, metered: bool) -> None:
        provider = PrometheusQueueMetricsProvider(CollectorRegistry()) if metered else None
        self.queue: RateLimitingQueue[str] = RateLimitingQueue("b1", metrics=provider)

    def add(self, key: str) -> None:
        self.queue.add(key)

    async def worker(self, yield_each: bool, on_done: Callable[[], None]) -> None:
        queue = self.queue
        try:
            while True:
                key = await queue.get()
                if yield_each:
                    await asyncio.sleep(0)
                queue.done(key)
                on_done()
        except ShutDown:
            return

    async def close(self) -> None:
        self.queue.shutdown()


VARIANTS: dict[str, Callable[[], _Harness]] = {
    "bare": _Bare,
    "mirrorctl": lambda: _Mirrorctl(metered=True),
    "mirrorctl_without_metrics": lambda: _Mirrorctl(metered=False),
}


async def _one_round(
    make: Callable[[], _Harness], workers: int, pattern: str
) -> tuple[float, float]:
    """CPU and wall seconds per key for one round."""
    harness = make()
    keys = [f"ns/obj-{i}" for i in range(KEYS)]
    finished = asyncio.Event()
    remaining = KEYS

    def on_done() -> None:
        nonlocal remaining
        remaining -= 1
        if remaining == 0:
            finished.set()

    tasks = [
        asyncio.create_task(harness.worker(pattern == "burst+yield", on_done))
        for _ in range(workers)
    ]
    await asyncio.sleep(0)  # every worker is now blocked in get()
    gc.collect()
    cpu_started = time.process_time()
    wall_started = time.perf_counter()
    if pattern == "trickle":
        for key in keys:
            harness.add(key)
            await asyncio.sleep(0)
    else:
        for key in keys:
            harness.add(key)
    await finished.wait()
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started
    await harness.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return cpu / KEYS, wall / KEYS


async def _hot_path() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for pattern in PATTERNS:
        for workers in WORKER_COUNTS:
            cpu = dict.fromkeys(VARIANTS, float("inf"))
            wall = dict.fromkeys(VARIANTS, float("inf"))
            for _ in range(ROUNDS):
                for name, make in VARIANTS.items():
                    round_cpu, round_wall = await _one_round(make, workers, pattern)
                    cpu[name] = min(cpu[name], round_cpu)
                    wall[name] = min(wall[name], round_wall)
            entry: dict[str, float] = {}
            for name in VARIANTS:
                entry[f"{name}_us_per_key"] = round(cpu[name] * 1e6, 3)
            entry["ratio"] = round(cpu["mirrorctl"] / cpu["bare"], 2)
            entry["ratio_without_metrics"] = round(
                cpu["mirrorctl_without_metrics"] / cpu["bare"], 2
            )
            entry["wall_ratio"] = round(wall["mirrorctl"] / wall["bare"], 2)
            results[f"{pattern}/{workers}w"] = entry
    return results


def _percentiles(lateness: list[float]) -> dict[str, float]:
    ordered = sorted(lateness)
    return {
        "p50_ms": round(ordered[len(ordered) // 2] * 1e3, 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1e3, 3),
        "max_ms": round(ordered[-1] * 1e3, 3),
    }


def _timer_delays() -> list[float]:
    rng = random.Random(1)
    return [TIMER_MIN_DELAY + rng.random() * TIMER_SPREAD for _ in range(TIMER_KEYS)]


async def _loop_timer_lateness() -> dict[str, float]:
    loop = asyncio.get_running_loop()
    lateness: list[float] = []
    all_seen = asyncio.Event()

    def fired(due: float) -> None:
        lateness.append(time.monotonic() - due)
        if len(lateness) == TIMER_KEYS:
            all_seen.set()

    for delay in _timer_delays():
        due = time.monotonic() + delay
        loop.call_at(loop.time() + delay, fired, due)
    await all_seen.wait()
    return _percentiles(lateness)


async def _timer_lateness() -> dict[str, float]:
    queue: RateLimitingQueue[str] = RateLimitingQueue(
        "b1-timers", metrics=PrometheusQueueMetricsProvider(CollectorRegistry())
    )
    due: dict[str, float] = {}
    lateness: list[float] = []
    all_seen = asyncio.Event()

    async def worker() -> None:
        try:
            while True:
                key = await queue.get()
                lateness.append(time.monotonic() - due[key])
                queue.done(key)
                if len(lateness) == TIMER_KEYS:
                    all_seen.set()
        except ShutDown:
            return

    tasks = [asyncio.create_task(worker()) for _ in range(4)]
    await asyncio.sleep(0)
    for i, delay in enumerate(_timer_delays()):
        key = f"ns/timer-{i}"
        due[key] = time.monotonic() + delay
        queue.add_after(key, delay)
    await all_seen.wait()
    queue.shutdown()
    await asyncio.gather(*tasks)
    return _percentiles(lateness)


async def _run() -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    hot_path = await _hot_path()
    timer_runs = []
    for _ in range(TIMER_RUNS):
        queue_run = await _timer_lateness()
        loop_run = await _loop_timer_lateness()
        timer_runs.append({"queue": queue_run, "bare_loop_call_at": loop_run})
    return {
        "cpus": os.cpu_count(),
        "load_average_1m_at_start": round(load_before, 2),
        "keys_per_round": KEYS,
        "rounds": ROUNDS,
        "hot_path": hot_path,
        "max_ratio": max(entry["ratio"] for entry in hot_path.values()),
        "ratio_target": 2.0,
        "add_after": {
            "keys": TIMER_KEYS,
            "runs": timer_runs,
            "best_p99_ms": min(run["queue"]["p99_ms"] for run in timer_runs),
            "best_bare_loop_p99_ms": min(run["bare_loop_call_at"]["p99_ms"] for run in timer_runs),
        },
        "lateness_p99_target_ms": 2.0,
    }


def run() -> dict[str, Any]:
    """Run B1 on a fresh event loop and return its figures."""
    return asyncio.run(_run())


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
