"""An object nested as deep as the apiserver stores (10,000 levels in a custom resource that
preserves unknown fields) neither stalls its informer's list nor its watch."""

from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.client import Client
from mirrorctl.informers import InformerFactory
from mirrorctl.mirroring.resources import contrail_resources
from tests.integration.informers.support import Recorder, cache_state, eventually, server_state

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("crds")]

VMIS = contrail_resources().virtual_machine_interfaces
DEPTH = 3000  # orjson reads 1,024


def _vmi(name: str, junk: Any) -> dict[str, Any]:
    return {
        "apiVersion": VMIS.api_version,
        "kind": VMIS.kind,
        "metadata": {"name": name},
        "spec": {"junk": junk},
    }


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


async def test_deep_objects_are_listed_and_watched(admin_client: Client, namespace: str) -> None:
    await admin_client.create(VMIS, _vmi("deep-listed", _nested(DEPTH)), namespace)
    await admin_client.create(VMIS, _vmi("plain", "x"), namespace)
    factory = InformerFactory(admin_client)
    informer = factory.informer(VMIS, namespace)
    recorder = Recorder()
    informer.add_event_handler(recorder)
    await factory.start()
    try:
        assert await factory.wait_for_sync(timeout=30)
        await admin_client.create(VMIS, _vmi("deep-watched", _nested(DEPTH)), namespace)
        await admin_client.patch(
            VMIS, "deep-listed", {"metadata": {"labels": {"a": "1"}}}, namespace
        )
        await admin_client.patch(VMIS, "plain", {"metadata": {"labels": {"a": "1"}}}, namespace)
        expected = await server_state(admin_client, namespace, VMIS)
        await eventually(lambda: cache_state(informer) == expected, what="cache == server")
        assert recorder.names("update") == {"deep-listed", "plain"}
        cached = informer.store.get_by_key(f"{namespace}/deep-watched")
        assert cached is not None
        assert cached["spec"]["junk"] is not None
    finally:
        await factory.stop()
