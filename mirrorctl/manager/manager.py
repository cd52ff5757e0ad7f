"""`Manager`: runs informers, controllers and endpoints of one process, and stops them well."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from typing import Any

import structlog
from aiohttp import web
from prometheus_client import CollectorRegistry
from structlog.typing import FilteringBoundLogger

from mirrorctl.cache.informer_cache import InformerCache
from mirrorctl.client.client import Client
from mirrorctl.client.events import EventRecorder
from mirrorctl.client.resource import Resource
from mirrorctl.clock import Clock, RealClock
from mirrorctl.controller.controller import Controller
from mirrorctl.controller.errors import CacheSyncTimeoutError
from mirrorctl.controller.options import ControllerOptions
from mirrorctl.controller.source import Source
from mirrorctl.informers.factory import InformerFactory
from mirrorctl.leaderelection.elector import LeaderElector
from mirrorctl.leaderelection.errors import LeaseAccessError
from mirrorctl.manager.address import BindAddress
from mirrorctl.manager.endpoints import health_routes, metrics_routes
from mirrorctl.manager.errors import LeaderElectionLostError
from mirrorctl.manager.health import Checker, Checks
from mirrorctl.manager.lease_client import OwnLeaseClient
from mirrorctl.manager.options import ManagerOptions
from mirrorctl.manager.runnable import Runnable, Stoppable, needs_leader_election
from mirrorctl.manager.server import HttpServer
from mirrorctl.manager.signals import SignalHandlers
from mirrorctl.metrics.client import ClientMetrics
from mirrorctl.metrics.controller import ControllerMetrics
from mirrorctl.metrics.informer import InformerMetrics
from mirrorctl.metrics.leader import LeaderElectionMetrics
from mirrorctl.metrics.registry import new_registry
from mirrorctl.metrics.workqueue import PrometheusQueueMetricsProvider
from mirrorctl.queue.interface import RateLimiter
from mirrorctl.queue.ratelimiting import RateLimitingQueue
from mirrorctl.reconcile.reconciler import Reconciler
from mirrorctl.reconcile.request import Request

__all__ = ["Manager"]

# Final events get this long to be written once everything else has stopped.
_EVENT_FLUSH_TIMEOUT = 2.0


class Manager:
    """Shares one client, one set of informers and one metrics registry among controllers
    (the leader election has a client of its own, see `OwnLeaseClient`).

    ``start()`` serves the endpoints, starts the informers, waits for their caches, starts
    the runnables that run everywhere and then, once leader (or at once without leader
    election), the leader-only ones; it returns after ``stop()`` (or raises on cancellation,
    on a failed runnable, or with ``LeaderElectionLostError``) once everything it started has
    stopped. Shutdown order: a replica not leading stops contending for the Lease, so it
    never starts leading while stopping; runnables stop taking work and drain (for at most
    ``graceful_shutdown_timeout``, then they are cancelled), the Lease is given up (released
    if configured), final events are written, informers and endpoints stop.

    Nothing is global: two managers in one process share nothing, metrics included.
    """

    def __init__(
        self,
        client: Client,
        options: ManagerOptions | None = None,
        *,
        registry: CollectorRegistry | None = None,
        clock: Clock | None = None,
        logger: FilteringBoundLogger | None = None,
    ) -> None:
        self.client = client
        self.options = options or ManagerOptions()
        self.registry = registry if registry is not None else new_registry()
        self.clock: Clock = clock or RealClock()
        self._log: FilteringBoundLogger = logger or structlog.get_logger("mirrorctl.manager")
        self._controller_metrics = ControllerMetrics(self.registry)
        self._queue_metrics = PrometheusQueueMetricsProvider(self.registry)
        self.informers = InformerFactory(
            client,
            resync_period=self.options.resync_period,
            clock=self.clock,
            metrics=InformerMetrics(self.registry),
            list_from_etcd=self.options.list_from_etcd,
        )
        self.cache = InformerCache(self.informers, namespace=self.options.namespace)
        leader_metrics = LeaderElectionMetrics(self.registry)
        election = self.options.leader_election
        self._lease_client: OwnLeaseClient | None = None
        self.elector: LeaderElector | None = None
        if election is not None:
            # Never the shared client: renewals must not queue behind the controllers' requests.
            self._lease_client = OwnLeaseClient(client.config)
            self.elector = LeaderElector(self._lease_client, election, self.clock, leader_metrics)
        self._owns_client = False
        self._healthz = Checks()
        self._readyz = Checks()
        self._healthz.add("ping", _ping)
        self._readyz.add("informers-synced", self._check_synced)
        if self.elector is not None and not self.options.ready_while_standby:
            self._readyz.add("leader", self._check_leader)
        self._runnables: list[Runnable] = []
        self._controller_names: set[str] = set()
        self._recorders: dict[str, EventRecorder] = {}
        self._running: dict[asyncio.Task[None], Runnable] = {}
        self._leader_tasks: set[asyncio.Task[None]] = set()
        self._servers: list[HttpServer] = []
        self._metrics_address: BindAddress | None = None
        self._health_address: BindAddress | None = None
        self._signals: SignalHandlers | None = None
        self._elector_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._hard_stop = asyncio.Event()
        self._serving = asyncio.Event()
        self._synced = False
        self._stopping = False
        self._state = "new"
        self._error: BaseException | None = None

    @classmethod
    async def from_kubeconfig(
        cls,
        path: str | os.PathLike[str] | None = None,
        context: str | None = None,
        options: ManagerOptions | None = None,
        **client_options: Any,
    ) -> Manager:
        """A manager with its own client, whose requests it counts (``rest_client_*``);
        the client is closed when the manager stops."""
        registry = new_registry()
        metrics = ClientMetrics(registry)
        client = await Client.from_kubeconfig(path, context, metrics=metrics, **client_options)
        manager = cls(client, options, registry=registry)
        manager._own_client(metrics)
        return manager

    @classmethod
    async def in_cluster(
        cls, options: ManagerOptions | None = None, **client_options: Any
    ) -> Manager:
        """As ``from_kubeconfig``, with the pod's service account."""
        registry = new_registry()
        metrics = ClientMetrics(registry)
        client = await Client.in_cluster(metrics=metrics, **client_options)
        manager = cls(client, options, registry=registry)
        manager._own_client(metrics)
        return manager

    def _own_client(self, metrics: ClientMetrics) -> None:
        self._owns_client = True
        if self._lease_client is not None:
            self._lease_client.observer = metrics  # Lease requests are counted as well

    # -- wiring -------------------------------------------------------------------------

    def add(self, runnable: Runnable) -> None:
        """Run ``runnable`` with the manager; only before ``start()``."""
        if self._state != "new":
            raise RuntimeError("runnables must be added before the manager starts")
        if isinstance(runnable, Controller):
            if runnable.name in self._controller_names:
                raise ValueError(f"a controller named {runnable.name!r} was already added")
            self._controller_names.add(runnable.name)
        self._runnables.append(runnable)

    def informer_for(self, res: Resource) -> Source:
        """The informer behind ``cache`` for ``res``: what controllers watch."""
        return self.cache.informer(res)

    def new_controller(
        self,
        name: str,
        reconciler: Reconciler,
        options: ControllerOptions | None = None,
        rate_limiter: RateLimiter[Request] | None = None,
    ) -> Controller:
        """A controller reporting to this manager's registry; ``add`` it to run it."""
        if name in self._controller_names:
            raise ValueError(f"a controller named {name!r} was already added")
        queue: RateLimitingQueue[Request] = RateLimitingQueue(
            name, rate_limiter=rate_limiter, clock=self.clock, metrics=self._queue_metrics
        )
        return Controller(
            name,
            reconciler,
            queue,
            options=options,
            metrics=self._controller_metrics,
            clock=self.clock,
        )

    def event_recorder(self, component: str) -> EventRecorder:
        """The recorder of Events reported as ``component`` (one per component)."""
        recorder = self._recorders.get(component)
        if recorder is None:
            recorder = EventRecorder(self.client, component, clock=self.clock)
            self._recorders[component] = recorder
            if self._state == "running" and not self._stopping:
                recorder.start()
        return recorder

    def add_healthz_check(self, name: str, checker: Checker) -> None:
        self._healthz.add(name, checker)

    def add_readyz_check(self, name: str, checker: Checker) -> None:
        self._readyz.add(name, checker)

    # -- state --------------------------------------------------------------------------

    @property
    def metrics_address(self) -> BindAddress | None:
        """Where ``/metrics`` is served (the real port), once ``wait_serving`` returned."""
        return self._metrics_address

    @property
    def health_address(self) -> BindAddress | None:
        """Where ``/healthz`` and ``/readyz`` are served, once ``wait_serving`` returned."""
        return self._health_address

    async def wait_serving(self) -> None:
        """Wait until the endpoints listen (right at the beginning of ``start()``), or until
        the manager stopped without getting that far."""
        await self._serving.wait()

    def is_leader(self) -> bool:
        """Whether leader-only runnables may run here (always, without leader election)."""
        if self.elector is None:
            return self._state == "running"
        return self.elector.is_leader()

    @property
    def caches_synced(self) -> bool:
        return self._synced

    def _check_synced(self) -> None:
        if not self._synced:
            raise RuntimeError("informer caches have not synced yet")

    def _check_leader(self) -> None:
        if not self.is_leader():
            raise RuntimeError("not the leader")

    # -- running ------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask a running ``start()`` to shut down gracefully and return."""
        self._wake.set()

    def stop_now(self) -> None:
        """As ``stop``, without letting runnables drain."""
        self._hard_stop.set()
        self._wake.set()

    async def start(self) -> None:
        if self._state != "new":
            raise RuntimeError("a manager can be started only once")
        self._state = "running"
        self._log.info("starting manager")
        startup = asyncio.create_task(self._startup(), name="manager-startup")
        startup.add_done_callback(self._on_task_done)
        interrupted: asyncio.CancelledError | None = None
        try:
            await self._wake.wait()
        except asyncio.CancelledError as exc:
            interrupted = exc
            self._hard_stop.set()
        self._stopping = True
        shutdown = asyncio.create_task(self._shutdown(startup), name="manager-shutdown")
        while not shutdown.done():
            try:
                await asyncio.shield(shutdown)
            except asyncio.CancelledError as exc:
                if shutdown.done():
                    break
                # Shutting down is already under way: cancelling again only hurries it.
                interrupted = interrupted or exc
                self._hard_stop.set()
            except Exception:
                break
        self._state = "stopped"
        if not shutdown.cancelled() and shutdown.exception() is not None:
            self._log.error("manager shutdown failed", exc_info=shutdown.exception())
            self._error = self._error or shutdown.exception()
        self._log.info("manager stopped")
        if interrupted is not None:
            raise interrupted
        if self._error is not None:
            raise self._error

    async def _startup(self) -> None:
        if self.options.install_signal_handlers:
            self._signals = SignalHandlers(self.stop, self.stop_now)
            self._signals.install()
        await self._serve()
        for recorder in self._recorders.values():
            recorder.start()
        await self.informers.start()
        timeout = self.options.cache_sync_timeout
        if not await self.informers.wait_for_sync(timeout):
            raise CacheSyncTimeoutError(f"informer caches did not sync within {timeout}s")
        self._synced = True
        self._log.info("caches synced")
        self._start_all(r for r in self._runnables if not needs_leader_election(r))
        if self.elector is None:
            self._start_all(r for r in self._runnables if needs_leader_election(r))
            return
        self._elector_task = asyncio.create_task(
            self.elector.run(self._lead, self._stopped_leading), name="manager-leader-election"
        )
        self._elector_task.add_done_callback(self._on_task_done)

    async def _serve(self) -> None:
        metrics_at, health_at = (
            self.options.metrics_bind_address,
            self.options.health_probe_bind_address,
        )
        metrics = None if metrics_at is None else BindAddress.parse(metrics_at)
        health = None if health_at is None else BindAddress.parse(health_at)
        # address, serves metrics, serves probes; compared parsed, so that two spellings of
        # one address (":8080", "0.0.0.0:8080") share a listener instead of failing at bind.
        listeners: list[tuple[BindAddress, bool, bool]] = []
        if metrics is not None and metrics == health:
            listeners.append((metrics, True, True))
        else:
            if metrics is not None:
                listeners.append((metrics, True, False))
            if health is not None:
                listeners.append((health, False, True))
        for address, with_metrics, with_probes in listeners:
            routes: list[web.AbstractRouteDef] = []
            if with_metrics:
                routes.extend(metrics_routes(self.registry))
            if with_probes:
                routes.extend(health_routes(self._healthz, self._readyz))
            server = HttpServer(address, routes)
            bound = await server.start()
            self._servers.append(server)
            if with_metrics:
                self._metrics_address = bound
            if with_probes:
                self._health_address = bound
            self._log.info("serving", address=str(bound), metrics=with_metrics, probes=with_probes)
        self._serving.set()

    def _start_all(self, runnables: Iterable[Runnable], *, leader_only: bool = False) -> None:
        for runnable in runnables:
            task = asyncio.create_task(runnable.start(), name=f"runnable {runnable!r}")
            self._running[task] = runnable
            if leader_only:
                self._leader_tasks.add(task)
            task.add_done_callback(self._on_task_done)

    async def _lead(self) -> None:
        """The elector's leading work: runs leader-only runnables for as long as we lead."""
        if self._stopping:
            # Leadership won as the shutdown began: the shutdown may already have taken the
            # set of runnables to drain, so any started now would only be cancelled undrained.
            self._log.info("became leader while stopping, not starting leader-only runnables")
        else:
            self._log.info("became leader, starting leader-only runnables")
            self._start_all(
                (r for r in self._runnables if needs_leader_election(r)), leader_only=True
            )
        try:
            await asyncio.Event().wait()
        finally:
            # Leadership ended. On a graceful stop they have already drained; on a loss they
            # must stop now, before another replica can start leading.
            await _cancel_and_wait(self._leader_tasks)

    def _stopped_leading(self) -> None:
        if self._stopping:
            return
        self._log.error("leader election lost")
        self._fail(LeaderElectionLostError("leader election lost"))

    def _on_task_done(self, task: asyncio.Task[Any]) -> None:
        self._running.pop(task, None)
        self._leader_tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        lost = self._error
        if task is self._elector_task and isinstance(lost, LeaderElectionLostError):
            # The elector reports the loss before raising what caused it (a forbidden Lease).
            lost.__cause__ = lost.__cause__ or error
        if isinstance(error, LeaseAccessError):
            # A configuration problem the message names in full: a traceback only hides it.
            self._log.error("manager task failed", task=task.get_name(), error=str(error))
        else:
            self._log.error("manager task failed", task=task.get_name(), exc_info=error)
        if not self._stopping:
            self._fail(error)

    def _fail(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
        self._wake.set()

    async def _shutdown(self, startup: asyncio.Task[None]) -> None:
        self._log.info("stopping manager")
        if isinstance(self._error, LeaderElectionLostError):
            self._hard_stop.set()  # as controller-runtime: no drain without the Lease
        if not startup.done():
            await _cancel_and_wait({startup})
        if self._elector_task is not None and not self.is_leader():
            # A standby stops contending before draining: winning the Lease now would start
            # leader-only work just to cancel it, and hold the Lease nobody then renews.
            await _cancel_and_wait({self._elector_task})
        await self._stop_runnables()
        if self._elector_task is not None:
            # Gives the Lease up (releasing it if configured) now that leader work is done.
            await _cancel_and_wait({self._elector_task})
        if self._lease_client is not None:
            await self._lease_client.close()
        for recorder in self._recorders.values():
            await recorder.close(timeout=_EVENT_FLUSH_TIMEOUT)
        await self.informers.stop()
        for server in self._servers:
            await server.stop()
        if self._signals is not None:
            self._signals.remove()
        if self._owns_client:
            await self.client.close()
        self._serving.set()

    async def _stop_runnables(self) -> None:
        tasks = set(self._running)
        if not tasks:
            return
        if not self._hard_stop.is_set():
            for task, runnable in list(self._running.items()):
                if isinstance(runnable, Stoppable):
                    runnable.stop()
                else:
                    task.cancel()
            timer = asyncio.create_task(self.clock.sleep(self.options.graceful_shutdown_timeout))
            hard = asyncio.create_task(self._hard_stop.wait())
            waiting = set(tasks)
            try:
                while waiting and not timer.done() and not hard.done():
                    done, _ = await asyncio.wait(
                        {*waiting, timer, hard}, return_when=asyncio.FIRST_COMPLETED
                    )
                    waiting -= done
            finally:
                await _cancel_and_wait({timer, hard})
            pending = [t for t in tasks if not t.done()]
            if pending:
                self._log.warning(
                    "graceful shutdown timed out, cancelling runnables", pending=len(pending)
                )
        await _cancel_and_wait(tasks)


def _ping() -> None:
    return None


async def _cancel_and_wait(tasks: Iterable[asyncio.Task[Any]]) -> None:
    pending = [t for t in tasks if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.wait(pending)
