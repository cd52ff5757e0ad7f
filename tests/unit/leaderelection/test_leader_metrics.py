from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from mirrorctl.metrics.leader import LeaderElectionMetrics


def _status(registry: CollectorRegistry, name: str) -> float | None:
    return registry.get_sample_value("leader_election_master_status", {"name": name})


def test_gauge_tracks_leadership_per_lease_name() -> None:
    registry = CollectorRegistry()
    metrics = LeaderElectionMetrics(registry)
    assert _status(registry, "a") is None
    metrics.leader_off("a")
    assert _status(registry, "a") == 0
    metrics.leader_on("a")
    metrics.leader_off("b")
    assert _status(registry, "a") == 1
    assert _status(registry, "b") == 0
    metrics.leader_off("a")
    assert _status(registry, "a") == 0


def test_registries_are_independent() -> None:
    first, second = CollectorRegistry(), CollectorRegistry()
    LeaderElectionMetrics(first).leader_on("a")
    LeaderElectionMetrics(second)
    assert _status(first, "a") == 1
    assert _status(second, "a") is None


def test_registering_twice_in_one_registry_is_an_error() -> None:
    registry = CollectorRegistry()
    LeaderElectionMetrics(registry)
    with pytest.raises(ValueError, match="Duplicated timeseries"):
        LeaderElectionMetrics(registry)
