"""`LeaderElectionMetrics`: the `leader_election_master_status` gauge of a manager's registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge

__all__ = ["LeaderElectionMetrics"]


class LeaderElectionMetrics:
    """Implements `mirrorctl.leaderelection.LeaderMetrics` on a given (never global) registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._status = Gauge(
            "leader_election_master_status",
            "Gauge of if the reporting system is master of the relevant lease, "
            "0 indicates backup, 1 indicates master. 'name' is the string used to "
            "identify the lease.",
            ["name"],
            registry=registry,
        )

    def leader_on(self, name: str) -> None:
        self._status.labels(name=name).set(1)

    def leader_off(self, name: str) -> None:
        self._status.labels(name=name).set(0)
