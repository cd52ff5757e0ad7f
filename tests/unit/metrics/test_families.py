"""The loop-only metric families export exactly what prometheus-client's own classes export
after the same updates (its output is the oracle), and reject what it rejects."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from mirrorctl.metrics.families import CounterFamily, GaugeFamily, HistogramFamily
from mirrorctl.metrics.registry import exposition

BUCKETS = (0.005, 0.025, 0.1, 1.0, 2.5, 60.0)
VALUES = (0.0, 0.005, 0.0051, 0.1, 0.7, 1.0, 2.5, 59.99, 60.0, 61.0, 1e9)


def _text(registry: CollectorRegistry) -> list[str]:
    # Sorted lines, without the *_created samples exposition drops for both.
    return sorted(exposition(registry).decode().splitlines())


def test_the_same_updates_export_the_same_text() -> None:
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    counter = CounterFamily("c_total", "a counter", ["a", "b"], ours)
    their_counter = Counter("c_total", "a counter", ["a", "b"], registry=theirs)
    gauge = GaugeFamily("g", "a gauge", ["a"], ours)
    their_gauge = Gauge("g", "a gauge", ["a"], registry=theirs)
    histogram = HistogramFamily("h_seconds", "a histogram", ["a"], ours, buckets=BUCKETS)
    their_histogram = Histogram("h_seconds", "a histogram", ["a"], buckets=BUCKETS, registry=theirs)
    for labels in (("x", "1"), ("y", "2")):
        counter.labels(*labels).inc()
        counter.labels(*labels).inc(2.5)
        their_counter.labels(*labels).inc()
        their_counter.labels(*labels).inc(2.5)
    counter.labels("zero", "0")  # created series are exported at zero
    their_counter.labels("zero", "0")
    for child, their_child in ((gauge.labels("x"), their_gauge.labels("x")),):
        child.inc(3)
        child.dec()
        child.set(7)
        child.dec(0.5)
        their_child.inc(3)
        their_child.dec()
        their_child.set(7)
        their_child.dec(0.5)
    for value in VALUES:
        histogram.labels("x").observe(value)
        their_histogram.labels("x").observe(value)
    histogram.labels("empty")
    their_histogram.labels("empty")
    assert _text(ours) == _text(theirs)
    assert b'h_seconds_bucket{a="x",le="0.005"} 2.0' in generate_latest(ours)


def test_a_counter_only_goes_up() -> None:
    child = CounterFamily("c_total", "a counter", [], CollectorRegistry()).labels()
    with pytest.raises(ValueError, match="non-negative"):
        child.inc(-1)
    assert child.value == 0


def test_labels_must_match_the_label_names() -> None:
    family = GaugeFamily("g", "a gauge", ["a", "b"], CollectorRegistry())
    with pytest.raises(ValueError, match="takes labels"):
        family.labels("only-one")
    assert family.labels("x", 1) is family.labels("x", "1")


@pytest.mark.parametrize("buckets", [(), (1.0, 0.5), (1.0, 1.0), (float("inf"),)])
def test_histogram_buckets_must_increase(buckets: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="increasing"):
        HistogramFamily("h", "a histogram", [], CollectorRegistry(), buckets=buckets)


def test_a_name_is_registered_once_per_registry() -> None:
    registry = CollectorRegistry()
    CounterFamily("c_total", "a counter", [], registry)
    with pytest.raises(ValueError, match="Duplicated"):
        Counter("c_total", "again", registry=registry)
