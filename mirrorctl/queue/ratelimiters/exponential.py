"""`ItemExponentialRateLimiter`: per-key delays doubling from a base up to a cap."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["ItemExponentialRateLimiter"]

T = TypeVar("T", bound=Hashable)

# 2.0**1023 is the largest finite power; beyond it any positive base has long passed any cap.
_MAX_EXPONENT = 1023


class ItemExponentialRateLimiter(Generic[T]):
    """The n-th failure of a key (counting from 0) waits ``base * 2**n``, at most ``max_delay``."""

    __slots__ = ("_failures", "base_delay", "max_delay")

    def __init__(self, base_delay: float = 0.005, max_delay: float = 1000.0) -> None:
        if not (base_delay >= 0 and max_delay >= 0):
            raise ValueError("delays must not be negative or NaN")
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._failures: dict[T, int] = {}

    def when(self, item: T) -> float:
        exponent = self._failures.get(item, 0)
        self._failures[item] = exponent + 1
        return min(self.max_delay, self.base_delay * 2.0 ** min(exponent, _MAX_EXPONENT))

    def forget(self, item: T) -> None:
        self._failures.pop(item, None)

    def num_requeues(self, item: T) -> int:
        return self._failures.get(item, 0)
