"""`LeaderElectionConfig`: which Lease to contend for, as whom, and the election timings."""

from __future__ import annotations

import math
import socket
import uuid
from dataclasses import dataclass, field

__all__ = ["JITTER_FACTOR", "LeaderElectionConfig", "default_identity"]

# Candidates wait retry_period * (1 + U[0, JITTER_FACTOR)) between acquire attempts, so the
# renew deadline must leave room for more than one jittered period (client-go uses 1.2 too).
JITTER_FACTOR = 1.2


def default_identity() -> str:
    """The host name plus a random UUID: unique even for two processes on one host."""
    return f"{socket.gethostname()}_{uuid.uuid4()}"


@dataclass(frozen=True, slots=True)
class LeaderElectionConfig:
    """Settings of one elector; invalid timings raise `ValueError` at construction.

    - `lease_duration`: how long a candidate waits, after it last *observed a change* of the
      record, before it may take the Lease over. Written to the Lease as whole seconds
      (rounded up) in `leaseDurationSeconds`, which is what other candidates honour.
    - `renew_deadline`: how long the leader keeps retrying a failed renewal, counted from its
      last successful one, before it gives leadership up; shorter than `lease_duration` so the
      leader always stops before anyone else may start.
    - `retry_period`: the pause between attempts (acquire attempts are jittered).
    - `release_on_cancel`: on a voluntary stop, hand the Lease back at once instead of letting
      the others wait out `lease_duration`.
    """

    name: str
    namespace: str
    identity: str = field(default_factory=default_identity)
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    release_on_cancel: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name must not be empty")
        if not self.namespace:
            raise ValueError("namespace must not be empty")
        if not self.identity:
            raise ValueError("identity must not be empty")
        for attr in ("lease_duration", "renew_deadline", "retry_period"):
            value = getattr(self, attr)
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{attr} must be a positive number of seconds, got {value!r}")
        if self.lease_duration <= self.renew_deadline:
            raise ValueError("lease_duration must be greater than renew_deadline")
        if self.renew_deadline <= self.retry_period * JITTER_FACTOR:
            raise ValueError(
                f"renew_deadline must be greater than retry_period * {JITTER_FACTOR} (jitter)"
            )

    @property
    def lease_duration_seconds(self) -> int:
        """`leaseDurationSeconds` as written to the Lease (an integer field)."""
        return max(1, math.ceil(self.lease_duration))
