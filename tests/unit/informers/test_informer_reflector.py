"""Reflector loops driven by a fake clock over transport-level fakes: retry schedule on an
unreachable server, watch timeouts, and re-opening a watch that went silent."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.clock import FakeClock
from mirrorctl.informers.backoff import ExponentialBackoff
from mirrorctl.informers.processor import CacheProcessor
from mirrorctl.informers.reflector import Reflector
from mirrorctl.informers.store import Indexer
from mirrorctl.metrics.informer import InformerMetrics
from tests.unit.informers.fakes import StaticListerWatcher


def reflector(
    lw: StaticListerWatcher, clock: FakeClock, **kwargs: Any
) -> tuple[Reflector, CacheProcessor]:
    sink = CacheProcessor(Indexer(), api_version="v1", kind="ConfigMap")
    return Reflector(lw, CONFIGMAPS, sink, clock=clock, **kwargs), sink


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_failed_lists_are_retried_on_the_backoff_schedule() -> None:
    clock = FakeClock()
    lw = StaticListerWatcher(failures=7, clock=clock)
    r, sink = reflector(lw, clock, backoff=ExponentialBackoff(clock, jitter=0.0))
    task = asyncio.create_task(r.run())
    await clock.advance(200.0)
    assert lw.list_calls == pytest.approx(
        # gaps: 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30 (capped)
        [0.0, 0.8, 2.4, 5.6, 12.0, 24.8, 50.4, 80.4]
    )
    assert sink.synced
    assert r.last_sync_resource_version == "10"
    assert len(lw.watches) == 1
    await stop(task)


async def test_watch_timeouts_are_randomised_between_min_and_twice_min() -> None:
    clock = FakeClock()
    lw = StaticListerWatcher(clock=clock)
    r, _ = reflector(lw, clock, rng=random.Random(3), min_watch_timeout=10.0, silence_margin=1.0)
    task = asyncio.create_task(r.run())
    await clock.advance(400.0)  # every silent watch is abandoned, so many are opened
    timeouts = [t for t in lw.watch_timeouts if t is not None]
    assert len(timeouts) == len(lw.watch_timeouts) >= 10
    assert all(10 <= t <= 20 for t in timeouts)
    assert len(set(timeouts)) > 1
    await stop(task)


async def test_a_silent_watch_is_abandoned_after_its_timeout_plus_margin() -> None:
    clock = FakeClock()
    registry = CollectorRegistry()
    bound = InformerMetrics(registry).bind("configmaps", lambda: 0)
    lw = StaticListerWatcher(clock=clock)
    r, _ = reflector(
        lw,
        clock,
        rng=random.Random(1),
        min_watch_timeout=300.0,
        silence_margin=30.0,
        metrics=bound,
    )
    task = asyncio.create_task(r.run())
    await clock.settle()
    assert len(lw.watches) == 1
    first_timeout = lw.watch_timeouts[0]
    assert first_timeout is not None
    await clock.advance(first_timeout + 30.0 - 0.5)
    assert len(lw.watches) == 1
    assert not lw.watches[0].closed
    await clock.advance(1.0)
    assert lw.watches[0].closed
    assert len(lw.watches) == 2  # re-opened from the same version, without a relist
    assert len(lw.list_calls) == 1
    restarts = registry.get_sample_value(
        "mirrorctl_informer_watch_restarts_total", {"resource": "configmaps"}
    )
    assert restarts == 1
    await stop(task)
    assert lw.watches[1].closed


async def test_refused_watches_back_off_and_retry_without_relisting() -> None:
    clock = FakeClock()
    lw = StaticListerWatcher(watch_failures=4, clock=clock)
    r, _ = reflector(lw, clock, backoff=ExponentialBackoff(clock, jitter=0.0))
    task = asyncio.create_task(r.run())
    await clock.advance(100.0)
    assert lw.watch_calls == pytest.approx([0.0, 0.8, 2.4, 5.6, 12.0])
    assert all(w.closed for w in lw.watches[:4])
    assert len(lw.list_calls) == 1  # the server just could not be reached: resume, not relist
    await stop(task)
