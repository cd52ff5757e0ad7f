"""`Controller`: workers draining a rate-limited queue of requests into a reconciler."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import structlog
from structlog.typing import FilteringBoundLogger

from mirrorctl.clock import Clock, RealClock
from mirrorctl.controller.errors import CacheSyncTimeoutError
from mirrorctl.controller.log_context import bind_reconcile, unbind_reconcile
from mirrorctl.controller.options import ControllerOptions
from mirrorctl.controller.settle import settle
from mirrorctl.controller.source import Source
from mirrorctl.controller.timeout import deadline
from mirrorctl.handler.interface import EventHandler
from mirrorctl.handler.queueing import QueueingHandler
from mirrorctl.metrics.controller import BoundControllerMetrics, ControllerMetrics
from mirrorctl.metrics.registry import new_registry
from mirrorctl.predicate.interface import Predicate
from mirrorctl.queue.interface import RateLimitingWorkQueue, ShutDown
from mirrorctl.reconcile.reconciler import Reconciler
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcile.result import Result

__all__ = ["Controller"]


class Controller:
    """Runs ``reconciler`` for every request its watches enqueue.

    ``start()`` waits for the watched informers to sync, then runs
    ``max_concurrent_reconciles`` workers. ``stop()`` is the graceful end: no new key is
    taken, in-flight reconciles finish, then ``start()`` returns. Cancelling ``start()`` is
    the hard end: in-flight reconciles are cancelled at once (what a process that lost its
    leadership must do), and it is also how a drain that takes too long is cut short.
    A controller runs once: build a new one to run again.

    Whatever a reconcile raises is logged and its key requeued with back-off (but for a
    ``TerminalError``); no worker is lost to it. ``KeyboardInterrupt`` and ``SystemExit``
    are settled that way too, then re-raised: they leave the event loop, as asyncio makes
    them, and if the loop goes on the controller stops and ``start()`` raises them.
    """

    def __init__(
        self,
        name: str,
        reconciler: Reconciler,
        queue: RateLimitingWorkQueue[Request],
        *,
        options: ControllerOptions | None = None,
        metrics: ControllerMetrics | None = None,
        clock: Clock | None = None,
        logger: FilteringBoundLogger | None = None,
    ) -> None:
        if not name:
            raise ValueError("a controller needs a name")
        self.name = name
        self.options = options or ControllerOptions()
        self.queue = queue
        self._reconciler = reconciler
        self._clock: Clock = clock or RealClock()
        # A private registry when used without a manager keeps metric names from colliding.
        metrics = metrics or ControllerMetrics(new_registry(runtime_collectors=False))
        self._metrics: BoundControllerMetrics = metrics.bind(name)
        self._log: FilteringBoundLogger = (
            logger or structlog.get_logger("mirrorctl.controller")
        ).bind(controller=name)
        self._sources: list[Source] = []
        self._handlers: list[QueueingHandler] = []
        self._stop_requested = asyncio.Event()
        # What ended a worker early (KeyboardInterrupt or SystemExit): start() re-raises it.
        self._worker_error: BaseException | None = None
        self._stopping = False
        # Set once shutdown cancels the in-flight reconciles rather than waiting for them.
        self._abandoning = False
        self._started = False
        self._in_flight = 0

    @property
    def need_leader_election(self) -> bool:
        return self.options.need_leader_election

    @property
    def in_flight(self) -> int:
        """Reconciles running right now."""
        return self._in_flight

    def watch(
        self,
        source: Source,
        handler: EventHandler,
        predicates: Iterable[Predicate] = (),
    ) -> None:
        """Enqueue what ``handler`` maps ``source``'s events to, if all ``predicates`` pass,
        from ``start()`` on.

        As in controller-runtime, the handler joins the source only when the controller
        starts (it is then told about every object already cached). A controller that waits
        for leadership therefore queues nothing on a standby replica: no work and no queue
        depth for a queue no worker drains.
        """
        if self._started:
            raise RuntimeError(f"controller {self.name}: watches must be added before start")
        self._sources.append(source)
        self._handlers.append(QueueingHandler(handler, self.queue, tuple(predicates)))

    def stop(self) -> None:
        """Stop taking work; ``start()`` returns once in-flight reconciles have finished."""
        self._stop_requested.set()

    async def start(self) -> None:
        if self._started:
            raise RuntimeError(f"controller {self.name} was started more than once")
        self._started = True
        self._metrics.max_concurrent_reconciles.set(self.options.max_concurrent_reconciles)
        self._metrics.active_workers.set(0)
        self._attach_watches()
        try:
            synced = await self._sync_unless_stopped()
        except BaseException:
            self.queue.shutdown()
            raise
        if not synced:
            self._log.info("stop requested before the caches synced")
            self._stopping = True
            self.queue.shutdown()
            return
        count = self.options.max_concurrent_reconciles
        self._log.info("starting workers", worker_count=count)
        workers = [
            asyncio.create_task(self._worker(), name=f"controller-{self.name}-worker-{i}")
            for i in range(count)
        ]
        for worker in workers:
            worker.add_done_callback(self._worker_ended)
        try:
            await self._stop_requested.wait()
        except asyncio.CancelledError:
            self._note("info", "cancelled, abandoning in-flight reconciles")
            self._stopping = self._abandoning = True
            self.queue.shutdown()
            await _cancel_all(workers)
            raise
        self._note("info", "stop requested, waiting for in-flight reconciles")
        self._stopping = True
        self.queue.shutdown()
        try:
            await asyncio.wait(workers)
        except asyncio.CancelledError:
            self._note("warning", "drain cut short, cancelling in-flight reconciles")
            self._abandoning = True
            await _cancel_all(workers)
            raise
        self._note("info", "all workers finished")
        if self._worker_error is not None:
            raise self._worker_error

    def _attach_watches(self) -> None:
        for source, queueing in zip(self._sources, self._handlers, strict=True):
            source.add_event_handler(queueing)

    def _note(self, level: Literal["info", "warning"], event: str) -> None:
        # On the way out, a failing log sink (a closed pipe, a full disk) must not stop the
        # queue's shutdown and leave workers behind, nor replace what start() re-raises.
        with contextlib.suppress(Exception):
            getattr(self._log, level)(event)

    async def _sync_unless_stopped(self) -> bool:
        """Wait for the sources to sync; False if ``stop()`` came first.

        A source may never sync (a kind the controller may not list), and a graceful stop
        must not wait ``cache_sync_timeout`` for it: controller-runtime's Start returns
        at once, without error, when its context ends during the wait.
        """
        if all(source.has_synced() for source in self._sources):
            return True
        sync = asyncio.create_task(self._wait_for_sources())
        stop = asyncio.create_task(self._stop_requested.wait())
        try:
            await asyncio.wait((sync, stop), return_when=asyncio.FIRST_COMPLETED)
        finally:
            await _cancel_all([sync, stop])
        if sync.cancelled() and self._stop_requested.is_set():
            return False
        sync.result()  # CacheSyncTimeoutError, or what else ended the wait
        return True

    async def _wait_for_sources(self) -> None:
        timeout = self.options.cache_sync_timeout
        deadline_at = self._clock.monotonic() + timeout
        for source in self._sources:
            if source.has_synced():
                continue
            remaining = max(0.0, deadline_at - self._clock.monotonic())
            try:
                synced = await source.wait_for_sync(remaining)
            except TimeoutError:
                synced = False
            if not synced:
                raise CacheSyncTimeoutError(
                    f"controller {self.name}: caches did not sync within {timeout}s"
                )

    def _worker_ended(self, worker: asyncio.Task[None]) -> None:
        if worker.cancelled() or worker.exception() is None:
            return
        # Only KeyboardInterrupt and SystemExit end a worker (see `_reconcile`), and asyncio
        # has carried them out of the loop already; a loop that goes on anyway must not run
        # this controller a worker short, nor silently: it stops, and start() re-raises.
        error = worker.exception()
        if self._worker_error is None:
            self._worker_error = error
        self._stop_requested.set()
        # Logged last and guarded: a failing sink must not undo the stop (nor reach the loop).
        with contextlib.suppress(Exception):
            self._log.error("a worker ended, stopping the controller", error=repr(error))

    async def _worker(self) -> None:
        while True:
            try:
                request, priority = await self.queue.get_with_priority()
            except ShutDown:
                return
            try:
                if self._stopping:
                    # Keys still queued at shutdown are dropped: whoever runs next (a new
                    # process or leader) lists everything again.
                    continue
                self._in_flight += 1
                self._metrics.active_workers.inc()
                try:
                    await self._reconcile(request, priority)
                except Exception:
                    # Only bookkeeping around the reconcile (settle already acted on the
                    # queue) can get here, e.g. a broken log sink: the worker must survive it.
                    with contextlib.suppress(Exception):
                        self._log.exception("controller bookkeeping failed")
                finally:
                    self._in_flight -= 1
                    self._metrics.active_workers.dec()
            finally:
                self.queue.done(request)

    async def _reconcile(self, request: Request, priority: int) -> None:
        tokens = bind_reconcile(self.name, request.namespace, request.name, _reconcile_id())
        try:
            started = self._clock.monotonic()
            outcome: Result | BaseException
            try:
                outcome = await self._invoke(request)
            except asyncio.CancelledError as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # shutdown cancelled us: not the reconciler's failure
                outcome = exc  # something inside the reconciler cancelled it
            except BaseException as exc:
                if isinstance(exc, Exception) and self._abandoning:
                    # Shutdown cancelled us and the reconciler turned that into an error (a
                    # TaskGroup whose tasks fail as they are cancelled raises an
                    # ExceptionGroup): still a shutdown, not the reconciler's failure.
                    raise asyncio.CancelledError from exc
                # Not only Exceptions: GeneratorExit or a custom BaseException is recovered
                # like a panic in controller-runtime (logged, counted, retried), else it would
                # end the worker silently and drop the key.
                outcome = exc
            finally:
                self._metrics.reconcile_time.observe(self._clock.monotonic() - started)
            try:
                settle(self.queue, request, outcome, self._metrics, self._log, priority=priority)
            finally:
                if isinstance(outcome, KeyboardInterrupt | SystemExit):
                    # Never swallowed, even by a failing log sink: requeued and logged by
                    # settle, then on its way out of the loop.
                    raise outcome
        finally:
            unbind_reconcile(tokens)

    async def _invoke(self, request: Request) -> Result:
        timeout = self.options.reconcile_timeout
        if timeout is None:
            result = await self._reconciler.reconcile(request)
        else:
            async with deadline(self._clock, timeout):
                result = await self._reconciler.reconcile(request)
        if not isinstance(result, Result):
            raise TypeError(f"reconcile returned {type(result).__name__}, not a Result")
        return result


_VERSION_4 = (0x4 << 76) | (0x2 << 62)  # RFC 4122: version 4, variant 10
_NOT_VERSION = ~((0xF << 76) | (0x3 << 62))


def _reconcile_id() -> str:
    # A version-4 UUID, as controller-runtime logs, from the PRNG: uuid4 reads os.urandom, a
    # system call per reconcile, and these ids only tell log lines apart. Formatted here:
    # uuid.UUID's checks and formatting take 1.5 us, this 0.7 us.
    h = "%032x" % (random.getrandbits(128) & _NOT_VERSION | _VERSION_4)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


async def _cancel_all(tasks: Sequence[asyncio.Task[Any]]) -> None:
    for task in tasks:
        task.cancel()
    # Returning before the workers finished would leave their reconciles running unowned,
    # so a cancellation meanwhile waits for them too; it is raised once they are done, never
    # lost (start() cancelled just as its caches synced must not go on to start workers).
    cancelled = False
    while True:
        try:
            await asyncio.wait(tasks)
            break
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
