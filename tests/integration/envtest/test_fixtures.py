from __future__ import annotations

import pytest

from mirrorctl.client import Client, ForbiddenError
from mirrorctl.client.resources import CONFIGMAPS, PODS, resource
from mirrorctl.envtest import ControlPlane

pytestmark = pytest.mark.integration


async def test_controller_identity_has_exactly_the_shipped_rbac(
    controller_client: Client, rbac: None, namespace: str
) -> None:
    # Granted: reading pods and Contrail objects.
    await controller_client.list(PODS, namespace)
    vmis = resource(
        "core.contrail.juniper.net",
        "v1alpha1",
        "virtualmachineinterfaces",
        kind="VirtualMachineInterface",
    )
    await controller_client.list(vmis, namespace)
    # Not granted: writing pods, touching configmaps.
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x"}]}}
    with pytest.raises(ForbiddenError):
        await controller_client.create(PODS, pod, namespace)
    with pytest.raises(ForbiddenError):
        await controller_client.list(CONFIGMAPS, namespace)


async def test_namespace_fixture_gives_a_fresh_namespace(
    admin_client: Client, namespace: str
) -> None:
    assert (await admin_client.list(PODS, namespace))["items"] == []


async def test_restart_returns_once_rbac_authorizes_the_controller_again(
    control_plane: ControlPlane, controller_client: Client, admin_client: Client, rbac: None
) -> None:
    await admin_client.list(PODS, "default")  # leaves a keep-alive connection in the pool
    await control_plane.arestart_apiserver()
    # No 403 window: the controller may act the moment the restart returns.
    await controller_client.list(PODS)
    # The pooled connection died with the old process; even a create goes through on a new one.
    body = {"metadata": {"generateName": "after-restart-"}}
    created = await admin_client.create(CONFIGMAPS, body, "default")
    assert created["metadata"]["name"].startswith("after-restart-")


def test_compacting_twice_without_a_write_is_fine(control_plane: ControlPlane) -> None:
    first = control_plane.compact_etcd()
    assert control_plane.compact_etcd() >= first
