"""`WithMaxWaitRateLimiter`: caps the delay of any limiter."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

from mirrorctl.queue.interface import RateLimiter

__all__ = ["WithMaxWaitRateLimiter"]

T = TypeVar("T", bound=Hashable)


class WithMaxWaitRateLimiter(Generic[T]):
    __slots__ = ("limiter", "max_delay")

    def __init__(self, limiter: RateLimiter[T], max_delay: float) -> None:
        if not max_delay >= 0:
            raise ValueError("max_delay must not be negative or NaN")
        self.limiter = limiter
        self.max_delay = max_delay

    def when(self, item: T) -> float:
        return min(self.limiter.when(item), self.max_delay)

    def forget(self, item: T) -> None:
        self.limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        return self.limiter.num_requeues(item)
