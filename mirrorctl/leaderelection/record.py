"""`LeaderElectionRecord`: the part of a Lease spec the election reads and writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["MANAGED_SPEC_FIELDS", "LeaderElectionRecord", "micro_time"]

MANAGED_SPEC_FIELDS = frozenset(
    {"holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime", "leaseTransitions"}
)


def micro_time(moment: datetime) -> str:
    """`moment` in the apiserver's MicroTime form (RFC 3339, microseconds, UTC `Z`)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


@dataclass(frozen=True, slots=True)
class LeaderElectionRecord:
    """Who holds the Lease and since when.

    The times are kept as the strings found on the wire: they are informational only, since
    expiry is judged from when *this* process saw the record change, never from another
    host's clock. Equality of two records is what "the record changed" means.
    """

    holder_identity: str = ""
    lease_duration_seconds: int = 0
    acquire_time: str | None = None
    renew_time: str | None = None
    lease_transitions: int = 0

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> LeaderElectionRecord:
        return cls(
            holder_identity=_str(spec.get("holderIdentity")) or "",
            lease_duration_seconds=_int(spec.get("leaseDurationSeconds")),
            acquire_time=_str(spec.get("acquireTime")),
            renew_time=_str(spec.get("renewTime")),
            lease_transitions=_int(spec.get("leaseTransitions")),
        )

    def to_spec(self) -> dict[str, Any]:
        """The managed Lease spec fields; unset ones are left out (an empty holder is none)."""
        spec: dict[str, Any] = {
            "leaseDurationSeconds": self.lease_duration_seconds,
            "leaseTransitions": self.lease_transitions,
        }
        if self.holder_identity:
            spec["holderIdentity"] = self.holder_identity
        if self.acquire_time is not None:
            spec["acquireTime"] = self.acquire_time
        if self.renew_time is not None:
            spec["renewTime"] = self.renew_time
        return spec
