from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from mirrorctl.client import Client, PatchType
from mirrorctl.client.resources import resource

pytestmark = pytest.mark.integration

MIRROR_DESTINATIONS = resource(
    "core.contrail.juniper.net",
    "v1alpha1",
    "mirrordestinations",
    kind="MirrorDestination",
    namespaced=False,
)


@pytest.fixture
async def destination(admin_client: Client, crds: list[str]) -> AsyncIterator[dict[str, Any]]:
    body = {
        "apiVersion": MIRROR_DESTINATIONS.api_version,
        "kind": "MirrorDestination",
        "metadata": {"name": f"md-{uuid.uuid4().hex[:8]}"},
        "spec": {},
    }
    created = await admin_client.create(MIRROR_DESTINATIONS, body)
    yield created
    await admin_client.delete(MIRROR_DESTINATIONS, created["metadata"]["name"])


async def test_status_subresource_patch_and_replace(
    admin_client: Client, destination: dict[str, Any]
) -> None:
    name = destination["metadata"]["name"]
    generation = destination["metadata"]["generation"]

    # Writes to the main resource leave status alone...
    main = await admin_client.patch(MIRROR_DESTINATIONS, name, {"status": {"state": "Success"}})
    assert "state" not in main.get("status", {})

    # ...and the status subresource is where it is written, without a new generation.
    patched = await admin_client.patch(
        MIRROR_DESTINATIONS, name, {"status": {"state": "Pending"}}, subresource="status"
    )
    assert patched["status"]["state"] == "Pending"
    assert patched["metadata"]["generation"] == generation

    patched["status"]["observation"] = "waiting for the analyzer"
    replaced = await admin_client.replace(MIRROR_DESTINATIONS, patched, subresource="status")
    assert replaced["status"] == {"state": "Pending", "observation": "waiting for the analyzer"}

    fetched = await admin_client.get(MIRROR_DESTINATIONS, name, subresource="status")
    assert fetched["status"] == replaced["status"]


async def test_status_subresource_by_server_side_apply(
    admin_client: Client, destination: dict[str, Any]
) -> None:
    name = destination["metadata"]["name"]
    applied = await admin_client.patch(
        MIRROR_DESTINATIONS,
        name,
        {
            "apiVersion": MIRROR_DESTINATIONS.api_version,
            "kind": "MirrorDestination",
            "metadata": {"name": name},
            "status": {"state": "Failure", "observation": "no analyzer"},
        },
        patch_type=PatchType.APPLY,
        subresource="status",
        field_manager="mirrorctl-test",
        force=True,
    )
    assert applied["status"]["state"] == "Failure"
