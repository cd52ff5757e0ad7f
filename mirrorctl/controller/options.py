"""Controller settings."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ControllerOptions"]


@dataclass(frozen=True, slots=True)
class ControllerOptions:
    """How a controller runs its reconciles.

    - ``max_concurrent_reconciles``: worker count; one key is never reconciled twice at once.
    - ``reconcile_timeout``: seconds after which a reconcile is cancelled and counted as an
      error (so retried with back-off); None for no limit.
    - ``cache_sync_timeout``: how long to wait for watched informers to list before the
      controller fails instead of reconciling against an incomplete cache.
    - ``need_leader_election``: start only on the elected leader (when election is on).
    """

    max_concurrent_reconciles: int = 1
    reconcile_timeout: float | None = None
    cache_sync_timeout: float = 120.0
    need_leader_election: bool = True

    def __post_init__(self) -> None:
        if self.max_concurrent_reconciles < 1:
            raise ValueError("max_concurrent_reconciles must be at least 1")
        if self.reconcile_timeout is not None and not (
            math.isfinite(self.reconcile_timeout) and self.reconcile_timeout > 0
        ):
            raise ValueError("reconcile_timeout must be a positive number of seconds")
        if not (math.isfinite(self.cache_sync_timeout) and self.cache_sync_timeout > 0):
            raise ValueError("cache_sync_timeout must be a positive number of seconds")
