"""The rate limiter controllers get unless they choose another."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from mirrorctl.clock import Clock
from mirrorctl.queue.interface import RateLimiter
from mirrorctl.queue.ratelimiters.bucket import BucketRateLimiter
from mirrorctl.queue.ratelimiters.exponential import ItemExponentialRateLimiter
from mirrorctl.queue.ratelimiters.max_of import MaxOfRateLimiter

__all__ = ["default_controller_rate_limiter"]

T = TypeVar("T", bound=Hashable)


def default_controller_rate_limiter(*, clock: Clock | None = None) -> RateLimiter[T]:
    """Per-key exponential backoff (5 ms doubling to 1000 s), overall at most 10 retries/s
    after a burst of 100: client-go's and controller-runtime's default."""
    return MaxOfRateLimiter[T](
        ItemExponentialRateLimiter[T](0.005, 1000.0),
        BucketRateLimiter(10.0, 100, clock=clock),
    )
