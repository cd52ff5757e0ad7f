"""What a reconciler or an event handler raises leaves a running manager at work."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.controller import ControllerBuilder
from mirrorctl.informers.handler import EventHandlerFuncs
from mirrorctl.manager import Manager, ManagerOptions
from mirrorctl.reconcile import Request, Result

from .support import configmap, eventually, no_task_leaks, running

pytestmark = pytest.mark.integration


class EscapesExceptError(BaseException):
    """Gets past every ``except Exception``."""


def recording_manager(
    client: Client, namespace: str, fail_once: str | None
) -> tuple[Manager, list[str]]:
    """A manager whose one-worker controller records the ConfigMaps it reconciles; the first
    reconcile of ``fail_once`` raises a ``BaseException`` that is not an ``Exception``."""
    manager = Manager(client, ManagerOptions(namespace=namespace))
    calls: list[str] = []

    async def reconcile(request: Request) -> Result:
        calls.append(request.name)
        if request.name == fail_once and calls.count(request.name) == 1:
            raise EscapesExceptError("a bug past except Exception")
        return Result()

    ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconcile)
    return manager, calls


async def test_a_reconciler_base_exception_is_retried_and_the_worker_goes_on(
    admin_client: Client, namespace: str
) -> None:
    manager, calls = recording_manager(admin_client, namespace, fail_once="a")
    async with no_task_leaks():
        async with running(manager) as task:
            await eventually(lambda: manager.caches_synced, what="caches synced")
            await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
            await eventually(lambda: calls.count("a") == 2, what="a retried")
            await admin_client.create(CONFIGMAPS, configmap("b"), namespace)
            await eventually(lambda: "b" in calls, what="b reconciled by the only worker")
            assert not task.done()
        assert task.result() is None


async def test_a_handler_raising_cancelled_error_leaves_the_informer_watching(
    admin_client: Client, namespace: str
) -> None:
    manager, calls = recording_manager(admin_client, namespace, fail_once=None)
    cancelled: list[str] = []

    def on_add(obj: dict[str, Any], is_initial_list: bool) -> None:
        # The handler's own CancelledError (a cancelled future's result, say), on a watch event.
        if obj["metadata"]["name"] == "a":
            cancelled.append("a")
            raise asyncio.CancelledError

    manager.informer_for(CONFIGMAPS).add_event_handler(EventHandlerFuncs(add=on_add))
    async with no_task_leaks():
        async with running(manager) as task:
            await eventually(lambda: manager.caches_synced, what="caches synced")
            await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
            await eventually(lambda: cancelled == ["a"] and "a" in calls, what="a handled")
            # The next watch event still reaches the controller.
            await admin_client.create(CONFIGMAPS, configmap("b"), namespace)
            await eventually(lambda: "b" in calls, what="b delivered and reconciled")
            assert not task.done()
        assert task.result() is None
