"""Counter, gauge and histogram families for series updated on every event.

prometheus-client's metric objects take a lock on every update and check on every call that
they may be observed; a fan-out updates about ten series per patched object. These children
are plain numbers: one `+=` per counter or gauge update, one binary search per observation.
The families export exactly what prometheus-client's own would (names, types, label sets,
``le`` values), which the unit tests check against prometheus-client itself.

As with the work queue metrics, only the event loop's thread updates them. A scrape may run
on another thread: it reads each number once, so it may miss an update in progress, never
tear one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

from prometheus_client import CollectorRegistry
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

__all__ = [
    "Count",
    "CounterFamily",
    "Distribution",
    "GaugeFamily",
    "HistogramFamily",
    "Level",
]


class Count:
    """One counter series."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0.0

    def inc(self, amount: float = 1.0) -> None:
        if amount < 0:
            raise ValueError("counters can only be incremented by non-negative amounts")
        self.value += amount


class Level:
    """One gauge series."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0.0

    def inc(self, amount: float = 1.0) -> None:
        self.value += amount

    def dec(self, amount: float = 1.0) -> None:
        self.value -= amount

    def set(self, value: float) -> None:
        self.value = float(value)


class Distribution:
    """One histogram series: a count per bucket (not cumulative until exported) and a sum."""

    __slots__ = ("_bounds", "counts", "sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self._bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last is +Inf's
        self.sum = 0.0

    def observe(self, value: float) -> None:
        # A value equal to a bound belongs to that bound's bucket (``le``).
        self.counts[bisect_left(self._bounds, value)] += 1
        self.sum += value


# prometheus-client's own formatting of bounds, so ``le`` values are the ones it prints.
_go_float: Callable[[float], str] = floatToGoString

_Child = TypeVar("_Child", Count, Level, Distribution)


class _Family(Collector, Generic[_Child]):
    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str],
        registry: CollectorRegistry,
    ) -> None:
        self.name = name
        self.documentation = documentation
        self.labelnames = tuple(labelnames)
        self._children: dict[tuple[str, ...], _Child] = {}
        registry.register(self)

    def _new_child(self) -> _Child:
        raise NotImplementedError

    def labels(self, *values: object) -> _Child:
        """The series of these label values (created, and exported at zero, on first use)."""
        if len(values) != len(self.labelnames):
            raise ValueError(f"{self.name} takes labels {self.labelnames}, got {values!r}")
        key = tuple(str(v) for v in values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = self._new_child()
        return child

    def describe(self) -> Iterable[Metric]:
        return [self._family()]

    def collect(self) -> Iterable[Metric]:
        family = self._family()
        for values, child in list(self._children.items()):
            self._add(family, list(values), child)
        return [family]

    def _family(self) -> Metric:
        raise NotImplementedError

    def _add(self, family: Metric, values: list[str], child: _Child) -> None:
        raise NotImplementedError


_Scalar = TypeVar("_Scalar", Count, Level)


class _ScalarFamily(_Family[_Scalar]):
    """A family whose series are one number each."""

    _child: type[_Scalar]
    _metric: type[CounterMetricFamily | GaugeMetricFamily]

    def _new_child(self) -> _Scalar:
        return self._child()

    def _family(self) -> Metric:
        return self._metric(self.name, self.documentation, labels=self.labelnames)

    def _add(self, family: Metric, values: list[str], child: _Scalar) -> None:
        assert isinstance(family, CounterMetricFamily | GaugeMetricFamily)
        family.add_metric(values, child.value)


class CounterFamily(_ScalarFamily[Count]):
    _child = Count
    _metric = CounterMetricFamily


class GaugeFamily(_ScalarFamily[Level]):
    _child = Level
    _metric = GaugeMetricFamily


class HistogramFamily(_Family[Distribution]):
    def __init__(
        self,
        name: str,
        documentation: str,
        labelnames: Sequence[str],
        registry: CollectorRegistry,
        *,
        buckets: Sequence[float],
    ) -> None:
        bounds = tuple(float(b) for b in buckets if b != float("inf"))
        if not bounds or list(bounds) != sorted(set(bounds)):
            raise ValueError("histogram buckets must be distinct, in increasing order")
        self._bounds = bounds
        self._les = [*(_go_float(b) for b in bounds), "+Inf"]
        super().__init__(name, documentation, labelnames, registry)

    def _new_child(self) -> Distribution:
        return Distribution(self._bounds)

    def _family(self) -> Metric:
        return HistogramMetricFamily(self.name, self.documentation, labels=self.labelnames)

    def _add(self, family: Metric, values: list[str], child: Distribution) -> None:
        assert isinstance(family, HistogramMetricFamily)
        counts, total = list(child.counts), child.sum
        cumulative: list[tuple[str, float]] = []
        running = 0
        for le, count in zip(self._les, counts, strict=True):
            running += count
            cumulative.append((le, float(running)))
        family.add_metric(values, cumulative, total)
