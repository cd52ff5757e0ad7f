"""Protocols the elector depends on, and the shapes of its callbacks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from mirrorctl.client.resource import Resource
from mirrorctl.leaderelection.record import LeaderElectionRecord

__all__ = [
    "LeaderMetrics",
    "LeaseClient",
    "LeaseLock",
    "OnNewLeader",
    "OnStartedLeading",
    "OnStoppedLeading",
]

# Runs as a task for as long as this process leads; cancelled when leadership ends.
OnStartedLeading = Callable[[], Awaitable[None]]
# Called once when a term ends (lost, cancelled, or the leading work failed).
OnStoppedLeading = Callable[[], None]
# Called with the identity of each newly observed (non-empty) holder, this process included.
OnNewLeader = Callable[[str], None]


class LeaseClient(Protocol):
    """The slice of `mirrorctl.client.Client` the Lease lock needs."""

    async def get(
        self, resource: Resource, name: str, namespace: str | None = None
    ) -> dict[str, Any]: ...

    async def create(
        self, resource: Resource, body: Mapping[str, Any], namespace: str | None = None
    ) -> dict[str, Any]: ...

    async def replace(self, resource: Resource, body: Mapping[str, Any]) -> dict[str, Any]: ...


class LeaseLock(Protocol):
    """The election record's storage.

    `update` must be conditional on the version last read or written by this lock (the
    apiserver's resourceVersion), so that a write by anyone else in between makes it fail.
    Every failure is an exception; the elector treats any of them as a failed attempt, except
    `LeaseAccessError` (no attempt can ever succeed), which ends `run` with that error.
    """

    def describe(self) -> str: ...

    async def get(self) -> LeaderElectionRecord | None:
        """The current record, or None when the Lease does not exist."""
        ...

    async def create(self, record: LeaderElectionRecord) -> None: ...

    async def update(self, record: LeaderElectionRecord) -> None: ...


class LeaderMetrics(Protocol):
    """Leadership status sink (see `mirrorctl.metrics.leader`)."""

    def leader_on(self, name: str) -> None: ...

    def leader_off(self, name: str) -> None: ...
