"""`MaxOfRateLimiter`: the longest delay of several limiters."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

from mirrorctl.queue.interface import RateLimiter

__all__ = ["MaxOfRateLimiter"]

T = TypeVar("T", bound=Hashable)


class MaxOfRateLimiter(Generic[T]):
    """Asks every limiter (each counts the attempt) and waits for the slowest."""

    __slots__ = ("limiters",)

    def __init__(self, *limiters: RateLimiter[T]) -> None:
        if not limiters:
            raise ValueError("at least one rate limiter is needed")
        self.limiters: tuple[RateLimiter[T], ...] = limiters

    def when(self, item: T) -> float:
        return max([limiter.when(item) for limiter in self.limiters])

    def forget(self, item: T) -> None:
        for limiter in self.limiters:
            limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        return max(limiter.num_requeues(item) for limiter in self.limiters)
