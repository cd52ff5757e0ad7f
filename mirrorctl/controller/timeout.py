"""A deadline for the current task measured on an injected clock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mirrorctl.clock import Clock
from mirrorctl.controller.errors import ReconcileTimeoutError

__all__ = ["deadline", "is_expired_deadline"]


class _DeadlineExpired(ReconcileTimeoutError):
    """A `ReconcileTimeoutError` this module raised, not one the reconciler raised itself."""


def is_expired_deadline(error: BaseException) -> bool:
    """Whether ``error`` is a `deadline` running out (what the timeouts metric counts)."""
    return isinstance(error, _DeadlineExpired)


@asynccontextmanager
async def deadline(clock: Clock, seconds: float) -> AsyncIterator[None]:
    """Cancel the body after ``seconds`` on ``clock`` and raise ``ReconcileTimeoutError``.

    ``asyncio.timeout`` would do the same on the loop's clock, which tests cannot drive.
    Only the cancellation this deadline caused becomes a timeout: a cancellation from
    outside (shutdown) still propagates as ``CancelledError``.
    """
    task = asyncio.current_task()
    if task is None:
        raise RuntimeError("deadline() needs to run inside a task")
    cancelling_before = task.cancelling()
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    handle = clock.call_at(clock.monotonic() + seconds, expire)
    try:
        yield
    except asyncio.CancelledError:
        if expired and task.uncancel() <= cancelling_before:
            raise _DeadlineExpired(f"reconcile exceeded its timeout of {seconds}s") from None
        raise
    except BaseException:
        if expired:
            # The body replaced our cancellation by an error of its own (a cleanup failing in
            # a `finally`, say): that error stands, and the request is taken back all the same.
            task.uncancel()
        raise
    else:
        if expired:
            # The body swallowed our cancellation and finished anyway: take the request back
            # so later awaits in this task are not cancelled by it.
            task.uncancel()
    finally:
        handle.cancel()
