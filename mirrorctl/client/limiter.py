"""Client-side request rate limit: a token bucket (off unless a QPS is configured)."""

from __future__ import annotations

import asyncio
from typing import Protocol

from mirrorctl.clock import Clock, RealClock

__all__ = ["RequestLimiter", "TokenBucketLimiter"]


class RequestLimiter(Protocol):
    async def acquire(self) -> None:
        """Return once one more request may be sent."""
        ...


class TokenBucketLimiter:
    """`qps` tokens a second, at most `burst` saved up.

    Callers reserve a token and then sleep until it exists, so concurrent callers are spaced
    out in arrival order instead of all waking at once and racing.
    """

    __slots__ = ("_burst", "_clock", "_last", "_qps", "_tokens")

    def __init__(self, qps: float, burst: int, *, clock: Clock | None = None) -> None:
        if qps <= 0 or burst < 1:
            raise ValueError("qps must be > 0 and burst >= 1")
        self._qps = qps
        self._burst = float(burst)
        self._clock: Clock = clock if clock is not None else RealClock()
        self._tokens = float(burst)
        self._last = self._clock.monotonic()

    def reserve(self) -> float:
        """Take a token, possibly one not yet refilled; return how long until it is."""
        now = self._clock.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._last) * self._qps)
        self._last = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self._qps

    def cancel(self) -> None:
        """Give back a reserved token whose request will not be sent."""
        self._tokens = min(self._burst, self._tokens + 1.0)

    async def acquire(self) -> None:
        delay = self.reserve()
        if delay <= 0:
            return
        try:
            await self._clock.sleep(delay)
        except asyncio.CancelledError:
            self.cancel()
            raise
