"""`NoopLeaderMetrics`: the default when no metrics sink is given."""

from __future__ import annotations

__all__ = ["NoopLeaderMetrics"]


class NoopLeaderMetrics:
    def leader_on(self, name: str) -> None:
        pass

    def leader_off(self, name: str) -> None:
        pass
