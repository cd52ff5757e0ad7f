"""Graceful shutdown: drain in-flight reconciles, cut the drain at the timeout, clean up."""

from __future__ import annotations

import asyncio
import signal

import pytest

from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.controller import CacheSyncTimeoutError, ControllerBuilder
from mirrorctl.manager import Manager, ManagerOptions, RunnableFunc
from mirrorctl.reconcile import Request, Result

from .support import BOUND, configmap, eventually, no_task_leaks, running

pytestmark = pytest.mark.integration


class Blocking:
    """Each reconcile waits for ``release``; records how each one ended."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered: list[str] = []
        self.finished: list[str] = []
        self.cancelled: list[str] = []

    async def reconcile(self, request: Request) -> Result:
        self.entered.append(request.name)
        try:
            await self.release.wait()
        except asyncio.CancelledError:
            self.cancelled.append(request.name)
            raise
        self.finished.append(request.name)
        return Result()


async def test_stop_drains_in_flight_reconciles(admin_client: Client, namespace: str) -> None:
    reconciler = Blocking()
    async with no_task_leaks():
        manager = Manager(admin_client, ManagerOptions(namespace=namespace))
        ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconciler)
        async with running(manager) as task:
            await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
            await eventually(lambda: reconciler.entered == ["a"], what="the reconcile of a")
            await admin_client.create(CONFIGMAPS, configmap("b"), namespace)
            manager.stop()
            # A stop only ends new work: the manager waits for the reconcile of "a".
            done, _ = await asyncio.wait({task}, timeout=0.5)
            assert not done
            reconciler.release.set()
            await asyncio.wait_for(task, BOUND)
        assert reconciler.finished == ["a"]
        assert reconciler.cancelled == []
        assert "b" not in reconciler.entered  # queued work is not started once stopping


async def test_a_drain_longer_than_the_timeout_is_cancelled(
    admin_client: Client, namespace: str
) -> None:
    reconciler = Blocking()
    options = ManagerOptions(namespace=namespace, graceful_shutdown_timeout=0.2)
    async with no_task_leaks():
        manager = Manager(admin_client, options)
        ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconciler)
        async with running(manager) as task:
            await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
            await eventually(lambda: reconciler.entered == ["a"], what="the reconcile of a")
            manager.stop()
            await asyncio.wait_for(task, BOUND)
        assert task.result() is None
        assert reconciler.cancelled == ["a"]


async def test_cancelling_start_stops_at_once(admin_client: Client, namespace: str) -> None:
    reconciler = Blocking()
    async with no_task_leaks():
        manager = Manager(admin_client, ManagerOptions(namespace=namespace))
        ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconciler)
        async with running(manager) as task:
            await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
            await eventually(lambda: reconciler.entered == ["a"], what="the reconcile of a")
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert reconciler.cancelled == ["a"]


async def test_runnables_start_after_sync_and_stop_with_the_manager(
    admin_client: Client, namespace: str
) -> None:
    await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
    seen: list[object] = []
    stopped = asyncio.Event()

    async with no_task_leaks():
        manager = Manager(admin_client, ManagerOptions(namespace=namespace))
        manager.cache.informer(CONFIGMAPS)

        async def everywhere() -> None:
            # Runs after the caches synced, so the cache already answers.
            seen.append(manager.cache.get(CONFIGMAPS, "a", namespace) is not None)
            try:
                await asyncio.Event().wait()
            finally:
                stopped.set()

        manager.add(RunnableFunc(everywhere, need_leader_election=False))
        async with running(manager):
            await eventually(lambda: seen == [True], what="the runnable to start")
        assert stopped.is_set()


async def test_a_failing_runnable_stops_the_manager_with_its_error(
    admin_client: Client, namespace: str
) -> None:
    reconciler = Blocking()

    async def broken() -> None:
        raise RuntimeError("runnable failed")

    async with no_task_leaks():
        manager = Manager(admin_client, ManagerOptions(namespace=namespace))
        ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconciler)
        manager.add(RunnableFunc(broken))
        async with running(manager) as task:
            with pytest.raises(RuntimeError, match="runnable failed"):
                await asyncio.wait_for(task, BOUND)


async def test_start_fails_when_caches_cannot_sync(
    controller_client: Client, namespace: str
) -> None:
    # The controller identity may not list ConfigMaps: the informer never syncs.
    async with no_task_leaks():
        options = ManagerOptions(namespace=namespace, cache_sync_timeout=1.0)
        manager = Manager(controller_client, options)
        ControllerBuilder(manager).for_(CONFIGMAPS).complete(Blocking())
        with pytest.raises(CacheSyncTimeoutError):
            await asyncio.wait_for(manager.start(), BOUND)


async def test_sigterm_stops_gracefully_when_asked_to_handle_signals(
    admin_client: Client, namespace: str
) -> None:
    reconciler = Blocking()
    before = signal.getsignal(signal.SIGTERM)
    options = ManagerOptions(namespace=namespace, install_signal_handlers=True)
    async with no_task_leaks():
        manager = Manager(admin_client, options)
        ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconciler)
        async with running(manager) as task:
            await manager.wait_serving()  # handlers are installed before serving
            await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
            await eventually(lambda: reconciler.entered == ["a"], what="the reconcile of a")
            signal.raise_signal(signal.SIGTERM)
            done, _ = await asyncio.wait({task}, timeout=0.5)
            assert not done  # graceful: waiting for the reconcile of "a"
            reconciler.release.set()
            await asyncio.wait_for(task, BOUND)
        assert task.result() is None
        assert reconciler.finished == ["a"]
    assert signal.getsignal(signal.SIGTERM) == before


async def test_a_manager_starts_once(admin_client: Client) -> None:
    manager = Manager(admin_client)
    manager.stop()
    await manager.start()
    with pytest.raises(RuntimeError, match="only once"):
        await manager.start()

    async def idle() -> None:
        await asyncio.Event().wait()

    with pytest.raises(RuntimeError, match="before the manager starts"):
        manager.add(RunnableFunc(idle))
