"""`BucketRateLimiter`: one token bucket shared by all keys (overall retry rate)."""

from __future__ import annotations

from collections.abc import Hashable

from mirrorctl.clock import Clock, RealClock

__all__ = ["BucketRateLimiter"]


class BucketRateLimiter:
    """A bucket of `burst` tokens refilled at `qps` per second, starting full.

    Each `when` takes a token, borrowing it from the future if the bucket is empty, and returns
    how long until that token exists: the caller is committed to waiting, as with a reservation
    of golang.org/x/time/rate (what client-go's bucket limiter uses).
    """

    __slots__ = ("_clock", "_last", "_tokens", "burst", "qps")

    def __init__(self, qps: float = 10.0, burst: int = 100, *, clock: Clock | None = None) -> None:
        if not qps > 0:
            raise ValueError("qps must be a positive number")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.qps = qps
        self.burst = burst
        self._clock: Clock = clock if clock is not None else RealClock()
        self._tokens = float(burst)
        self._last = self._clock.monotonic()

    def when(self, item: Hashable) -> float:
        now = self._clock.monotonic()
        elapsed = now - self._last
        if elapsed > 0:
            self._tokens = min(float(self.burst), self._tokens + elapsed * self.qps)
            self._last = now
        self._tokens -= 1.0
        return -self._tokens / self.qps if self._tokens < 0 else 0.0

    def forget(self, item: Hashable) -> None:
        pass

    def num_requeues(self, item: Hashable) -> int:
        return 0
