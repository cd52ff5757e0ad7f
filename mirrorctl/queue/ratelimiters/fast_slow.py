"""`ItemFastSlowRateLimiter`: a short delay for a key's first attempts, then a long one."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["ItemFastSlowRateLimiter"]

T = TypeVar("T", bound=Hashable)


class ItemFastSlowRateLimiter(Generic[T]):
    """Attempts 1..`max_fast_attempts` of a key wait `fast_delay`; later ones `slow_delay`."""

    __slots__ = ("_attempts", "fast_delay", "max_fast_attempts", "slow_delay")

    def __init__(self, fast_delay: float, slow_delay: float, max_fast_attempts: int) -> None:
        if not (fast_delay >= 0 and slow_delay >= 0):
            raise ValueError("delays must not be negative or NaN")
        self.fast_delay = fast_delay
        self.slow_delay = slow_delay
        self.max_fast_attempts = max_fast_attempts
        self._attempts: dict[T, int] = {}

    def when(self, item: T) -> float:
        attempts = self._attempts.get(item, 0) + 1
        self._attempts[item] = attempts
        return self.fast_delay if attempts <= self.max_fast_attempts else self.slow_delay

    def forget(self, item: T) -> None:
        self._attempts.pop(item, None)

    def num_requeues(self, item: T) -> int:
        return self._attempts.get(item, 0)
