"""Informer metrics: cached objects, watch events, relists and watch restarts per resource."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from prometheus_client import CollectorRegistry, Gauge

from mirrorctl.metrics.families import Count, CounterFamily

__all__ = ["BoundInformerMetrics", "InformerMetrics", "WatchEventType"]


class WatchEventType(StrEnum):
    """The ``type`` label of ``mirrorctl_informer_events_total``."""

    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"
    BOOKMARK = "BOOKMARK"


class InformerMetrics:
    """The informer metric families of one registry (one per manager).

    The cached-objects gauge is computed at scrape time from the live stores, so keeping it
    current costs the watch path nothing; several informers of one resource (different
    namespaces or selectors) add up.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.objects = Gauge(
            "mirrorctl_informer_objects",
            "Objects held in informer caches",
            ["resource"],
            registry=registry,
        )
        self.events = CounterFamily(
            "mirrorctl_informer_events_total",
            "Watch events received by informers, by event type",
            ["resource", "type"],
            registry,
        )
        self.relists = CounterFamily(
            "mirrorctl_informer_relists_total",
            "Lists made by informers after their initial list (410 Gone, watch failures)",
            ["resource"],
            registry,
        )
        self.watch_restarts = CounterFamily(
            "mirrorctl_informer_watch_restarts_total",
            "Watches re-opened by informers after one ended (timeout, error, silence)",
            ["resource"],
            registry,
        )
        self._sizes: dict[str, list[Callable[[], int]]] = {}

    def bind(self, resource: str, size: Callable[[], int]) -> BoundInformerMetrics:
        """The series of one informer of `resource`; `size` reports its store's length."""
        sizes = self._sizes.get(resource)
        if sizes is None:
            sizes = self._sizes[resource] = []
            self.objects.labels(resource).set_function(lambda: sum(f() for f in sizes))
        sizes.append(size)
        return BoundInformerMetrics(
            resource=resource,
            events={t: self.events.labels(resource, t.value) for t in WatchEventType},
            relists=self.relists.labels(resource),
            watch_restarts=self.watch_restarts.labels(resource),
            release=lambda: sizes.remove(size),
        )


@dataclass(frozen=True, slots=True)
class BoundInformerMetrics:
    """One informer's series; `release` stops its store counting towards the gauge."""

    resource: str
    events: Mapping[str, Count]
    relists: Count
    watch_restarts: Count
    release: Callable[[], None]
