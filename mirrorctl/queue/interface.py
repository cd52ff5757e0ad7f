"""The work queue contract: what controllers, handlers and rate limiters rely on."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol, TypeVar

__all__ = [
    "LOW_PRIORITY",
    "DelayingWorkQueue",
    "RateLimiter",
    "RateLimitingWorkQueue",
    "ShutDown",
    "WorkQueue",
]

T = TypeVar("T", bound=Hashable)
T_contra = TypeVar("T_contra", bound=Hashable, contravariant=True)

# Informer initial-list keys and resyncs of unchanged objects are queued at this priority so a
# real change arriving during a large start-up is served before thousands of no-op reconciles.
LOW_PRIORITY = -100


class ShutDown(Exception):
    """`get()` on a queue that is shut down and has nothing left to hand out."""


class WorkQueue(Protocol[T]):
    """A de-duplicating priority FIFO that never hands one key to two workers at once.

    A key added while queued is not queued twice (its priority can only rise). A key added
    while a worker holds it is queued again only when that worker calls `done`.
    """

    def add(self, item: T, *, priority: int = 0) -> None: ...

    async def get(self) -> T:
        """The next key, highest priority first, FIFO within a priority.

        Raises `ShutDown` once the queue is shut down and holds nothing more to hand out.
        """
        ...

    async def get_with_priority(self) -> tuple[T, int]:
        """`get`, with the priority the key was queued at when handed out.

        A worker that requeues the key passes it on, so a retry is as urgent as the run it
        repeats (controller-runtime's `GetWithPriority`).
        """
        ...

    def done(self, item: T) -> None: ...

    def __len__(self) -> int: ...

    @property
    def shutting_down(self) -> bool: ...

    def shutdown(self) -> None:
        """Refuse new keys; workers still get what is queued, then `ShutDown`."""
        ...

    async def shutdown_with_drain(self) -> None:
        """`shutdown`, then wait until every queued and in-flight key is done."""
        ...


class DelayingWorkQueue(WorkQueue[T], Protocol[T]):
    def add_after(self, item: T, delay: float, *, priority: int = 0) -> None:
        """Queue `item` once `delay` seconds have passed.

        Adding a waiting key again can only bring it earlier; adding it without delay queues it
        now. A key already queued stays queued (its priority can still rise).
        """
        ...


class RateLimitingWorkQueue(DelayingWorkQueue[T], Protocol[T]):
    def add_rate_limited(self, item: T, *, priority: int = 0) -> None:
        """Queue `item` after the delay its rate limiter gives it now."""
        ...

    def forget(self, item: T) -> None:
        """Clear the rate limiter's memory of `item` (call after a success)."""
        ...

    def num_requeues(self, item: T) -> int: ...


class RateLimiter(Protocol[T_contra]):
    def when(self, item: T_contra) -> float:
        """Seconds to wait before `item` may be retried; counts as one attempt."""
        ...

    def forget(self, item: T_contra) -> None: ...

    def num_requeues(self, item: T_contra) -> int: ...
