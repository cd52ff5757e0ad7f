"""The tombstone delivered for objects whose deletion was inferred, not observed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DeletedFinalStateUnknown"]


@dataclass(frozen=True, slots=True)
class DeletedFinalStateUnknown:
    """An object that vanished while no watch was open to report its deletion.

    A relist finds it missing, so the only state known is the last cached one (`obj`),
    which may be stale: the object may have changed before it was deleted.
    """

    key: str
    obj: dict[str, Any]
