from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.client import AlreadyExistsError, Client, ConflictError, NotFoundError
from mirrorctl.client.resources import CONFIGMAPS, NAMESPACES

pytestmark = pytest.mark.integration


def configmap(name: str, namespace: str | None = None, **data: str) -> dict[str, Any]:
    metadata = {"name": name} if namespace is None else {"name": name, "namespace": namespace}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}


async def test_create_get_replace_delete(admin_client: Client, namespace: str) -> None:
    created = await admin_client.create(CONFIGMAPS, configmap("a", namespace, k="v"))
    assert created["metadata"]["namespace"] == namespace
    assert created["metadata"]["uid"]
    fetched = await admin_client.get(CONFIGMAPS, "a", namespace)
    assert fetched == created

    fetched["data"]["k"] = "w"
    replaced = await admin_client.replace(CONFIGMAPS, fetched)
    assert replaced["data"] == {"k": "w"}
    assert int(replaced["metadata"]["resourceVersion"]) > int(
        created["metadata"]["resourceVersion"]
    )

    deleted = await admin_client.delete(CONFIGMAPS, "a", namespace)
    assert deleted is not None
    with pytest.raises(NotFoundError) as caught:
        await admin_client.get(CONFIGMAPS, "a", namespace)
    assert caught.value.status == 404
    assert caught.value.reason == "NotFound"
    assert caught.value.details == {"name": "a", "kind": "configmaps"}


async def test_namespace_argument_overrides_the_body(admin_client: Client, namespace: str) -> None:
    created = await admin_client.create(CONFIGMAPS, configmap("b"), namespace)
    assert created["metadata"]["namespace"] == namespace
    with pytest.raises(ValueError, match="namespace"):
        await admin_client.create(CONFIGMAPS, configmap("c"))


async def test_stale_replace_is_a_conflict(admin_client: Client, namespace: str) -> None:
    first = await admin_client.create(CONFIGMAPS, configmap("a", namespace, n="0"))
    await admin_client.replace(CONFIGMAPS, {**first, "data": {"n": "1"}})
    with pytest.raises(ConflictError) as caught:
        await admin_client.replace(CONFIGMAPS, {**first, "data": {"n": "2"}})
    assert not isinstance(caught.value, AlreadyExistsError)
    assert caught.value.reason == "Conflict"
    assert (await admin_client.get(CONFIGMAPS, "a", namespace))["data"] == {"n": "1"}


async def test_duplicate_create_is_already_exists(admin_client: Client, namespace: str) -> None:
    await admin_client.create(CONFIGMAPS, configmap("a", namespace))
    with pytest.raises(AlreadyExistsError) as caught:
        await admin_client.create(CONFIGMAPS, configmap("a", namespace))
    assert caught.value.status == 409


async def test_delete_of_missing_object_is_not_found(admin_client: Client, namespace: str) -> None:
    with pytest.raises(NotFoundError):
        await admin_client.delete(CONFIGMAPS, "missing", namespace)


async def test_delete_with_stale_uid_precondition_is_a_conflict(
    admin_client: Client, namespace: str
) -> None:
    await admin_client.create(CONFIGMAPS, configmap("a", namespace))
    with pytest.raises(ConflictError):
        await admin_client.delete(CONFIGMAPS, "a", namespace, preconditions={"uid": "not-it"})
    await admin_client.delete(CONFIGMAPS, "a", namespace, propagation_policy="Background")


async def test_list_pages_with_limit_and_continue(admin_client: Client, namespace: str) -> None:
    for i in range(5):
        await admin_client.create(CONFIGMAPS, configmap(f"cm-{i}", namespace, i=str(i)))
    names: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        page = await admin_client.list(CONFIGMAPS, namespace, limit=2, continue_=token)
        assert page["kind"] == "ConfigMapList"
        names.extend(item["metadata"]["name"] for item in page["items"])
        pages += 1
        token = page["metadata"].get("continue")
        if not token:
            break
    assert pages == 3
    assert names == [f"cm-{i}" for i in range(5)]


async def test_list_selectors(admin_client: Client, namespace: str) -> None:
    for name, tier in (("a", "web"), ("b", "db"), ("c", "web")):
        body = configmap(name, namespace)
        body["metadata"]["labels"] = {"tier": tier}
        await admin_client.create(CONFIGMAPS, body)
    web = await admin_client.list(CONFIGMAPS, namespace, label_selector="tier in (web)")
    assert sorted(i["metadata"]["name"] for i in web["items"]) == ["a", "c"]
    by_name = await admin_client.list(CONFIGMAPS, namespace, field_selector="metadata.name=b")
    assert [i["metadata"]["name"] for i in by_name["items"]] == ["b"]


async def test_list_raw_is_the_same_list(admin_client: Client, namespace: str) -> None:
    await admin_client.create(CONFIGMAPS, configmap("a", namespace))
    raw = await admin_client.list_raw(CONFIGMAPS, namespace)
    assert isinstance(raw, bytes)
    assert b'"name":"a"' in raw


async def test_cluster_scoped_get(admin_client: Client, namespace: str) -> None:
    ns = await admin_client.get(NAMESPACES, namespace)
    assert ns["status"]["phase"] == "Active"
