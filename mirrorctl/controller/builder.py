"""`ControllerBuilder`: wires a reconciler to the watches of a manager in one expression."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from mirrorctl.client.resource import Resource
from mirrorctl.controller.controller import Controller
from mirrorctl.controller.options import ControllerOptions
from mirrorctl.controller.source import Source
from mirrorctl.handler.for_object import EnqueueRequestForObject
from mirrorctl.handler.for_owner import EnqueueRequestForOwner
from mirrorctl.handler.interface import EventHandler
from mirrorctl.predicate.interface import Predicate
from mirrorctl.queue.interface import RateLimiter
from mirrorctl.reconcile.reconciler import Reconciler, ReconcilerFunc
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcile.result import Result

__all__ = ["ControllerBuilder", "ControllerHost"]


class ControllerHost(Protocol):
    """What the builder needs from a manager."""

    def informer_for(self, res: Resource) -> Source:
        """The shared informer behind the manager's cache of ``res``."""
        ...

    def new_controller(
        self,
        name: str,
        reconciler: Reconciler,
        options: ControllerOptions,
        rate_limiter: RateLimiter[Request] | None,
    ) -> Controller:
        """A controller with the manager's queue metrics, controller metrics and clock."""
        ...

    def add(self, runnable: Controller) -> None: ...


@dataclass(frozen=True, slots=True)
class _Watch:
    source: Resource | Source
    handler: EventHandler | None  # None: the owner handler of the primary resource
    predicates: tuple[Predicate, ...]


@dataclass(frozen=True, slots=True)
class ControllerBuilder:
    """Reads like controller-runtime's builder; every step returns a new builder::

        ControllerBuilder(mgr).for_(CONFIGMAPS).owns(SECRETS).complete(reconciler)

    ``for_`` names the primary resource (its events enqueue the object itself), ``owns``
    resources whose controller owner reference points at a primary object, ``watches`` any
    other resource (or ready-made ``Source``) with a handler of one's own. ``with_event_filter``
    predicates apply to every watch, after the per-watch ones.
    """

    host: ControllerHost
    name: str | None = None
    primary: Resource | None = None
    watch_list: tuple[_Watch, ...] = ()
    global_predicates: tuple[Predicate, ...] = ()
    options: ControllerOptions = field(default_factory=ControllerOptions)
    rate_limiter: RateLimiter[Request] | None = None

    def named(self, name: str) -> ControllerBuilder:
        return dataclasses.replace(self, name=name)

    def for_(self, res: Resource, *, predicates: tuple[Predicate, ...] = ()) -> ControllerBuilder:
        if self.primary is not None:
            raise ValueError("for_() may be called only once")
        watch = _Watch(res, EnqueueRequestForObject(), tuple(predicates))
        return dataclasses.replace(self, primary=res, watch_list=(*self.watch_list, watch))

    def owns(self, res: Resource, *, predicates: tuple[Predicate, ...] = ()) -> ControllerBuilder:
        watch = _Watch(res, None, tuple(predicates))
        return dataclasses.replace(self, watch_list=(*self.watch_list, watch))

    def watches(
        self,
        source: Resource | Source,
        handler: EventHandler,
        *,
        predicates: tuple[Predicate, ...] = (),
    ) -> ControllerBuilder:
        watch = _Watch(source, handler, tuple(predicates))
        return dataclasses.replace(self, watch_list=(*self.watch_list, watch))

    def with_event_filter(self, *predicates: Predicate) -> ControllerBuilder:
        return dataclasses.replace(self, global_predicates=(*self.global_predicates, *predicates))

    def with_options(
        self,
        *,
        max_concurrent_reconciles: int | None = None,
        reconcile_timeout: float | None = None,
        cache_sync_timeout: float | None = None,
        need_leader_election: bool | None = None,
    ) -> ControllerBuilder:
        """Change the given settings (see ``ControllerOptions``); None keeps the current one."""
        o = self.options
        options = ControllerOptions(
            max_concurrent_reconciles=(
                o.max_concurrent_reconciles
                if max_concurrent_reconciles is None
                else max_concurrent_reconciles
            ),
            reconcile_timeout=(
                o.reconcile_timeout if reconcile_timeout is None else reconcile_timeout
            ),
            cache_sync_timeout=(
                o.cache_sync_timeout if cache_sync_timeout is None else cache_sync_timeout
            ),
            need_leader_election=(
                o.need_leader_election if need_leader_election is None else need_leader_election
            ),
        )
        return dataclasses.replace(self, options=options)

    def with_rate_limiter(self, rate_limiter: RateLimiter[Request]) -> ControllerBuilder:
        return dataclasses.replace(self, rate_limiter=rate_limiter)

    def build(self, reconciler: Reconciler | Callable[[Request], Awaitable[Result]]) -> Controller:
        """Create the controller, register its watches and add it to the manager."""
        if not isinstance(reconciler, Reconciler):
            reconciler = ReconcilerFunc(reconciler)
        name = self.name or (self.primary.kind.lower() if self.primary is not None else None)
        if not name:
            raise ValueError("a controller without for_() must be named()")
        if not self.watch_list:
            raise ValueError(f"controller {name} watches nothing")
        # Refused before anything is wired: a handler already added to a shared informer
        # would feed a queue no worker drains, for as long as the informer runs.
        if self.primary is None and any(w.handler is None for w in self.watch_list):
            raise ValueError("owns() needs for_(): the owner kind is the primary kind")
        controller = self.host.new_controller(name, reconciler, self.options, self.rate_limiter)
        for watch in self.watch_list:
            handler = watch.handler
            if handler is None:
                assert self.primary is not None  # checked above
                handler = EnqueueRequestForOwner(self.primary, controller_only=True)
            source = (
                self.host.informer_for(watch.source)
                if isinstance(watch.source, Resource)
                else watch.source
            )
            controller.watch(source, handler, (*watch.predicates, *self.global_predicates))
        self.host.add(controller)
        return controller

    complete = build
