"""A controller embedded in an asyncio program: it labels the ConfigMaps of a namespace.

Run it with ``asyncio.run(main("path/to/kubeconfig", "some-namespace"))``."""

import asyncio

from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.controller import ControllerBuilder
from mirrorctl.manager import Manager, ManagerOptions
from mirrorctl.reconcile import Request, Result

__all__ = ["LABEL", "labeller", "main"]

LABEL = "example.mirrorctl.io/seen"


def labeller(client: Client, namespace: str) -> Manager:
    manager = Manager(client, ManagerOptions(namespace=namespace))

    async def reconcile(request: Request) -> Result:
        cm = manager.cache.get(CONFIGMAPS, request.name, request.namespace)
        if cm is not None and LABEL not in (cm["metadata"].get("labels") or {}):
            patch = {"metadata": {"labels": {LABEL: "true"}}}
            await client.patch(CONFIGMAPS, request.name, patch, request.namespace)
        return Result()

    ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconcile)
    return manager


async def main(kubeconfig: str, namespace: str) -> None:
    async with await Client.from_kubeconfig(kubeconfig) as client:
        manager = labeller(client, namespace)
        running = asyncio.create_task(manager.start())
        await asyncio.sleep(60)  # the host program's own work goes here
        manager.stop()
        await running
