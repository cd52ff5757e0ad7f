"""SharedInformer's own loops on a fake clock: sync, resync replay, late handlers, teardown."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from mirrorctl.client.resources import CONFIGMAPS, NAMESPACES
from mirrorctl.clock import FakeClock
from mirrorctl.informers.errors import IndexConflictError, InformerStartedError
from mirrorctl.informers.shared import SharedInformer
from mirrorctl.informers.store import NAMESPACE_INDEX
from mirrorctl.metrics.informer import InformerMetrics
from tests.unit.informers.fakes import Recorder, StaticListerWatcher


def cm(name: str, namespace: str = "ns", app: str = "web") -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "resourceVersion": "5",
            "labels": {"app": app},
            "managedFields": [{"manager": "test"}],
        },
        "data": {"k": "v"},
    }


class Running:
    """Runs an informer as a task and checks that cancelling it leaves no task behind."""

    def __init__(self, informer: SharedInformer) -> None:
        self.informer = informer
        self.before = asyncio.all_tasks()
        self.task = asyncio.create_task(informer.run())

    async def stop(self) -> None:
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task
        assert asyncio.all_tasks() - self.before - {self.task} == set()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_run_syncs_the_cache_and_leaves_no_tasks(clock: FakeClock) -> None:
    lw = StaticListerWatcher([cm("a"), cm("b", "other")], clock=clock)
    informer = SharedInformer(lw, CONFIGMAPS, clock=clock)
    rec = Recorder()
    informer.add_event_handler(rec)
    assert not informer.has_synced()
    running = Running(informer)
    assert await informer.wait_for_sync(timeout=1.0)
    assert informer.has_synced()
    assert sorted(informer.store.keys()) == ["ns/a", "other/b"]
    assert sorted(rec.calls) == [("add", "a", True), ("add", "b", True)]
    cached = informer.store.get_by_key("ns/a")
    assert cached is not None
    assert "managedFields" not in cached["metadata"]
    assert cached["kind"] == "ConfigMap"
    assert informer.store.has_index(NAMESPACE_INDEX)
    assert informer.last_sync_resource_version == "10"
    await clock.settle()
    assert len(lw.watches) == 1
    await running.stop()
    assert lw.watches[0].closed
    with pytest.raises(InformerStartedError):
        await informer.run()


async def test_wait_for_sync_times_out_on_the_informer_clock(clock: FakeClock) -> None:
    lw = StaticListerWatcher([cm("a")], failures=100, clock=clock)
    informer = SharedInformer(lw, CONFIGMAPS, clock=clock)
    running = Running(informer)
    waiter = asyncio.create_task(informer.wait_for_sync(timeout=5.0))
    await clock.advance(4.9)
    assert not waiter.done()
    await clock.advance(0.2)
    assert waiter.done()
    assert await waiter is False
    await running.stop()


async def test_periodic_resync_replays_the_cache(clock: FakeClock) -> None:
    lw = StaticListerWatcher([cm("a"), cm("b")], clock=clock)
    informer = SharedInformer(lw, CONFIGMAPS, clock=clock, resync_period=60.0)
    rec = Recorder()
    informer.add_event_handler(rec)
    running = Running(informer)
    assert await informer.wait_for_sync(timeout=1.0)
    rec.calls.clear()
    await clock.advance(59.0)
    assert rec.calls == []
    await clock.advance(1.0)
    assert sorted(rec.calls) == [("update", "a", True), ("update", "b", True)]
    await clock.advance(60.0)
    assert len(rec.calls) == 4
    await running.stop()


async def test_a_handler_raising_cancelled_error_does_not_stop_the_informer(
    clock: FakeClock,
) -> None:
    added = cm("c") | {"metadata": cm("c")["metadata"] | {"resourceVersion": "11"}}
    lw = StaticListerWatcher(
        [cm("a"), cm("b")], watch_events=[{"type": "ADDED", "object": added}], clock=clock
    )
    informer = SharedInformer(lw, CONFIGMAPS, clock=clock, resync_period=60.0)
    broken = Recorder(fail=True, error=asyncio.CancelledError)
    healthy = Recorder()
    informer.add_event_handler(broken)
    informer.add_event_handler(healthy)
    with capture_logs() as logs:
        running = Running(informer)
        await clock.settle()
        # The list, then a watch event, then resyncs: each raised in `broken`.
        assert informer.has_synced()
        assert sorted(healthy.calls) == [
            ("add", "a", True),
            ("add", "b", True),
            ("add", "c", False),
        ]
        await clock.advance(120.0)
        assert not running.task.done()
        assert informer.last_sync_resource_version == "11"
        assert len([c for c in healthy.calls if c[0] == "update"]) == 6
        assert broken.calls == healthy.calls
    failures = [e for e in logs if e["event"] == "event handler failed"]
    assert len(failures) == len(broken.calls)
    await running.stop()  # a real cancellation still stops it


async def test_handler_added_after_sync_gets_synthetic_adds(clock: FakeClock) -> None:
    lw = StaticListerWatcher([cm("a"), cm("b")], clock=clock)
    informer = SharedInformer(lw, CONFIGMAPS, clock=clock)
    running = Running(informer)
    assert await informer.wait_for_sync(timeout=1.0)
    late = Recorder()
    informer.add_event_handler(late)
    assert sorted(late.calls) == [("add", "a", True), ("add", "b", True)]
    await running.stop()


async def test_indexers_and_transforms_only_before_start(clock: FakeClock) -> None:
    lw = StaticListerWatcher([cm("a", app="web"), cm("b", app="db")], clock=clock)
    informer = SharedInformer(lw, CONFIGMAPS, clock=clock)
    informer.add_indexers({"app": lambda o: [o["metadata"]["labels"]["app"]]})

    def drop_data(obj: dict[str, Any]) -> dict[str, Any]:
        obj.pop("data", None)
        return obj

    informer.set_transform(drop_data)
    running = Running(informer)
    assert await informer.wait_for_sync(timeout=1.0)
    assert [o["metadata"]["name"] for o in informer.store.by_index("app", "db")] == ["b"]
    cached = informer.store.get_by_key("ns/a")
    assert cached is not None
    assert "data" not in cached
    assert "managedFields" not in cached["metadata"]  # the default still runs first
    with pytest.raises(IndexConflictError, match="already started"):
        informer.add_indexers({"late": lambda o: []})
    with pytest.raises(InformerStartedError):
        informer.set_transform(drop_data)
    await running.stop()


async def test_transform_none_keeps_objects_whole(clock: FakeClock) -> None:
    lw = StaticListerWatcher([cm("a")], clock=clock)
    informer = SharedInformer(lw, CONFIGMAPS, clock=clock, transform=None)
    running = Running(informer)
    assert await informer.wait_for_sync(timeout=1.0)
    cached = informer.store.get_by_key("ns/a")
    assert cached is not None
    assert "managedFields" in cached["metadata"]
    await running.stop()


async def test_metrics_follow_the_store_and_are_released(clock: FakeClock) -> None:
    registry = CollectorRegistry()
    lw = StaticListerWatcher([cm("a"), cm("b"), cm("c")], clock=clock)
    informer = SharedInformer(lw, CONFIGMAPS, clock=clock, metrics=InformerMetrics(registry))
    running = Running(informer)
    assert await informer.wait_for_sync(timeout=1.0)
    labels = {"resource": "configmaps"}
    assert registry.get_sample_value("mirrorctl_informer_objects", labels) == 3
    await running.stop()
    assert registry.get_sample_value("mirrorctl_informer_objects", labels) == 0


def test_scope_is_validated() -> None:
    lw = StaticListerWatcher()
    with pytest.raises(ValueError, match="cluster-scoped"):
        SharedInformer(lw, NAMESPACES, namespace="ns")
    with pytest.raises(ValueError, match="resync_period"):
        SharedInformer(lw, CONFIGMAPS, resync_period=0)
    # A namespaced informer does not need the namespace index.
    assert not SharedInformer(lw, CONFIGMAPS, namespace="ns").store.has_index(NAMESPACE_INDEX)
    assert not SharedInformer(lw, NAMESPACES).store.has_index(NAMESPACE_INDEX)
