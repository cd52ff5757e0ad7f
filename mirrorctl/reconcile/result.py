"""What a reconcile asks of the controller once it returns."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Result"]


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of a successful reconcile.

    ``Result()`` means converged: the key is forgotten by the rate limiter and only a new
    event brings it back. ``requeue_after`` schedules one more reconcile after that many
    seconds without back-off (the rate limiter is reset). ``requeue=True`` asks for another
    reconcile through the rate limiter, so repeated requeues back off. When both are set,
    ``requeue_after`` wins, as in controller-runtime.

    ``requeue_after=0`` is unset, as controller-runtime's ``RequeueAfter == 0``: then
    ``requeue`` decides. It never means "again at once", a loop without back-off that
    would keep a core busy; a reconciler that wants to run again soon returns
    ``requeue=True`` (backs off) or a positive delay.

    ``priority`` is the queue priority of that requeue, as controller-runtime's
    ``Result.Priority``; unset, the requeue keeps the priority the key was handed out at.
    It asks for nothing by itself.
    """

    requeue_after: float | None = None
    requeue: bool = False
    priority: int | None = None

    def __post_init__(self) -> None:
        if self.requeue_after is not None and not (
            math.isfinite(self.requeue_after) and self.requeue_after >= 0
        ):
            raise ValueError(f"requeue_after must be finite and >= 0, not {self.requeue_after}")

    @property
    def is_done(self) -> bool:
        """True when nothing more is asked of the controller."""
        return not self.requeue_after and not self.requeue
