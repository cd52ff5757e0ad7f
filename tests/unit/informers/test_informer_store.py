"""Indexer: objects by key, secondary indexes, and the relist diff."""

from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.informers.errors import IndexConflictError, UnknownIndexError
from mirrorctl.informers.keys import key_for, key_of, split_key
from mirrorctl.informers.store import NAMESPACE_INDEX, Indexer, namespace_index
from mirrorctl.informers.tombstone import DeletedFinalStateUnknown

Obj = dict[str, Any]


def obj(
    name: str,
    namespace: str | None = "ns",
    rv: str = "1",
    labels: dict[str, str] | None = None,
    nodes: list[str] | None = None,
) -> Obj:
    metadata: dict[str, Any] = {"name": name, "resourceVersion": rv}
    if namespace:
        metadata["namespace"] = namespace
    if labels:
        metadata["labels"] = labels
    return {"metadata": metadata, "spec": {"nodes": nodes or []}}


def by_app(o: Obj) -> list[str]:
    app = o["metadata"].get("labels", {}).get("app")
    return [app] if app else []


def by_nodes(o: Obj) -> list[str]:
    return list(o["spec"]["nodes"])


def names(objs: list[Obj]) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objs)


def test_key_of_namespaced_cluster_scoped_and_tombstone() -> None:
    assert key_of(obj("a", "ns")) == "ns/a"
    assert key_of(obj("node-1", None)) == "node-1"
    assert key_of(DeletedFinalStateUnknown("ns/gone", obj("gone"))) == "ns/gone"
    assert key_for("a", "ns") == "ns/a"
    assert key_for("a") == "a"


def test_split_key() -> None:
    assert split_key("ns/a") == ("ns", "a")
    assert split_key("a") == (None, "a")
    for bad in ("/a", "ns/", "a/b/c"):
        with pytest.raises(ValueError, match="malformed"):
            split_key(bad)


def test_add_update_delete_get_list_keys() -> None:
    store = Indexer()
    a, b = obj("a"), obj("b", None)
    store.add(a)
    store.add(b)
    assert store.get_by_key("ns/a") is a
    assert store.get_by_key("b") is b
    assert store.get(obj("a")) is a
    assert len(store) == 2
    assert "ns/a" in store
    assert sorted(store.keys()) == ["b", "ns/a"]

    a2 = obj("a", rv="2")
    store.update(a2)
    assert store.get_by_key("ns/a") is a2
    assert len(store) == 2

    store.delete(a2)
    assert store.get_by_key("ns/a") is None
    assert store.list() == [b]
    store.delete(obj("never-there"))  # deleting an unknown key is a no-op
    assert len(store) == 1


def test_set_and_pop_return_the_previous_object() -> None:
    store = Indexer()
    a1, a2 = obj("a", rv="1"), obj("a", rv="2")
    assert store.set("ns/a", a1) is None
    assert store.set("ns/a", a2) is a1
    assert store.pop("ns/a") is a2
    assert store.pop("ns/a") is None


def test_the_revision_changes_with_every_change_and_only_then() -> None:
    store = Indexer({"app": by_app})
    seen = [store.revision]
    store.set("ns/a", obj("a", labels={"app": "x"}))
    seen.append(store.revision)
    store.set("ns/a", obj("a", rv="2", labels={"app": "x"}))  # same index values
    seen.append(store.revision)
    store.pop("ns/a")
    seen.append(store.revision)
    assert len(set(seen)) == 4
    store.pop("ns/a")  # nothing there: nothing changed
    assert store.by_index("app", "x") == []
    assert store.revision == seen[-1]
    store.replace([obj("b")])
    assert store.revision != seen[-1]


def test_index_tracks_adds_updates_and_deletes() -> None:
    store = Indexer({"app": by_app, NAMESPACE_INDEX: namespace_index})
    store.add(obj("a", labels={"app": "web"}))
    store.add(obj("b", labels={"app": "web"}))
    store.add(obj("c", "other", labels={"app": "db"}))
    store.add(obj("cluster", None))

    assert names(store.by_index("app", "web")) == ["a", "b"]
    assert store.index_keys("app", "db") == ["other/c"]
    assert names(store.by_index(NAMESPACE_INDEX, "ns")) == ["a", "b"]
    assert sorted(store.index_values(NAMESPACE_INDEX)) == ["ns", "other"]

    # Relabel: the key moves from one value to the other, and an emptied value vanishes.
    store.update(obj("c", "other", rv="2", labels={"app": "web"}))
    assert names(store.by_index("app", "web")) == ["a", "b", "c"]
    assert store.by_index("app", "db") == []
    assert sorted(store.index_values("app")) == ["web"]

    # Losing the label un-indexes it.
    store.update(obj("a", rv="2"))
    assert names(store.by_index("app", "web")) == ["b", "c"]

    store.delete(obj("b"))
    assert names(store.by_index("app", "web")) == ["c"]
    assert names(store.by_index(NAMESPACE_INDEX, "ns")) == ["a"]


def test_multi_valued_index_changes_only_the_values_that_changed() -> None:
    store = Indexer({"nodes": by_nodes})
    many = [f"n{i}" for i in range(20)]
    store.add(obj("a", nodes=many))
    store.add(obj("b", nodes=["n1"]))
    assert names(store.by_index("nodes", "n1")) == ["a", "b"]

    store.update(obj("a", rv="2", nodes=[*many[1:], "n-new"]))
    assert store.by_index("nodes", "n0") == []
    assert names(store.by_index("nodes", "n1")) == ["a", "b"]
    assert names(store.by_index("nodes", "n-new")) == ["a"]
    assert "n0" not in store.index_values("nodes")


