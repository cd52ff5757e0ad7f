"""The embedded example controller, run against the real apiserver."""

from __future__ import annotations

import pytest

from examples.configmap_labeller import LABEL, labeller
from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS

from .support import configmap, eventually, no_task_leaks, running

pytestmark = pytest.mark.integration


async def test_the_example_labels_existing_and_new_configmaps(
    admin_client: Client, namespace: str
) -> None:
    await admin_client.create(CONFIGMAPS, configmap("before"), namespace)

    async def labelled() -> set[str]:
        listed = await admin_client.list(CONFIGMAPS, namespace)
        return {
            o["metadata"]["name"]
            for o in listed["items"]
            if (o["metadata"].get("labels") or {}).get(LABEL) == "true"
        }

    async with no_task_leaks():
        manager = labeller(admin_client, namespace)
        async with running(manager) as task:
            await admin_client.create(CONFIGMAPS, configmap("after"), namespace)

            async def both() -> bool:
                return await labelled() == {"before", "after"}

            await eventually(both, what="both ConfigMaps labelled")
        assert task.result() is None
