"""`InformerFactory`: one shared informer per (resource, namespace, selectors), run together."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import structlog

from mirrorctl.client.resource import Resource
from mirrorctl.clock import Clock, RealClock
from mirrorctl.informers.interface import ListerWatcher
from mirrorctl.informers.shared import SharedInformer
from mirrorctl.informers.tasks import cancel_all_and_wait, cancel_and_wait
from mirrorctl.informers.transform import Transform, strip_managed_fields
from mirrorctl.metrics.informer import InformerMetrics

__all__ = ["InformerFactory", "InformerKey", "normalize_label_selector"]

log = structlog.get_logger(__name__)


def normalize_label_selector(selector: str | Mapping[str, str] | None) -> str | None:
    """A selector string; a mapping means equality on every pair (sorted, so equal
    mappings share one informer). Empty selects everything and becomes None."""
    if selector is None:
        return None
    if isinstance(selector, str):
        text = selector.strip()
        return text or None
    return ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or None


@dataclass(frozen=True, slots=True)
class InformerKey:
    """What makes two informers the same: both would list and watch the same objects."""

    resource: Resource
    namespace: str | None
    label_selector: str | None
    field_selector: str | None


class InformerFactory:
    """Hands out shared informers and runs them.

    Ask for every informer (and add its handlers and indexers) before `start()`; an informer
    asked for later is started by the next `start()`. `stop()` cancels them all and waits;
    an informer runs once, so a stopped one is not started again.
    """

    def __init__(
        self,
        client: ListerWatcher,
        *,
        resync_period: float | None = None,
        clock: Clock | None = None,
        metrics: InformerMetrics | None = None,
        transform: Transform | None = strip_managed_fields,
        min_watch_timeout: float = 300.0,
        list_from_etcd: bool = False,
    ) -> None:
        self._client = client
        self._resync_period = resync_period
        self._clock: Clock = clock if clock is not None else RealClock()
        self._metrics = metrics
        self._transform = transform
        self._min_watch_timeout = min_watch_timeout
        self._list_from_etcd = list_from_etcd
        self._informers: dict[InformerKey, SharedInformer] = {}
        self._tasks: dict[InformerKey, asyncio.Task[None]] = {}

    def informer(
        self,
        resource: Resource,
        namespace: str | None = None,
        label_selector: str | Mapping[str, str] | None = None,
        field_selector: str | None = None,
    ) -> SharedInformer:
        """The informer for exactly this scope, created on first request."""
        key = InformerKey(
            resource,
            namespace or None,
            normalize_label_selector(label_selector),
            (field_selector or "").strip() or None,
        )
        informer = self._informers.get(key)
        if informer is None:
            informer = SharedInformer(
                self._client,
                resource,
                namespace=key.namespace,
                label_selector=key.label_selector,
                field_selector=key.field_selector,
                resync_period=self._resync_period,
                clock=self._clock,
                transform=self._transform,
                metrics=self._metrics,
                min_watch_timeout=self._min_watch_timeout,
                list_from_etcd=self._list_from_etcd,
            )
            self._informers[key] = informer
        return informer

    def informers(self) -> list[SharedInformer]:
        return list(self._informers.values())

    async def start(self) -> None:
        """Start every informer not yet running; returns at once (see `wait_for_sync`)."""
        for key, informer in self._informers.items():
            if key not in self._tasks and not informer.started:
                task = asyncio.create_task(informer.run(), name=f"informer {informer!r}")
                task.add_done_callback(_report_crash)
                self._tasks[key] = task

    async def stop(self) -> None:
        """Cancel every running informer and wait for each to finish."""
        tasks, self._tasks = self._tasks, {}
        await cancel_all_and_wait(list(tasks.values()))

    async def wait_for_sync(self, timeout: float | None = None) -> bool:
        """Whether every started informer synced within `timeout` (on the factory's clock);
        False as soon as one of them stops (`stop`, or a crash) before it synced, as
        client-go's WaitForCacheSync gives up when its stop channel closes."""
        running = list(self._tasks.items())
        deadline = None if timeout is None else self._clock.monotonic() + timeout
        for key, task in running:
            remaining = None if deadline is None else max(0.0, deadline - self._clock.monotonic())
            syncing = asyncio.ensure_future(self._informers[key].wait_for_sync(remaining))
            try:
                await asyncio.wait((syncing, task), return_when=asyncio.FIRST_COMPLETED)
            finally:
                await cancel_and_wait(syncing)
            if syncing.cancelled() or not syncing.result():
                return False
        return True


def _report_crash(task: asyncio.Task[None]) -> None:
    if task.cancelled():
        return
    err = task.exception()
    if err is not None:
        log.error("informer stopped unexpectedly", task=task.get_name(), error=repr(err))
