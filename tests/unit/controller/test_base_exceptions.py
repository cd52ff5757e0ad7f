"""A reconciler raising what ``except Exception`` misses: logged, the key kept, no worker lost.

controller-runtime recovers a reconciler's panic, logs it, counts it and requeues the key.
Here the same holds for a ``BaseException`` that is not an ``Exception`` (GeneratorExit, a
custom one), while ``KeyboardInterrupt`` and ``SystemExit`` are never swallowed: the key is
requeued and logged first, then they leave the event loop (asyncio's rule for these two) and
the controller stops rather than run on a worker short.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from mirrorctl.clock import FakeClock
from mirrorctl.controller import Controller, ControllerOptions
from mirrorctl.handler import EnqueueRequestForObject
from mirrorctl.metrics import ControllerMetrics, new_registry
from mirrorctl.queue import RateLimitingQueue
from mirrorctl.reconcile import Request, Result

from .support import ListSource, configmap, harness

__all__: list[str] = []

A = Request("a", "ns")


class CustomBaseError(BaseException):
    """What a library might raise to get past ``except Exception`` blocks."""


class RecordingLogger:
    """Records every log call as (level, event, keyword arguments)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, dict[str, Any]]] = []

    def bind(self, **_: object) -> RecordingLogger:
        return self

    def __getattr__(self, level: str) -> Any:
        def log(event: str, *_: object, **kwargs: Any) -> None:
            self.lines.append((level, event, kwargs))

        return log

    def errors(self) -> list[tuple[str, dict[str, Any]]]:
        return [(e, kw) for level, e, kw in self.lines if level in ("error", "exception")]


class FailsOnceOnA:
    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.calls: list[str] = []

    async def reconcile(self, request: Request) -> Result:
        self.calls.append(request.name)
        if request.name == "a" and self.calls.count("a") == 1:
            raise self.error
        return Result()


@pytest.mark.parametrize(
    "error", [CustomBaseError("escapes except Exception"), GeneratorExit()], ids=repr
)
async def test_a_base_exception_is_recovered_like_a_panic(error: BaseException) -> None:
    r = FailsOnceOnA(error)
    log = RecordingLogger()
    async with harness(r, logger=log) as h:
        h.source.add(configmap("a"))
        await h.settle()
        assert h.queue.num_requeues(A) == 1
        [(event, fields)] = log.errors()
        assert event == "reconciler error"
        assert fields["exc_info"] is error
        h.source.add(configmap("b"))  # the only worker must still be alive to take it
        await h.settle()
        assert r.calls == ["a", "b"]
        await h.clock.advance(1)
        assert r.calls == ["a", "b", "a"]
        assert h.total("error") == 1
        assert h.metric("controller_runtime_reconcile_panics_total") == 1
        assert h.total("success") == 2


class BrokenSink(RecordingLogger):
    """Error lines fail, as a sink on a closed file (or a full disk) does."""

    def __getattr__(self, level: str) -> Any:
        def log(event: str, *_: object, **__: Any) -> None:
            if level in ("error", "exception"):
                raise ValueError("I/O operation on closed file.")

        return log


