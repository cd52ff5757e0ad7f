"""A list large enough for the apiserver to gzip (over 128 KB) reads the same either way."""

from __future__ import annotations

import pytest

from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.envtest import ControlPlane

pytestmark = pytest.mark.integration


async def test_a_large_list_is_the_same_with_and_without_compression(
    admin_client: Client, control_plane: ControlPlane, namespace: str
) -> None:
    for i in range(4):
        body = {
            "metadata": {"name": f"big-{i}", "namespace": namespace},
            "data": {"k": "x" * 60_000},
        }
        await admin_client.create(CONFIGMAPS, body)
    listed = {}
    for disable in (False, True):
        async with await Client.from_kubeconfig(
            control_plane.admin_kubeconfig, disable_compression=disable
        ) as client:
            listed[disable] = await client.list(CONFIGMAPS, namespace)
    compressed, plain = listed[False], listed[True]
    assert [i["metadata"]["name"] for i in plain["items"]] == [f"big-{i}" for i in range(4)]
    assert compressed["items"] == plain["items"]
