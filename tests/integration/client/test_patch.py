from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.client import Client, ConflictError, InvalidError, PatchType
from mirrorctl.client.resources import CONFIGMAPS, PODS

pytestmark = pytest.mark.integration


def pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "containers": [
                {"name": "app", "image": "app:1"},
                {"name": "sidecar", "image": "sidecar:1"},
            ]
        },
    }


async def test_merge_patch_sets_and_removes_keys(admin_client: Client, namespace: str) -> None:
    body = {"metadata": {"name": "a", "namespace": namespace}, "data": {"keep": "1", "drop": "2"}}
    await admin_client.create(CONFIGMAPS, body)
    patched = await admin_client.patch(
        CONFIGMAPS,
        "a",
        {"metadata": {"labels": {"x": "y"}}, "data": {"drop": None, "new": "3"}},
        namespace,
    )
    assert patched["data"] == {"keep": "1", "new": "3"}
    assert patched["metadata"]["labels"] == {"x": "y"}


async def test_json_patch_with_a_failing_test_op_changes_nothing(
    admin_client: Client, namespace: str
) -> None:
    body = {"metadata": {"name": "a", "namespace": namespace}, "data": {"n": "1"}}
    created = await admin_client.create(CONFIGMAPS, body)
    ops = [
        {"op": "test", "path": "/data/n", "value": "1"},
        {"op": "replace", "path": "/data/n", "value": "2"},
    ]
    patched = await admin_client.patch(CONFIGMAPS, "a", ops, namespace, patch_type=PatchType.JSON)
    assert patched["data"] == {"n": "2"}
    # The same operations again: the test op now fails, so the whole patch is refused.
    with pytest.raises(InvalidError):
        await admin_client.patch(CONFIGMAPS, "a", ops, namespace, patch_type=PatchType.JSON)
    assert (await admin_client.get(CONFIGMAPS, "a", namespace))["data"] == {"n": "2"}
    assert created["metadata"]["uid"] == patched["metadata"]["uid"]


async def test_strategic_merge_patches_lists_by_key(admin_client: Client, namespace: str) -> None:
    await admin_client.create(PODS, pod("p"), namespace)
    change = {"spec": {"containers": [{"name": "sidecar", "image": "sidecar:2"}]}}
    patched = await admin_client.patch(PODS, "p", change, namespace, patch_type=PatchType.STRATEGIC)
    images = {c["name"]: c["image"] for c in patched["spec"]["containers"]}
    assert images == {"app": "app:1", "sidecar": "sidecar:2"}
    # A JSON merge patch of the same body would replace the whole list (which pods forbid).
    with pytest.raises(InvalidError, match="may not add or remove containers"):
        await admin_client.patch(PODS, "p", change, namespace, patch_type=PatchType.MERGE)


async def test_server_side_apply_owns_fields_and_reports_conflicts(
    admin_client: Client, namespace: str
) -> None:
    def intent(value: str) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "a", "namespace": namespace},
            "data": {"owned": value},
        }

    applied = await admin_client.patch(
        CONFIGMAPS, "a", intent("1"), namespace, patch_type=PatchType.APPLY, field_manager="one"
    )
    assert applied["data"] == {"owned": "1"}
    managers = [m["manager"] for m in applied["metadata"]["managedFields"]]
    assert managers == ["one"]

    with pytest.raises(ConflictError) as caught:
        await admin_client.patch(
            CONFIGMAPS, "a", intent("2"), namespace, patch_type=PatchType.APPLY, field_manager="two"
        )
    assert caught.value.reason == "Conflict"
    assert caught.value.details.get("causes")

    forced = await admin_client.patch(
        CONFIGMAPS,
        "a",
        intent("2"),
        namespace,
        patch_type=PatchType.APPLY,
        field_manager="two",
        force=True,
    )
    assert forced["data"] == {"owned": "2"}
    assert [m["manager"] for m in forced["metadata"]["managedFields"]] == ["two"]


async def test_patch_argument_checks(admin_client: Client, namespace: str) -> None:
    with pytest.raises(ValueError, match="field_manager"):
        await admin_client.patch(CONFIGMAPS, "a", {}, namespace, patch_type=PatchType.APPLY)
    with pytest.raises(ValueError, match="force"):
        await admin_client.patch(CONFIGMAPS, "a", {}, namespace, force=True)
    with pytest.raises(TypeError, match="list"):
        await admin_client.patch(CONFIGMAPS, "a", {}, namespace, patch_type=PatchType.JSON)
