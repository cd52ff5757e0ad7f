"""The one place that turns the outcome of a reconcile into a queue action and metrics."""

from __future__ import annotations

import asyncio

from structlog.typing import FilteringBoundLogger

from mirrorctl.controller.timeout import is_expired_deadline
from mirrorctl.metrics.controller import BoundControllerMetrics, ReconcileOutcome
from mirrorctl.queue.interface import RateLimitingWorkQueue
from mirrorctl.reconcile.errors import TerminalError
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcile.result import Result

__all__ = ["is_panic", "settle"]

# Python has no panics; these are its equivalents of Go's runtime panics (nil dereference,
# index out of range, failed type assertion, division by zero): bugs in the reconciler
# rather than failures it reports. They are retried like any error but counted apart.
_PANIC_TYPES: tuple[type[BaseException], ...] = (
    AttributeError,
    LookupError,
    TypeError,
    NameError,
    AssertionError,
    ArithmeticError,
    NotImplementedError,
    RecursionError,
)


# Outside `_PANIC_TYPES`, these are not bugs of the reconciler: an ordinary error, a
# cancellation from within it (an error like any other), the process being told to end.
_NOT_PANICS: tuple[type[BaseException], ...] = (
    Exception,
    asyncio.CancelledError,
    KeyboardInterrupt,
    SystemExit,
)


def is_panic(error: BaseException) -> bool:
    """Whether an exception is a programming error of the reconciler: one of ``_PANIC_TYPES``,
    or a ``BaseException`` meant to get past ``except Exception`` (GeneratorExit, a custom one).
    """
    if isinstance(error, TerminalError):
        return False
    return isinstance(error, _PANIC_TYPES) or not isinstance(error, _NOT_PANICS)


def _is_terminal(error: BaseException) -> bool:
    # An exception group (what `asyncio.TaskGroup` raises) is terminal if it holds a
    # terminal error, as Go's errors.Is finds one inside joined errors.
    if isinstance(error, TerminalError):
        return True
    return isinstance(error, BaseExceptionGroup) and error.subgroup(TerminalError) is not None


def settle(
    queue: RateLimitingWorkQueue[Request],
    request: Request,
    outcome: Result | BaseException,
    metrics: BoundControllerMetrics,
    log: FilteringBoundLogger,
    *,
    priority: int = 0,
) -> ReconcileOutcome:
    """Apply ``outcome`` to ``queue``, count it, log it, and return its metric label.

    Every requeue is at ``priority``, the one the key was handed out at, so an initial-list
    key retries behind real changes and an urgent one ahead of plain keys, as
    controller-runtime's requeues do; a `Result` that sets its own ``priority`` requeues
    at that one instead.

    - ``Result()``: forget the key's back-off; nothing more until the next event.
    - ``requeue_after`` > 0: forget the back-off and come back after that delay.
    - ``requeue`` (and ``requeue_after`` unset or 0): come back through the rate limiter
      (backs off if repeated).
    - ``TerminalError``, alone or in an exception group: log and count, never retry. Its
      back-off is kept, as controller-runtime keeps it, until a reconcile succeeds.
    - any other exception (timeouts included): log and count, retry with back-off. So is a
      ``BaseException`` that is not an ``Exception`` (KeyboardInterrupt and SystemExit too:
      the controller re-raises those once settled, see ``Controller``).
    """
    if isinstance(outcome, BaseException):
        metrics.reconcile_errors.inc()
        metrics.reconcile_total[ReconcileOutcome.ERROR].inc()
        if _is_terminal(outcome):
            metrics.terminal_reconcile_errors.inc()
            log.error("terminal reconciler error; not retrying", exc_info=outcome)
        else:
            if is_panic(outcome):
                metrics.reconcile_panics.inc()
            elif is_expired_deadline(outcome):
                metrics.reconcile_timeouts.inc()
            queue.add_rate_limited(request, priority=priority)
            log.error("reconciler error", exc_info=outcome)
        return ReconcileOutcome.ERROR
    if outcome.priority is not None:
        priority = outcome.priority
    # Truthy: a zero delay is unset, as controller-runtime's RequeueAfter == 0.
    if outcome.requeue_after:
        queue.forget(request)
        queue.add_after(request, outcome.requeue_after, priority=priority)
        log.debug("reconcile done, requeueing after delay", requeue_after=outcome.requeue_after)
        metrics.reconcile_total[ReconcileOutcome.REQUEUE_AFTER].inc()
        return ReconcileOutcome.REQUEUE_AFTER
    if outcome.requeue:
        queue.add_rate_limited(request, priority=priority)
        log.debug("reconcile done, requeueing with back-off")
        metrics.reconcile_total[ReconcileOutcome.REQUEUE].inc()
        return ReconcileOutcome.REQUEUE
    queue.forget(request)
    log.debug("reconcile succeeded")
    metrics.reconcile_total[ReconcileOutcome.SUCCESS].inc()
    return ReconcileOutcome.SUCCESS