class _Interrupted:
    """A controller with two workers on a private loop, whose reconciler interrupts once."""

    def __init__(self, error: BaseException, log: RecordingLogger | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        self.clock = FakeClock()
        self.log = log or RecordingLogger()
        self.registry = new_registry(runtime_collectors=False)
        self.reconciler = FailsOnceOnA(error)
        self.source = ListSource()
        self.queue: RateLimitingQueue[Request] = self.run(self._queue())
        self.controller = Controller(
            "test",
            self.reconciler,
            self.queue,
            options=ControllerOptions(max_concurrent_reconciles=2),
            metrics=ControllerMetrics(self.registry),
            clock=self.clock,
            logger=self.log,
        )
        self.controller.watch(self.source, EnqueueRequestForObject())
        self.start = self.loop.create_task(self.controller.start())

    async def _queue(self) -> RateLimitingQueue[Request]:
        return RateLimitingQueue("test", clock=self.clock)

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return self.loop.run_until_complete(coro)

    def metric(self, name: str, **labels: str) -> float | None:
        return self.registry.get_sample_value(name, {"controller": "test", **labels})

    def close(self) -> None:
        # Whatever the test left running ends here, so nothing outlives the loop.
        pending = asyncio.all_tasks(self.loop)
        for task in pending:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        if self.start.done() and not self.start.cancelled():
            self.start.exception()
        self.loop.close()


@pytest.mark.parametrize("error_type", [KeyboardInterrupt, SystemExit])
def test_an_interrupt_is_requeued_logged_and_re_raised(error_type: type[BaseException]) -> None:
    # A private loop: the interrupt leaves it, and must not leave the tests' own loop.
    error = error_type()
    c = _Interrupted(error)
    try:
        c.run(c.clock.settle())
        c.source.add(configmap("a"))
        with pytest.raises(error_type) as raised:
            c.run(c.clock.settle())
        assert raised.value is error
        # Before leaving the loop, the key was requeued, counted and logged.
        assert c.queue.num_requeues(A) == 1
        assert c.metric("controller_runtime_reconcile_errors_total") == 1
        assert c.metric("controller_runtime_reconcile_panics_total") == 0
        assert any(fields.get("exc_info") is error for _, fields in c.log.errors())
        # A loop that goes on does not run the controller a worker short: it stops, and
        # start() ends with the interrupt.
        with pytest.raises(error_type):
            c.run(c.clock.settle())
        assert c.start.done()
        assert c.start.exception() is error
        assert c.queue.shutting_down
        # No worker left behind (the driver's own interrupted awaits are still pending).
        assert not [t for t in asyncio.all_tasks(c.loop) if "worker" in t.get_name()]
        assert any("worker" in event for event, _ in c.log.errors())
    finally:
        c.close()


def test_an_interrupt_gets_past_a_failing_log_sink() -> None:
    c = _Interrupted(KeyboardInterrupt(), log=BrokenSink())
    try:
        c.run(c.clock.settle())
        c.source.add(configmap("a"))
        with pytest.raises(KeyboardInterrupt):
            c.run(c.clock.settle())
        assert c.queue.num_requeues(A) == 1
    finally:
        c.close()


def test_an_interrupt_stops_the_controller_even_when_logging_fails() -> None:
    # The worker's end is noticed in a done callback; a sink failing there must not keep the
    # controller running a worker short, with start() never ending.
    error = KeyboardInterrupt()
    c = _Interrupted(error, log=BrokenSink())
    try:
        c.run(c.clock.settle())
        c.source.add(configmap("a"))
        with pytest.raises(KeyboardInterrupt):
            c.run(c.clock.settle())
        with pytest.raises(KeyboardInterrupt):
            c.run(c.clock.settle())
        assert c.start.done()
        assert c.start.exception() is error
        assert c.queue.shutting_down
    finally:
        c.close()


class ErrsOnItsTimeoutThenIsCancelledFromWithin:
    """First call: a cleanup error replaces the deadline's cancellation. Second: something
    inside the reconciler cancels what it awaits (its own failure, not a shutdown)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def reconcile(self, request: Request) -> Result:
        self.calls.append(request.name)
        if len(self.calls) == 1:
            try:
                await asyncio.Event().wait()
            finally:
                raise CustomBaseError("cleanup failed")
        if len(self.calls) == 2:
            cancelled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            cancelled.cancel()
            await cancelled
        return Result()


async def test_a_worker_survives_a_reconciler_error_that_replaced_its_timeout() -> None:
    r = ErrsOnItsTimeoutThenIsCancelledFromWithin()
    options = ControllerOptions(max_concurrent_reconciles=1, reconcile_timeout=1)
    async with harness(r, options=options, logger=RecordingLogger()) as h:
        h.source.add(configmap("a"))
        await h.settle()
        await h.clock.advance(1)  # the deadline expires; the reconciler raises its own error
        assert h.queue.num_requeues(A) == 1
        h.source.add(configmap("b"))
        await h.settle()  # cancelled from within: an error, retried, not a shutdown
        assert h.queue.num_requeues(Request("b", "ns")) == 1
        h.source.add(configmap("c"))  # the only worker must still be alive to take it
        await h.settle()
        assert r.calls == ["a", "b", "c"]


class SinkThatBreaks(RecordingLogger):
    """Works until `broken` is set, then every line fails (a closed pipe, a full disk)."""

    broken = False

    def __getattr__(self, level: str) -> Any:
        record = super().__getattr__(level)

        def log(event: str, *args: object, **kwargs: Any) -> None:
            if self.broken:
                raise ValueError("I/O operation on closed file.")
            record(event, *args, **kwargs)

        return log


def test_an_interrupt_leaves_no_worker_behind_when_the_sink_broke() -> None:
    error = KeyboardInterrupt()
    sink = SinkThatBreaks()
    c = _Interrupted(error, log=sink)
    try:
        c.run(c.clock.settle())
        sink.broken = True
        c.source.add(configmap("a"))
        with pytest.raises(KeyboardInterrupt):
            c.run(c.clock.settle())
        with pytest.raises(KeyboardInterrupt):
            c.run(c.clock.settle())
        assert c.start.exception() is error
        assert c.queue.shutting_down
        assert not [t for t in asyncio.all_tasks(c.loop) if "worker" in t.get_name()]
    finally:
        c.close()
