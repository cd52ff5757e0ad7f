"""Events recorded through the manager reach the apiserver, also when written at shutdown."""

from __future__ import annotations

import pytest

from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS, EVENTS
from mirrorctl.controller import ControllerBuilder
from mirrorctl.manager import Manager, ManagerOptions
from mirrorctl.reconcile import Request, Result

from .support import configmap, eventually, no_task_leaks, running

pytestmark = pytest.mark.integration


async def test_reconcilers_record_events_through_the_manager(
    admin_client: Client, namespace: str
) -> None:
    async with no_task_leaks():
        manager = Manager(admin_client, ManagerOptions(namespace=namespace))
        recorder = manager.event_recorder("labeller")
        assert manager.event_recorder("labeller") is recorder
        reconciled: list[str] = []

        async def reconcile(request: Request) -> Result:
            cm = manager.cache.get(CONFIGMAPS, request.name, request.namespace)
            if cm is not None:
                recorder.normal(cm, "Seen", f"saw {request.name}")
                reconciled.append(request.name)
            return Result()

        ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconcile)
        async with running(manager):
            await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
            await eventually(lambda: reconciled == ["a"], what="the reconcile")
        # Stopped right after recording: the queued event is still written.
        events = (await admin_client.list(EVENTS, namespace))["items"]
        seen = [
            (e["reason"], e["message"], e["involvedObject"]["name"], e["source"]["component"])
            for e in events
        ]
        assert seen == [("Seen", "saw a", "a", "labeller")]
