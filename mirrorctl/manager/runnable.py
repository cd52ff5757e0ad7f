"""What a manager runs: controllers and any other long-running coroutine."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["Runnable", "RunnableFunc", "Stoppable", "needs_leader_election"]


class Runnable(Protocol):
    """Runs until done or cancelled; cancellation must be honoured promptly.

    A runnable with a ``need_leader_election`` attribute set to False runs on every replica;
    without it, it runs on the leader only (as in controller-runtime).
    """

    async def start(self) -> None: ...


@runtime_checkable
class Stoppable(Protocol):
    """A runnable that can wind down gracefully: after ``stop()`` its ``start()`` returns
    once the work in progress is finished. Runnables without it are simply cancelled."""

    def stop(self) -> None: ...


def needs_leader_election(runnable: Runnable) -> bool:
    return bool(getattr(runnable, "need_leader_election", True))


@dataclass(frozen=True, slots=True)
class RunnableFunc:
    """A coroutine function as a runnable."""

    fn: Callable[[], Awaitable[None]]
    need_leader_election: bool = True

    async def start(self) -> None:
        await self.fn()
