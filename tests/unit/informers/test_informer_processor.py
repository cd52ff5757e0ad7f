"""CacheProcessor: store first, then handlers; fan-out, failures, relist diffs, resync."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from structlog.testing import capture_logs

from mirrorctl.informers.processor import CacheProcessor
from mirrorctl.informers.store import Indexer
from mirrorctl.informers.tombstone import DeletedFinalStateUnknown
from mirrorctl.informers.transform import chain, strip_managed_fields
from mirrorctl.metrics.informer import InformerMetrics
from tests.unit.informers.fakes import Recorder

Obj = dict[str, Any]


def cm(name: str, rv: str = "1", namespace: str = "ns", **extra: Any) -> Obj:
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "resourceVersion": rv,
            "managedFields": [{"manager": "kubectl", "fieldsV1": {"f:data": {}}}],
        },
        **extra,
    }


def processor(**kwargs: Any) -> CacheProcessor:
    return CacheProcessor(
        Indexer(), api_version="v1", kind="ConfigMap", transform=strip_managed_fields, **kwargs
    )


def test_every_handler_sees_every_event_in_order_after_the_store() -> None:
    p = processor()
    first, second = Recorder(), Recorder()
    p.add_handler(first)
    p.add_handler(second)
    seen_in_store: list[bool] = []

    class StoreChecker:
        def on_add(self, obj: Obj, is_initial_list: bool) -> None:
            seen_in_store.append(p_store.get_by_key("ns/" + obj["metadata"]["name"]) is obj)

        def on_update(self, old: Obj, new: Obj) -> None:
            seen_in_store.append(p_store.get_by_key("ns/" + new["metadata"]["name"]) is new)

        def on_delete(self, obj: Obj | DeletedFinalStateUnknown) -> None:
            assert isinstance(obj, dict)
            seen_in_store.append(p_store.get_by_key("ns/" + obj["metadata"]["name"]) is None)

    p_store = p.store
    p.add_handler(StoreChecker())

    p.replace(p.prepare([cm("a")]), "1")
    p.apply("ADDED", cm("b", "2"))
    p.apply("MODIFIED", cm("a", "3"))
    deleted = cm("b", "4")
    p.apply("DELETED", deleted)

    expected = [
        ("add", "a", True),
        ("add", "b", False),
        ("update", "a", False),
        ("delete", deleted),
    ]
    assert first.calls == expected
    assert second.calls == expected
    assert seen_in_store == [True, True, True, True]
    assert p.synced


def test_a_failing_handler_is_logged_and_skipped() -> None:
    p = processor()
    broken, healthy = Recorder(fail=True), Recorder()
    p.add_handler(broken)
    p.add_handler(healthy)
    p.replace(p.prepare([cm("a")]), "1")
    p.apply("MODIFIED", cm("a", "2"))
    p.apply("DELETED", cm("a", "3"))
    p.resync()
    assert len(broken.calls) == 3
    assert [c[0] for c in healthy.calls] == ["add", "update", "delete"]


def test_a_handler_raising_cancelled_error_is_logged_and_skipped() -> None:
    # Handlers are synchronous, so a CancelledError out of one is its own (a cancelled
    # future's result, say), never the informer's task being cancelled: it is a handler error.
    p = processor()
    broken = Recorder(fail=True, error=asyncio.CancelledError)
    healthy = Recorder()
    p.add_handler(broken)
    p.add_handler(healthy)
    with capture_logs() as logs:
        p.replace(p.prepare([cm("a"), cm("b")]), "1")
        p.apply("ADDED", cm("c", "2"))
        p.apply("MODIFIED", cm("a", "3"))
        p.apply("DELETED", cm("c", "4"))
        p.replace(p.prepare([cm("a", "5")]), "5")  # "a" updated, "b" gone
        p.resync()
        late = Recorder(fail=True, error=asyncio.CancelledError)
        p.add_handler(late)
    assert [c[0] for c in healthy.calls] == [
        "add",
        "add",
        "add",
        "update",
        "delete",
        "update",
        "delete",
        "update",
    ]
    assert len(broken.calls) == len(healthy.calls)
    assert late.calls == [("add", "a", True)]
    failures = [e for e in logs if e["event"] == "event handler failed"]
    assert len(failures) == len(broken.calls) + len(late.calls)
    assert all(e["log_level"] == "error" for e in failures)


async def test_a_cancellation_of_the_applying_task_still_stops_it() -> None:
    p = processor()
    after = Recorder()

    class CancelsItsTask(Recorder):
        def on_add(self, obj: Obj, is_initial_list: bool) -> None:
            super().on_add(obj, is_initial_list)
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
            raise asyncio.CancelledError

    p.add_handler(CancelsItsTask())
    p.add_handler(after)

    async def deliver() -> None:
        p.apply("ADDED", cm("a"))

    task = asyncio.create_task(deliver())
    await asyncio.wait([task])
    assert task.cancelled()
    assert after.calls == []
    with pytest.raises(asyncio.CancelledError):
        task.result()


def test_relist_reports_changes_only_and_tombstones_vanished_objects() -> None:
    p = processor()
    rec = Recorder()
    p.add_handler(rec)
    p.replace(p.prepare([cm("same"), cm("changed"), cm("gone")]), "1")
    rec.calls.clear()

    p.replace(p.prepare([cm("same"), cm("changed", "7"), cm("new", "8")]), "8")

    assert ("add", "new", False) in rec.calls
    assert ("update", "changed", False) in rec.calls
    tombstones = [c[1] for c in rec.calls if c[0] == "delete"]
    assert len(tombstones) == 1
    assert isinstance(tombstones[0], DeletedFinalStateUnknown)
    assert tombstones[0].key == "ns/gone"
    assert tombstones[0].obj["metadata"]["name"] == "gone"
    assert len(rec.calls) == 3  # "same" is unchanged: no event
    # Deletions come after the adds and updates of the same relist.
    assert rec.calls[-1][0] == "delete"


def test_watch_events_are_reconciled_with_the_store() -> None:
    p = processor()
    rec = Recorder()
    p.add_handler(rec)
    p.replace(p.prepare([cm("a")]), "1")
    p.apply("ADDED", cm("a", "2"))  # already known: an update
    p.apply("MODIFIED", cm("z", "3"))  # never seen: an add
    assert rec.calls[1:] == [("update", "a", False), ("add", "z", False)]


def test_late_handler_gets_the_cache_as_initial_adds() -> None:
    p = processor()
    early = Recorder()
    p.add_handler(early)
    late_before_sync = Recorder()
    p.add_handler(late_before_sync)
    assert late_before_sync.calls == []  # nothing cached yet, nothing replayed
    p.replace(p.prepare([cm("a"), cm("b")]), "1")
    late = Recorder()
    p.add_handler(late)
    assert sorted(late.calls) == [("add", "a", True), ("add", "b", True)]
    p.apply("ADDED", cm("c", "2"))
    assert late.calls[-1] == ("add", "c", False)

    p.remove_handler(early)
    p.apply("ADDED", cm("d", "3"))
    assert early.calls[-1] == ("add", "c", False)
    assert p.handler_count == 2


def test_a_handler_added_while_the_first_list_is_told_gets_the_cache() -> None:
    # A handler registering another (a lazily wired dependent) while the first list is
    # delivered: the store already holds that list, so the new one must be told of it.
    p = processor()
    late = Recorder()

    class Registrar:
        def on_add(self, obj: Obj, is_initial_list: bool) -> None:
            if p.handler_count == 1:
                p.add_handler(late)

        def on_update(self, old: Obj, new: Obj) -> None:
            pass

        def on_delete(self, obj: Obj | DeletedFinalStateUnknown) -> None:
            pass

    p.add_handler(Registrar())
    p.replace(p.prepare([cm("a"), cm("b")]), "1")
    assert sorted(late.calls) == [("add", "a", True), ("add", "b", True)]
    p.apply("ADDED", cm("c", "2"))
    assert late.calls[-1] == ("add", "c", False)


def test_resync_replays_every_cached_object_as_an_update_to_itself() -> None:
    p = processor()
    rec = Recorder()
    p.add_handler(rec)
    p.replace(p.prepare([cm("a"), cm("b")]), "1")
    rec.calls.clear()
    p.resync()
    assert sorted(rec.calls) == [("update", "a", True), ("update", "b", True)]


def test_objects_are_prepared_before_caching() -> None:
    p = processor()
    p.transform = chain(strip_managed_fields, lambda o: {**o, "extra": True})
    namespace = "".join(["n", "s"])  # a string object that is not the interned literal
    item = cm("a", namespace=namespace, data={"k": "v"})
    p.replace(p.prepare([item]), "1")
    cached = p.store.get_by_key("ns/a")
    assert cached is not None
    assert "managedFields" not in cached["metadata"]
    assert cached["extra"] is True
    assert cached["apiVersion"] == "v1"
    assert cached["kind"] == "ConfigMap"
    assert cached["metadata"]["namespace"] is sys.intern("ns")


def test_malformed_objects_are_skipped_not_fatal() -> None:
    p = processor()
    rec = Recorder()
    p.add_handler(rec)
    p.replace(p.prepare([{"no": "metadata"}, cm("ok")]), "1")
    p.apply("ADDED", {"metadata": {"namespace": "ns"}})  # no name
    p.apply("BOGUS", cm("x"))
    assert rec.calls == [("add", "ok", True)]
    assert p.store.keys() == ["ns/ok"]


def test_events_are_counted_by_type() -> None:
    registry = CollectorRegistry()
    metrics = InformerMetrics(registry)
    p = processor()
    bound = metrics.bind("configmaps", p.store.__len__)
    p.metrics = bound
    p.replace(p.prepare([cm("a"), cm("b")]), "1")
    p.apply("ADDED", cm("c", "2"))
    p.apply("MODIFIED", cm("c", "3"))
    p.apply("DELETED", cm("c", "4"))

    def sample(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, {"resource": "configmaps", **labels})

    assert sample("mirrorctl_informer_events_total", type="ADDED") == 1
    assert sample("mirrorctl_informer_events_total", type="MODIFIED") == 1
    assert sample("mirrorctl_informer_events_total", type="DELETED") == 1
    assert sample("mirrorctl_informer_objects") == 2
    bound.release()
    assert sample("mirrorctl_informer_objects") == 0


def test_an_index_function_that_raises_does_not_hide_the_object_from_handlers() -> None:
    def by_owner(o: Obj) -> list[str]:
        return [o["metadata"]["ownerReferences"][0]["name"]]

    p = CacheProcessor(Indexer({"owner": by_owner}), api_version="v1", kind="ConfigMap")
    rec = Recorder()
    p.add_handler(rec)
    p.replace(p.prepare([cm("listed")]), "1")
    p.apply("ADDED", cm("watched", "2"))
    p.apply("MODIFIED", cm("watched", "3"))
    p.apply("DELETED", cm("watched", "4"))
    assert rec.calls[:3] == [
        ("add", "listed", True),
        ("add", "watched", False),
        ("update", "watched", False),
    ]
    assert rec.calls[3][0] == "delete"
    assert p.store.keys() == ["ns/listed"]


def needs_data(o: Obj) -> Obj:
    o["size"] = len(o["data"])  # written for objects that always have data
    return o


def processor_needing_data() -> tuple[CacheProcessor, Recorder]:
    """A processor whose transform fails on ConfigMaps without data, and its recorder."""
    p = CacheProcessor(Indexer(), api_version="v1", kind="ConfigMap", transform=needs_data)
    rec = Recorder()
    p.add_handler(rec)
    return p, rec


def test_a_delete_whose_object_the_transform_fails_on_still_leaves_the_cache() -> None:
    p, rec = processor_needing_data()
    p.replace(p.prepare([cm("a", data={"k": "v"})]), "1")
    cached = p.store.get_by_key("ns/a")
    assert cached is not None
    # Its last change before the delete dropped the data: the transform fails on both.
    p.apply("MODIFIED", cm("a", "2"))
    p.apply("DELETED", cm("a", "3"))
    p.apply("DELETED", cm("never-cached", "4"))
    assert p.store.keys() == []
    assert rec.calls == [
        ("add", "a", True),
        ("delete", DeletedFinalStateUnknown("ns/a", cached)),
    ]


def test_a_relisted_object_the_transform_fails_on_is_not_reported_deleted() -> None:
    p, rec = processor_needing_data()
    p.replace(p.prepare([cm("a", data={"k": "v"}), cm("gone", data={})]), "1")
    cached_a, cached_gone = p.store.get_by_key("ns/a"), p.store.get_by_key("ns/gone")
    assert cached_a is not None
    assert cached_gone is not None
    rec.calls.clear()
    # "a" and "b" exist on the server but cannot be prepared: "a" keeps its cached state
    # and is not told as deleted; "b", never cached, stays unknown.
    p.replace(p.prepare([cm("a", "2"), cm("b", "3"), cm("c", "4", data={})]), "4")
    assert rec.calls == [
        ("add", "c", False),
        ("delete", DeletedFinalStateUnknown("ns/gone", cached_gone)),
    ]
    assert p.store.get_by_key("ns/a") is cached_a
    assert sorted(p.store.keys()) == ["ns/a", "ns/c"]


def cancelled_without_data(o: Obj) -> Obj:
    if "data" not in o:
        # A transform awaiting nothing cannot be cancelled: this is its own bug.
        raise asyncio.CancelledError
    return o


def test_a_transform_raising_cancelled_error_is_logged_like_any_failure() -> None:
    p = CacheProcessor(
        Indexer(), api_version="v1", kind="ConfigMap", transform=cancelled_without_data
    )
    rec = Recorder()
    p.add_handler(rec)
    p.replace(p.prepare([cm("a", data={"k": "v"}), cm("b")]), "1")
    p.apply("ADDED", cm("c", "2"))
    p.apply("ADDED", cm("d", "3", data={}))
    assert sorted(p.store.keys()) == ["ns/a", "ns/d"]
    assert [c[1] for c in rec.calls] == ["a", "d"]


def drop_metadata_of_b(o: Obj) -> Obj:
    if o["metadata"]["name"] == "b":
        del o["metadata"]  # a user transform's bug: the object has no key any more
    return o


def test_a_transform_that_leaves_no_key_costs_its_object_not_the_list() -> None:
    p = CacheProcessor(Indexer(), api_version="v1", kind="ConfigMap", transform=drop_metadata_of_b)
    rec = Recorder()
    p.add_handler(rec)
    with capture_logs() as logs:
        p.replace(p.prepare([cm("a"), cm("b", "2"), cm("c", "3")]), "3")
        p.apply("ADDED", cm("b", "4"))
    assert sorted(p.store.keys()) == ["ns/a", "ns/c"]
    assert [c[1] for c in rec.calls] == ["a", "c"]
    assert [e["event"] for e in logs if e["log_level"] == "error"] == [
        "cannot cache listed object",
        "cannot cache watched object",
    ]
