"""`RateLimitingQueue`: a `DelayingQueue` whose retries are spaced by a `RateLimiter`."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from mirrorctl.clock import Clock
from mirrorctl.queue.delaying import DelayingQueue
from mirrorctl.queue.interface import RateLimiter
from mirrorctl.queue.metrics import MetricsProvider
from mirrorctl.queue.ratelimiters.default import default_controller_rate_limiter

__all__ = ["RateLimitingQueue"]

T = TypeVar("T", bound=Hashable)


class RateLimitingQueue(DelayingQueue[T]):
    """The queue a controller runs on; by default limited like controller-runtime's controllers."""

    def __init__(
        self,
        name: str = "",
        *,
        rate_limiter: RateLimiter[T] | None = None,
        clock: Clock | None = None,
        metrics: MetricsProvider | None = None,
    ) -> None:
        super().__init__(name, clock=clock, metrics=metrics)
        self._rate_limiter: RateLimiter[T] = (
            rate_limiter
            if rate_limiter is not None
            else default_controller_rate_limiter(clock=self._clock)
        )

    def add_rate_limited(self, item: T, *, priority: int = 0) -> None:
        if self._shutting_down:
            return
        self.add_after(item, self._rate_limiter.when(item), priority=priority)

    def forget(self, item: T) -> None:
        self._rate_limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        return self._rate_limiter.num_requeues(item)
