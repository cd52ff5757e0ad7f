from __future__ import annotations

import pytest

from mirrorctl.client import (
    Client,
    ClientConfig,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    UnauthorizedError,
)
from mirrorctl.client.credentials import StaticCredentials
from mirrorctl.client.resources import CONFIGMAPS, EVENTS, NAMESPACES, resource
from mirrorctl.envtest import ControlPlane

pytestmark = pytest.mark.integration


async def test_invalid_object_reports_its_causes(admin_client: Client, namespace: str) -> None:
    body = {"metadata": {"name": "Not_Valid", "namespace": namespace}, "data": {"k": "v"}}
    with pytest.raises(InvalidError) as caught:
        await admin_client.create(CONFIGMAPS, body)
    error = caught.value
    assert error.status == 422
    assert error.reason == "Invalid"
    assert [c["field"] for c in error.causes] == ["metadata.name"]
    assert error.causes[0]["reason"] == "FieldValueInvalid"


async def test_unknown_resource_is_not_found(admin_client: Client) -> None:
    missing = resource("example.com", "v1", "nothings", kind="Nothing", namespaced=False)
    with pytest.raises(NotFoundError):
        await admin_client.list(missing)


async def test_controller_identity_is_forbidden_outside_its_rbac(
    controller_client: Client, rbac: None, namespace: str
) -> None:
    with pytest.raises(ForbiddenError) as caught:
        await controller_client.list(CONFIGMAPS, namespace)
    assert caught.value.status == 403
    assert "system:serviceaccount:mirrorctl-system:mirrorctl" in caught.value.message
    with pytest.raises(ForbiddenError):
        await controller_client.delete(NAMESPACES, namespace)
    # Events are granted create, not list.
    with pytest.raises(ForbiddenError):
        await controller_client.list(EVENTS, namespace)


async def test_bad_token_is_unauthorized(control_plane: ControlPlane) -> None:
    config = ClientConfig(
        control_plane.url,
        credentials=StaticCredentials("Bearer not-a-token"),
        ca_file=str(control_plane.ca_cert),
    )
    async with await Client.from_config(config) as client:
        with pytest.raises(UnauthorizedError) as caught:
            await client.list(NAMESPACES)
    assert caught.value.status == 401
