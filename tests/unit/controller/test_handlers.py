"""Event handlers: which requests each event enqueues, with which priority."""

from __future__ import annotations

from typing import Any

from mirrorctl.client.resources import CONFIGMAPS, NAMESPACES, resource
from mirrorctl.handler import (
    EnqueueRequestForObject,
    EnqueueRequestForOwner,
    EnqueueRequestsFromMapFunc,
    QueueingHandler,
)
from mirrorctl.informers.tombstone import DeletedFinalStateUnknown
from mirrorctl.predicate import (
    LabelSelector,
    LabelSelectorPredicate,
    Object,
    ResourceVersionChanged,
)
from mirrorctl.queue import LOW_PRIORITY, FifoQueue
from mirrorctl.reconcile import Request

from .support import configmap

MIRRORS = resource("example.com", "v1", "mirrors", kind="Mirror")


class Recorder:
    def __init__(self) -> None:
        self.added: list[tuple[Request, int]] = []

    def add(self, item: Request, *, priority: int = 0) -> None:
        self.added.append((item, priority))


def owned(name: str, *refs: dict[str, Any], rv: str = "1") -> dict[str, Any]:
    obj = configmap(name, rv=rv)
    obj["metadata"]["ownerReferences"] = list(refs)
    return obj


def ref(
    name: str, *, kind: str = "Mirror", api_version: str = "example.com/v1", controller: bool = True
) -> dict[str, Any]:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "uid": f"uid-{name}",
        "controller": controller,
    }


def test_for_object_enqueues_the_object_itself() -> None:
    h = EnqueueRequestForObject()
    assert h.create(configmap("a")) == (Request("a", "ns"),)
    assert h.update(configmap("a"), configmap("a", rv="2")) == (Request("a", "ns"),)
    assert h.delete(configmap("a")) == (Request("a", "ns"),)
    cluster_scoped = {"metadata": {"name": "n1"}}
    assert h.create(cluster_scoped) == (Request("n1"),)


def test_for_owner_follows_the_controller_reference_of_the_owner_kind() -> None:
    h = EnqueueRequestForOwner(MIRRORS)
    obj = owned(
        "a",
        ref("m1"),
        ref("m2", controller=False),
        ref("other", kind="Deployment", api_version="apps/v1"),
        ref("wrong-group", api_version="other.io/v1"),
    )
    assert h.create(obj) == (Request("m1", "ns"),)
    assert EnqueueRequestForOwner(MIRRORS, controller_only=False).create(obj) == (
        Request("m1", "ns"),
        Request("m2", "ns"),
    )


def test_for_owner_matches_any_version_of_the_owner_group() -> None:
    h = EnqueueRequestForOwner(MIRRORS)
    assert h.create(owned("a", ref("m1", api_version="example.com/v1beta1"))) == (
        Request("m1", "ns"),
    )


def test_for_owner_of_core_and_cluster_scoped_kinds() -> None:
    core = EnqueueRequestForOwner(CONFIGMAPS, controller_only=False)
    obj = owned("a", ref("cm", kind="ConfigMap", api_version="v1", controller=False))
    assert core.create(obj) == (Request("cm", "ns"),)
    cluster = EnqueueRequestForOwner(NAMESPACES)
    obj = owned("a", ref("team", kind="Namespace", api_version="v1"))
    assert cluster.delete(obj) == (Request("team"),)


def test_for_owner_update_enqueues_old_and_new_owners() -> None:
    h = EnqueueRequestForOwner(MIRRORS)
    old = owned("a", ref("m1"))
    new = owned("a", ref("m2"), rv="2")
    assert h.update(old, new) == (Request("m1", "ns"), Request("m2", "ns"))
    assert h.update(old, old) == (Request("m1", "ns"),)
    assert h.create(configmap("no-owners")) == ()


def test_map_func_update_enqueues_the_union_of_old_and_new() -> None:
    def targets(obj: Object) -> list[Request]:
        return [Request(t, "ns") for t in obj["metadata"]["labels"].get("targets", "").split()]

    h = EnqueueRequestsFromMapFunc(targets)
    old = configmap("a", targets="x y")
    new = configmap("a", rv="2", targets="y z")
    assert h.update(old, new) == (Request("x", "ns"), Request("y", "ns"), Request("z", "ns"))
    assert h.create(configmap("a", targets="x x")) == (Request("x", "ns"),)
    assert h.delete(configmap("a", targets="")) == ()


def test_initial_list_and_resyncs_are_low_priority_real_changes_normal() -> None:
    q = Recorder()
    h = QueueingHandler(EnqueueRequestForObject(), q)
    a = configmap("a", rv="1")
    h.on_add(a, True)
    h.on_add(configmap("b"), False)
    h.on_update(a, a)  # resync: the informer passes the same object twice
    h.on_update(a, configmap("a", rv="1"))  # relist of an unchanged object
    h.on_update(a, configmap("a", rv="2"))
    h.on_delete(a)
    assert q.added == [
        (Request("a", "ns"), LOW_PRIORITY),
        (Request("b", "ns"), 0),
        (Request("a", "ns"), LOW_PRIORITY),
        (Request("a", "ns"), LOW_PRIORITY),
        (Request("a", "ns"), 0),
        (Request("a", "ns"), 0),
    ]


def test_tombstones_are_unwrapped_for_predicates_and_handlers() -> None:
    q = Recorder()
    selector = LabelSelectorPredicate(LabelSelector.of(app="web"))
    h = QueueingHandler(EnqueueRequestForOwner(MIRRORS), q, (selector,))
    last_known = owned("a", ref("m1"))
    last_known["metadata"]["labels"] = {"app": "web"}
    h.on_delete(DeletedFinalStateUnknown(key="ns/a", obj=last_known))
    other = owned("b", ref("m2"))
    h.on_delete(DeletedFinalStateUnknown(key="ns/b", obj=other))
    assert q.added == [(Request("m1", "ns"), 0)]


def test_predicates_filter_before_anything_is_enqueued() -> None:
    q = Recorder()
    h = QueueingHandler(EnqueueRequestForObject(), q, (ResourceVersionChanged(),))
    a = configmap("a")
    h.on_update(a, a)
    assert q.added == []
    h.on_add(a, False)
    assert q.added == [(Request("a", "ns"), 0)]


def test_a_failing_mapping_drops_only_that_event() -> None:
    q = Recorder()

    def broken(obj: Object) -> list[Request]:
        if obj["metadata"]["name"] == "bad":
            raise KeyError("targets")
        return [Request("x")]

    h = QueueingHandler(EnqueueRequestsFromMapFunc(broken), q)
    h.on_add(configmap("bad"), False)
    h.on_add(configmap("good"), False)
    assert q.added == [(Request("x"), 0)]


async def test_real_queue_serves_changes_before_the_initial_list() -> None:
    q: FifoQueue[Request] = FifoQueue()
    h = QueueingHandler(EnqueueRequestForObject(), q)
    for name in ("i1", "i2"):
        h.on_add(configmap(name), True)
    h.on_add(configmap("changed"), False)
    h.on_add(configmap("i1"), False)  # a real change raises a queued key's priority
    order = [(await q.get()).name for _ in range(3)]
    assert order == ["changed", "i1", "i2"]
