"""Named health and readiness checks, evaluated on each probe."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["CheckResult", "Checker", "Checks"]

Checker = Callable[[], Awaitable[None] | None]
"""Returns when healthy, raises (with a reason in the message) when not."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    ok: bool
    reason: str = ""


class Checks:
    """An ordered set of named checkers, as behind ``/healthz`` or ``/readyz``."""

    def __init__(self) -> None:
        self._checkers: dict[str, Checker] = {}

    def add(self, name: str, checker: Checker) -> None:
        if not name or "/" in name:
            raise ValueError(f"invalid check name {name!r}")
        if name in self._checkers:
            raise ValueError(f"check {name!r} already registered")
        self._checkers[name] = checker

    def __contains__(self, name: object) -> bool:
        return name in self._checkers

    async def run(self, only: str | None = None) -> list[CheckResult]:
        """Run every check (or the one named ``only``), in registration order."""
        names = [only] if only is not None else list(self._checkers)
        results = []
        for name in names:
            try:
                outcome = self._checkers[name]()
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception as exc:
                results.append(CheckResult(name, ok=False, reason=str(exc) or type(exc).__name__))
            else:
                results.append(CheckResult(name, ok=True))
        return results
