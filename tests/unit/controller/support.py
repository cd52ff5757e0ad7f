"""Test doubles for controller tests: an in-memory event source and a metric reader."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import CollectorRegistry

from mirrorctl.clock import FakeClock
from mirrorctl.controller import Controller, ControllerOptions
from mirrorctl.handler import EnqueueRequestForObject
from mirrorctl.informers.handler import ResourceEventHandler
from mirrorctl.metrics import ControllerMetrics, new_registry
from mirrorctl.queue import RateLimitingQueue
from mirrorctl.reconcile import Reconciler, Request

__all__ = ["Harness", "ListSource", "configmap", "harness"]


def configmap(name: str, namespace: str = "ns", rv: str = "1", **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "resourceVersion": rv,
            "labels": dict(labels),
        },
    }


class ListSource:
    """Delivers whatever the test feeds it; synced when the test says so."""

    def __init__(self, *, synced: bool = True) -> None:
        self.handlers: list[ResourceEventHandler] = []
        self._synced = asyncio.Event()
        if synced:
            self._synced.set()

    def add_event_handler(self, handler: ResourceEventHandler) -> object:
        self.handlers.append(handler)
        return handler

    def has_synced(self) -> bool:
        return self._synced.is_set()

    def mark_synced(self) -> None:
        self._synced.set()

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        # The controller's timeout runs on the injected clock, so tests use a FakeClock too.
        await self._synced.wait()
        return True

    def add(self, obj: dict[str, Any], *, initial: bool = False) -> None:
        for handler in self.handlers:
            handler.on_add(obj, initial)


class Harness:
    def __init__(
        self,
        controller: Controller,
        source: ListSource,
        clock: FakeClock,
        registry: CollectorRegistry,
        queue: RateLimitingQueue[Request],
    ) -> None:
        self.controller = controller
        self.source = source
        self.clock = clock
        self.registry = registry
        self.queue = queue

    def metric(self, name: str, **labels: str) -> float | None:
        return self.registry.get_sample_value(name, {"controller": "test", **labels})

    def total(self, result: str) -> float | None:
        return self.metric("controller_runtime_reconcile_total", result=result)

    async def settle(self) -> None:
        await self.clock.settle()


@asynccontextmanager
async def harness(
    reconciler: Reconciler,
    *,
    options: ControllerOptions | None = None,
    synced: bool = True,
    start: bool = True,
    logger: Any = None,
) -> AsyncIterator[Harness]:
    """A started controller on a fake clock; stopped, and checked for leaks, on exit."""
    before = asyncio.all_tasks()
    clock = FakeClock()
    registry = new_registry(runtime_collectors=False)
    queue: RateLimitingQueue[Request] = RateLimitingQueue("test", clock=clock)
    controller = Controller(
        "test",
        reconciler,
        queue,
        options=options,
        metrics=ControllerMetrics(registry),
        clock=clock,
        logger=logger,
    )
    source = ListSource(synced=synced)
    controller.watch(source, EnqueueRequestForObject())
    h = Harness(controller, source, clock, registry, queue)
    task: asyncio.Task[None] | None = None
    if start:
        task = asyncio.create_task(controller.start())
        await clock.settle()
    try:
        yield h
    finally:
        if task is not None:
            if not task.done():
                controller.stop()
            await asyncio.wait([task])
        assert asyncio.all_tasks() - before == set(), "the controller leaked tasks"
