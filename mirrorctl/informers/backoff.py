"""Exponential backoff with jitter for list/watch failures, reset after a healthy stretch."""

from __future__ import annotations

import random

from mirrorctl.clock import Clock

__all__ = ["ExponentialBackoff"]


class ExponentialBackoff:
    """Delays that double from `initial` up to `cap`, each stretched by up to `jitter`.

    Jitter spreads the retries of many clients that failed together (an apiserver restart).
    If more than `reset_after` seconds passed since the previous failure, the client was
    healthy in between and starts again from `initial`.
    """

    __slots__ = (
        "_cap",
        "_clock",
        "_factor",
        "_initial",
        "_jitter",
        "_last",
        "_reset_after",
        "_rng",
        "_step",
    )

    def __init__(
        self,
        clock: Clock,
        *,
        initial: float = 0.8,
        cap: float = 30.0,
        factor: float = 2.0,
        jitter: float = 0.2,
        reset_after: float = 120.0,
        rng: random.Random | None = None,
    ) -> None:
        if not 0 < initial <= cap:
            raise ValueError("backoff needs 0 < initial <= cap")
        if factor < 1 or jitter < 0 or reset_after <= 0:
            raise ValueError("backoff needs factor >= 1, jitter >= 0 and reset_after > 0")
        self._clock = clock
        self._initial = initial
        self._cap = cap
        self._factor = factor
        self._jitter = jitter
        self._reset_after = reset_after
        self._rng = rng if rng is not None else random.Random()
        self._step = initial
        self._last: float | None = None

    def next_delay(self) -> float:
        """The delay to wait before the next attempt; call once per failure."""
        now = self._clock.monotonic()
        if self._last is None or now - self._last > self._reset_after:
            self._step = self._initial
        else:
            self._step = min(self._step * self._factor, self._cap)
        self._last = now
        return self._step * (1.0 + self._jitter * self._rng.random())

    def reset(self) -> None:
        """Forget past failures: the next delay is `initial` again."""
        self._last = None
