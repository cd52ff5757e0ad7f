"""The builder: which watches, handlers, predicates and options a controller ends up with."""

from __future__ import annotations

import pytest

from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import CONFIGMAPS, PODS, resource
from mirrorctl.clock import FakeClock
from mirrorctl.controller import Controller, ControllerBuilder, ControllerOptions
from mirrorctl.controller.source import Source
from mirrorctl.handler import EnqueueRequestsFromMapFunc
from mirrorctl.metrics import ControllerMetrics, new_registry
from mirrorctl.predicate import LabelSelector, LabelSelectorPredicate, Object
from mirrorctl.queue import RateLimiter, RateLimitingQueue
from mirrorctl.reconcile import Reconciler, Request, Result

from .support import ListSource, configmap

MIRRORS = resource("example.com", "v1", "mirrors", kind="Mirror")


class Host:
    """The manager side of the builder, backed by in-memory sources."""

    def __init__(self) -> None:
        self.sources: dict[Resource, ListSource] = {}
        self.added: list[Controller] = []
        self.clock = FakeClock()
        self.metrics = ControllerMetrics(new_registry(runtime_collectors=False))
        self.rate_limiters: list[RateLimiter[Request] | None] = []

    def informer_for(self, res: Resource) -> Source:
        return self.sources.setdefault(res, ListSource())

    def new_controller(
        self,
        name: str,
        reconciler: Reconciler,
        options: ControllerOptions,
        rate_limiter: RateLimiter[Request] | None,
    ) -> Controller:
        self.rate_limiters.append(rate_limiter)
        queue: RateLimitingQueue[Request] = RateLimitingQueue(
            name, rate_limiter=rate_limiter, clock=self.clock
        )
        return Controller(
            name, reconciler, queue, options=options, metrics=self.metrics, clock=self.clock
        )

    def add(self, runnable: Controller) -> None:
        self.added.append(runnable)


async def noop(request: Request) -> Result:
    return Result()


def owned_by(name: str, owner: str) -> dict[str, object]:
    obj = configmap(name)
    obj["metadata"]["ownerReferences"] = [
        {"apiVersion": "example.com/v1", "kind": "Mirror", "name": owner, "controller": True}
    ]
    return obj


def queued(controller: Controller) -> int:
    return len(controller.queue)


def attached(controller: Controller) -> Controller:
    """What start() does first: its watches join their sources (no workers are started, so
    the queue can be read here)."""
    controller._attach_watches()
    return controller


async def test_for_names_the_controller_after_the_kind_and_enqueues_objects() -> None:
    host = Host()
    controller = ControllerBuilder(host).for_(MIRRORS).complete(noop)
    assert controller.name == "mirror"
    assert host.added == [controller]
    attached(controller)
    host.sources[MIRRORS].add({"metadata": {"name": "m", "namespace": "ns"}})
    assert await controller.queue.get() == Request("m", "ns")


async def test_owns_enqueues_the_controlling_owner() -> None:
    host = Host()
    controller = attached(ControllerBuilder(host).for_(MIRRORS).owns(CONFIGMAPS).complete(noop))
    host.sources[CONFIGMAPS].add(owned_by("cm", "m1"))
    host.sources[CONFIGMAPS].add(configmap("orphan"))
    assert queued(controller) == 1
    assert await controller.queue.get() == Request("m1", "ns")


async def test_watches_with_a_map_function_and_global_filters() -> None:
    def to_mirror(obj: Object) -> list[Request]:
        return [Request(obj["metadata"]["labels"]["mirror"], "ns")]

    host = Host()
    web_only = LabelSelectorPredicate(LabelSelector.of(app="web"))
    controller = (
        ControllerBuilder(host)
        .named("mirrors")
        .watches(PODS, EnqueueRequestsFromMapFunc(to_mirror))
        .with_event_filter(web_only)
        .complete(noop)
    )
    attached(controller)
    host.sources[PODS].add(configmap("p1", app="web", mirror="m1"))
    host.sources[PODS].add(configmap("p2", app="db", mirror="m2"))
    assert queued(controller) == 1
    assert await controller.queue.get() == Request("m1", "ns")


async def test_per_watch_predicates_apply_to_that_watch_only() -> None:
    host = Host()
    web_only = LabelSelectorPredicate(LabelSelector.of(app="web"))
    controller = (
        ControllerBuilder(host).for_(MIRRORS).owns(CONFIGMAPS, predicates=(web_only,)).build(noop)
    )
    attached(controller)
    host.sources[CONFIGMAPS].add(owned_by("cm", "m1"))  # no app=web label: filtered
    host.sources[MIRRORS].add({"metadata": {"name": "m2", "namespace": "ns"}})
    assert queued(controller) == 1
    assert await controller.queue.get() == Request("m2", "ns")


def test_with_options_changes_only_what_is_given() -> None:
    host = Host()
    builder = ControllerBuilder(host).for_(MIRRORS).with_options(max_concurrent_reconciles=4)
    builder = builder.with_options(reconcile_timeout=30)
    controller = builder.complete(noop)
    assert controller.options == ControllerOptions(
        max_concurrent_reconciles=4, reconcile_timeout=30
    )


def test_a_builder_is_immutable() -> None:
    host = Host()
    base = ControllerBuilder(host).for_(MIRRORS)
    base.named("other").with_options(max_concurrent_reconciles=2)
    assert base.complete(noop).name == "mirror"


def test_reconcilers_are_taken_as_objects_or_coroutine_functions() -> None:
    class Obj:
        async def reconcile(self, request: Request) -> Result:
            return Result()

    host = Host()
    ControllerBuilder(host).named("a").for_(MIRRORS).complete(Obj())
    ControllerBuilder(host).named("b").for_(MIRRORS).complete(noop)
    assert [c.name for c in host.added] == ["a", "b"]


def test_invalid_builds_are_refused() -> None:
    host = Host()
    with pytest.raises(ValueError, match="named"):
        ControllerBuilder(host).watches(PODS, EnqueueRequestsFromMapFunc(lambda o: [])).build(noop)
    with pytest.raises(ValueError, match="owns"):
        ControllerBuilder(host).named("x").owns(CONFIGMAPS).build(noop)
    with pytest.raises(ValueError, match="only once"):
        ControllerBuilder(host).for_(MIRRORS).for_(PODS)
    with pytest.raises(ValueError, match="watches nothing"):
        ControllerBuilder(host).named("x").build(noop)
    with pytest.raises(ValueError, match="max_concurrent_reconciles"):
        ControllerBuilder(host).with_options(max_concurrent_reconciles=0)
    assert host.added == []


def test_a_refused_build_leaves_no_handler_on_the_shared_informers() -> None:
    host = Host()
    mapped = EnqueueRequestsFromMapFunc(lambda o: [Request("x")])
    with pytest.raises(ValueError, match="owns"):
        ControllerBuilder(host).named("x").watches(PODS, mapped).owns(CONFIGMAPS).build(noop)
    assert all(source.handlers == [] for source in host.sources.values())
