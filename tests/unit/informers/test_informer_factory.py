"""InformerFactory: one informer per scope, started and stopped together."""

from __future__ import annotations

import asyncio
from typing import Any

from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import CONFIGMAPS, PODS
from mirrorctl.clock import FakeClock
from mirrorctl.informers.factory import InformerFactory, normalize_label_selector
from tests.unit.informers.fakes import StaticListerWatcher


def cm(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "ns", "resourceVersion": "1"}}


def test_one_informer_per_scope() -> None:
    factory = InformerFactory(StaticListerWatcher())
    a = factory.informer(CONFIGMAPS)
    assert factory.informer(CONFIGMAPS) is a
    assert factory.informer(CONFIGMAPS, namespace="ns") is not a
    assert factory.informer(CONFIGMAPS, namespace="ns") is factory.informer(CONFIGMAPS, "ns")
    by_str = factory.informer(CONFIGMAPS, label_selector="a=1,b=2")
    assert factory.informer(CONFIGMAPS, label_selector={"b": "2", "a": "1"}) is by_str
    assert factory.informer(CONFIGMAPS, label_selector="") is a
    assert factory.informer(CONFIGMAPS, field_selector="metadata.name=x") is not a
    assert factory.informer(PODS) is not a
    assert len(factory.informers()) == 5


def test_label_selector_normalisation() -> None:
    assert normalize_label_selector(None) is None
    assert normalize_label_selector("  ") is None
    assert normalize_label_selector({}) is None
    assert normalize_label_selector({"z": "1", "a": "2"}) == "a=2,z=1"
    assert normalize_label_selector(" app in (a,b) ") == "app in (a,b)"


async def test_start_wait_stop_and_late_informers() -> None:
    clock = FakeClock()
    lw = StaticListerWatcher([cm("a")], clock=clock)
    factory = InformerFactory(lw, clock=clock)
    first = factory.informer(CONFIGMAPS)
    before = asyncio.all_tasks()
    await factory.start()
    assert await factory.wait_for_sync(timeout=1.0)
    assert first.has_synced()

    late = factory.informer(PODS)
    assert not late.started
    await factory.start()
    await clock.settle()
    assert late.started
    assert await factory.wait_for_sync()
    await factory.start()  # idempotent for running informers

    await factory.stop()
    assert asyncio.all_tasks() - before == set()
    assert all(w.closed for w in lw.watches)


async def test_wait_for_sync_false_when_an_informer_cannot_list() -> None:
    clock = FakeClock()
    lw = StaticListerWatcher([cm("a")], failures=1000, clock=clock)
    factory = InformerFactory(lw, clock=clock)
    factory.informer(CONFIGMAPS)
    await factory.start()
    waiter = asyncio.create_task(factory.wait_for_sync(timeout=10.0))
    await clock.advance(10.0)
    assert await waiter is False
    await factory.stop()


async def test_wait_for_sync_without_timeout_is_false_once_the_factory_stops() -> None:
    # As client-go's WaitForCacheSync returns false when its stop channel closes.
    clock = FakeClock()
    lw = StaticListerWatcher([cm("a")], failures=1000, clock=clock)
    factory = InformerFactory(lw, clock=clock)
    factory.informer(CONFIGMAPS)
    await factory.start()
    waiter = asyncio.create_task(factory.wait_for_sync())
    await clock.advance(1.0)
    assert not waiter.done()
    await factory.stop()
    assert await asyncio.wait_for(waiter, 5) is False


async def test_stopped_informers_are_not_restarted() -> None:
    clock = FakeClock()
    lw = StaticListerWatcher([cm("a")], clock=clock)
    factory = InformerFactory(lw, clock=clock)
    informer = factory.informer(CONFIGMAPS)
    await factory.start()
    assert await factory.wait_for_sync(timeout=1.0)
    await factory.stop()
    before = asyncio.all_tasks()
    await factory.start()
    await clock.settle()
    assert asyncio.all_tasks() == before
    assert len(lw.list_calls) == 1
    assert informer.has_synced()  # the cache stays readable after stop


class ByResource:
    """Sends each resource's lists and watches to its own fake."""

    def __init__(self, fakes: dict[Resource, StaticListerWatcher]) -> None:
        self.fakes = fakes

    async def list(self, resource: Resource, namespace: str | None = None, **kw: Any) -> Any:
        return await self.fakes[resource].list(resource, namespace, **kw)

    def watch(self, resource: Resource, namespace: str | None = None, **kw: Any) -> Any:
        return self.fakes[resource].watch(resource, namespace, **kw)


async def test_stop_lets_every_informer_finish_its_cleanup() -> None:
    # One informer backs off, the other has a watch open: they unwind in different numbers
    # of steps, and one still unwinding when `stop` came to it was cancelled a second time,
    # which cut its cleanup short and left its watch open.
    clock = FakeClock()
    failing = StaticListerWatcher(failures=1000, clock=clock)
    watching = StaticListerWatcher([cm("a")], clock=clock)
    lw = ByResource({PODS: failing, CONFIGMAPS: watching})
    factory = InformerFactory(lw, clock=clock, resync_period=60)
    factory.informer(PODS)
    factory.informer(CONFIGMAPS)
    before = asyncio.all_tasks()
    await factory.start()
    await clock.settle()
    assert len(watching.watches) == 1
    await factory.stop()
    assert asyncio.all_tasks() - before == set()
    assert watching.watches[0].closed
