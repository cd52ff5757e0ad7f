"""Per-manager metric registries: nothing is ever registered in prometheus-client's global one."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE_LATEST", "exposition", "new_registry"]

_TYPES_WITH_CREATED = frozenset({"counter", "histogram", "summary"})


def new_registry(*, runtime_collectors: bool = True) -> CollectorRegistry:
    """A fresh registry, by default with the process, GC and platform collectors.

    Each manager owns one so that several managers (or a manager embedded in a program that
    has its own metrics) never collide on metric names.
    """
    registry = CollectorRegistry(auto_describe=True)
    if runtime_collectors:
        ProcessCollector(registry=registry)
        GCCollector(registry=registry)
        PlatformCollector(registry=registry)
    return registry


class _WithoutCreated(Collector):
    """Drops the ``*_created`` samples that the text format would print as extra gauges.

    prometheus-client can only switch them off process-wide; filtering at exposition keeps
    the output identical to controller-runtime's without touching global state.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterable[Metric]:
        for family in self._registry.collect():
            if family.type not in _TYPES_WITH_CREATED:
                yield family
                continue
            # A copy: a custom collector may hand out the same family object on every scrape.
            trimmed = Metric(family.name, family.documentation, family.type, family.unit)
            trimmed.samples = [s for s in family.samples if not s.name.endswith("_created")]
            yield trimmed


def exposition(registry: CollectorRegistry) -> bytes:
    """The registry in the Prometheus text format (served with ``CONTENT_TYPE_LATEST``)."""
    view = CollectorRegistry(auto_describe=False)
    view.register(_WithoutCreated(registry))
    return generate_latest(view)