def test_unknown_index_is_a_clear_error() -> None:
    store = Indexer()
    with pytest.raises(UnknownIndexError, match="no index named 'missing'"):
        store.by_index("missing", "x")
    with pytest.raises(KeyError):
        store.index_keys("missing", "x")


def test_add_indexers_refused_once_populated_sealed_or_duplicate() -> None:
    store = Indexer({"app": by_app})
    with pytest.raises(IndexConflictError, match="already exist: app"):
        store.add_indexers({"app": by_app})
    assert not store.has_index("nodes")
    store.add_indexers({"nodes": by_nodes})
    assert store.has_index("nodes")
    assert store.index_names() == ["app", "nodes"]

    store.add(obj("a"))
    with pytest.raises(IndexConflictError, match="already holds objects"):
        store.add_indexers({"late": by_app})

    empty = Indexer()
    empty.seal()
    assert empty.sealed
    with pytest.raises(IndexConflictError, match="after the informer has started"):
        empty.add_indexers({"late": by_app})


def test_replace_into_empty_store_reports_everything_added() -> None:
    store = Indexer({"app": by_app})
    listed = [obj("a", labels={"app": "web"}), obj("b")]
    result = store.replace(listed)
    assert result.added == listed
    assert result.updated == []
    assert result.deleted == []
    assert names(store.by_index("app", "web")) == ["a"]


def test_replace_diffs_against_the_store_with_tombstones() -> None:
    store = Indexer({"app": by_app})
    a1 = obj("a", rv="1", labels={"app": "web"})
    b1 = obj("b", rv="1", labels={"app": "web"})
    gone = obj("gone", rv="1", labels={"app": "db"})
    for o in (a1, b1, gone):
        store.add(o)

    a_same = obj("a", rv="1", labels={"app": "web"})
    b2 = obj("b", rv="5", labels={"app": "db"})
    fresh = obj("fresh", rv="6")
    result = store.replace([a_same, b2, fresh])

    assert result.added == [fresh]
    assert result.updated == [(b1, b2)]
    assert result.deleted == [DeletedFinalStateUnknown("ns/gone", gone)]
    # The unchanged object keeps its cached dict: no churn for readers or indexes.
    assert store.get_by_key("ns/a") is a1
    assert store.get_by_key("ns/b") is b2
    assert store.get_by_key("ns/gone") is None
    assert sorted(store.keys()) == ["ns/a", "ns/b", "ns/fresh"]
    assert names(store.by_index("app", "web")) == ["a"]
    assert names(store.by_index("app", "db")) == ["b"]


def test_replace_without_resource_versions_reports_updates() -> None:
    store = Indexer()
    old = {"metadata": {"name": "x"}}
    store.add(old)
    new = {"metadata": {"name": "x"}, "data": {"k": "v"}}
    result = store.replace([new])
    assert result.updated == [(old, new)]
    assert store.get_by_key("x") is new


def test_replace_with_empty_list_tombstones_everything() -> None:
    store = Indexer({NAMESPACE_INDEX: namespace_index})
    a, b = obj("a"), obj("b", "other")
    store.add(a)
    store.add(b)
    result = store.replace([])
    assert {t.key: t.obj for t in result.deleted} == {"ns/a": a, "other/b": b}
    assert len(store) == 0
    assert store.index_values(NAMESPACE_INDEX) == []


def by_owner(o: Obj) -> list[str]:
    # A typical user index function: it assumes a field that some objects lack.
    return [o["metadata"]["ownerReferences"][0]["name"]]


def owned(name: str, owner: str | None, rv: str = "1") -> Obj:
    o = obj(name, rv=rv, labels={"app": "web"})
    if owner is not None:
        o["metadata"]["ownerReferences"] = [{"name": owner}]
    return o


def test_an_index_function_that_raises_leaves_the_object_cached_but_unfiled() -> None:
    store = Indexer({"owner": by_owner, "app": by_app})
    store.add(owned("a", "rs-1"))
    store.add(owned("orphan", None))  # must not raise out of the store
    assert sorted(store.keys()) == ["ns/a", "ns/orphan"]
    assert store.index_values("owner") == ["rs-1"]
    # The other indexes still file it.
    assert names(store.by_index("app", "web")) == ["a", "orphan"]

    # Adopted later: now filed; orphaned again: unfiled, no stale entry left behind.
    store.update(owned("orphan", "rs-2", rv="2"))
    assert names(store.by_index("owner", "rs-2")) == ["orphan"]
    store.update(owned("orphan", None, rv="3"))
    assert store.by_index("owner", "rs-2") == []
    assert store.index_values("owner") == ["rs-1"]
    store.delete(owned("orphan", None))
    assert store.keys() == ["ns/a"]
    assert store.by_index("app", "web") == [store.get_by_key("ns/a")]


def test_replace_with_an_index_function_that_raises_reports_every_change() -> None:
    store = Indexer({"owner": by_owner})
    store.add(owned("gone", "rs-0"))
    a, orphan = owned("a", "rs-1"), owned("orphan", None)
    result = store.replace([a, orphan])
    assert result.added == [a, orphan]
    assert [t.key for t in result.deleted] == ["ns/gone"]
    assert store.index_values("owner") == ["rs-1"]
    assert names(store.by_index("owner", "rs-1")) == ["a"]
