"""The controller: how each reconcile outcome drives the queue, metrics and workers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest
import structlog

from mirrorctl.controller import CacheSyncTimeoutError, ControllerOptions, ReconcileTimeoutError
from mirrorctl.handler import EnqueueRequestForObject
from mirrorctl.reconcile import ReconcilerFunc, Request, Result, TerminalError

from .support import configmap, harness

Script = Callable[[Request, int], Awaitable[Result]]


class Scripted:
    """A reconciler whose n-th call (counting from 0) does what ``script`` says."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.calls: list[Request] = []

    async def reconcile(self, request: Request) -> Result:
        n = len(self.calls)
        self.calls.append(request)
        return await self.script(request, n)


def always(result: Result) -> Script:
    async def script(request: Request, n: int) -> Result:
        return result

    return script


A = Request("a", "ns")


async def test_metrics_exist_at_zero_before_any_reconcile() -> None:
    r = Scripted(always(Result()))
    async with harness(r, options=ControllerOptions(max_concurrent_reconciles=3)) as h:
        for result in ("success", "error", "requeue", "requeue_after"):
            assert h.total(result) == 0
        assert h.metric("controller_runtime_reconcile_errors_total") == 0
        assert h.metric("controller_runtime_terminal_reconcile_errors_total") == 0
        assert h.metric("controller_runtime_reconcile_panics_total") == 0
        assert h.metric("controller_runtime_reconcile_time_seconds_count") == 0
        assert h.metric("controller_runtime_max_concurrent_reconciles") == 3
        assert h.metric("controller_runtime_active_workers") == 0


async def test_success_forgets_and_does_not_requeue() -> None:
    r = Scripted(always(Result()))
    async with harness(r) as h:
        h.queue.add_rate_limited(A)  # leave some back-off history to be forgotten
        await h.clock.advance(1)
        assert r.calls == [A]
        assert h.queue.num_requeues(A) == 0
        assert len(h.queue) == 0
        await h.clock.advance(2000)
        assert r.calls == [A]
        assert h.total("success") == 1
        assert h.metric("controller_runtime_reconcile_time_seconds_count") == 1


async def test_requeue_after_forgets_backoff_and_comes_back_after_the_delay() -> None:
    async def script(request: Request, n: int) -> Result:
        return Result(requeue_after=30) if n == 0 else Result()

    r = Scripted(script)
    async with harness(r) as h:
        h.queue.add_rate_limited(A)
        await h.clock.advance(1)
        assert len(r.calls) == 1
        assert h.queue.num_requeues(A) == 0
        # The back-off put the first run at 5 ms, so the requeue is due at 30.005 s.
        await h.clock.advance(29.004)
        assert len(r.calls) == 1
        await h.clock.advance(0.001)
        assert len(r.calls) == 2
        assert h.total("requeue_after") == 1
        assert h.total("success") == 1


async def test_requeue_after_zero_is_unset_so_the_key_is_done() -> None:
    # As controller-runtime's RequeueAfter == 0: not "requeue at once", which would spin.
    async def script(request: Request, n: int) -> Result:
        return Result(requeue_after=0) if n == 0 else Result()

    r = Scripted(script)
    async with harness(r) as h:
        h.queue.add_rate_limited(A)  # leave some back-off history to be forgotten
        await h.clock.advance(1)
        assert r.calls == [A]
        assert h.queue.num_requeues(A) == 0
        await h.clock.advance(2000)
        assert r.calls == [A]
        assert h.total("success") == 1
        assert h.total("requeue_after") == 0


async def test_requeue_after_zero_leaves_requeue_to_decide() -> None:
    seen_at: list[float] = []

    async def script(request: Request, n: int) -> Result:
        seen_at.append(h.clock.monotonic())
        return Result(requeue_after=0, requeue=True) if n < 3 else Result()

    async with harness(Scripted(script)) as h:
        h.source.add(configmap("a"))
        await h.clock.advance(1)
        # Through the rate limiter, as `requeue=True` alone: 5, 10, 20 ms between attempts.
        assert seen_at == pytest.approx([0.0, 0.005, 0.015, 0.035])
        assert h.total("requeue") == 3
        assert h.total("requeue_after") == 0


async def test_requeue_goes_through_the_rate_limiter_and_backs_off() -> None:
    seen_at: list[float] = []
    r = Scripted(always(Result(requeue=True)))

    async def script(request: Request, n: int) -> Result:
        seen_at.append(h.clock.monotonic())
        return Result(requeue=True) if n < 3 else Result()

    r.script = script
    async with harness(r) as h:
        h.source.add(configmap("a"))
        await h.clock.advance(1)
        # Exponential back-off from 5 ms: 5, 10, 20 ms between attempts.
        assert seen_at == pytest.approx([0.0, 0.005, 0.015, 0.035])
        assert h.total("requeue") == 3
        assert h.total("success") == 1
        assert h.queue.num_requeues(A) == 0


async def test_an_exception_is_retried_with_backoff_and_never_kills_the_worker() -> None:
    failures = 0

    async def script(request: Request, n: int) -> Result:
        nonlocal failures
        if request.name == "a" and failures < 2:
            failures += 1
            raise RuntimeError("boom")
        return Result()

    r = Scripted(script)
    async with harness(r) as h:
        h.source.add(configmap("a"))
        await h.settle()
        assert h.queue.num_requeues(A) == 1
        h.source.add(configmap("b"))  # the only worker must still be alive to take it
        await h.settle()
        assert [c.name for c in r.calls] == ["a", "b"]
        await h.clock.advance(1)
        assert [c.name for c in r.calls] == ["a", "b", "a", "a"]
        assert h.metric("controller_runtime_reconcile_errors_total") == 2
        assert h.total("error") == 2
        assert h.total("success") == 2
        assert h.metric("controller_runtime_reconcile_panics_total") == 0
        assert h.metric("controller_runtime_active_workers") == 0


async def test_a_terminal_error_is_counted_and_not_retried() -> None:
    async def script(request: Request, n: int) -> Result:
        raise TerminalError("spec is invalid")

    r = Scripted(script)
    async with harness(r) as h:
        h.queue.add_rate_limited(A)
        await h.clock.advance(1)
        assert r.calls == [A]
        # Its back-off is kept until a reconcile succeeds, as controller-runtime keeps it.
        assert h.queue.num_requeues(A) == 1
        await h.clock.advance(5000)
        assert r.calls == [A]
        assert h.metric("controller_runtime_terminal_reconcile_errors_total") == 1
        assert h.metric("controller_runtime_reconcile_errors_total") == 1
        assert h.total("error") == 1
        # A new event brings the key back.
        h.source.add(configmap("a", rv="2"))
        await h.settle()
        assert r.calls == [A, A]


async def test_a_terminal_error_from_a_task_group_is_terminal() -> None:
    async def fails(error: Exception) -> None:
        raise error

    async def script(request: Request, n: int) -> Result:
        async with asyncio.TaskGroup() as group:
            group.create_task(fails(TerminalError("spec is invalid")))
            group.create_task(fails(RuntimeError("and a transient failure")))
        return Result()

    r = Scripted(script)
    async with harness(r) as h:
        h.source.add(configmap("a"))
        await h.clock.advance(5000)
        assert r.calls == [A]
        assert h.queue.num_requeues(A) == 0
        assert h.metric("controller_runtime_terminal_reconcile_errors_total") == 1
        assert h.total("error") == 1


async def test_programming_errors_count_as_panics_and_are_retried() -> None:
    async def script(request: Request, n: int) -> Result:
        if n == 0:
            empty: dict[str, Result] = {}
            return empty["missing"]
        if n == 1:
            return "not a result"  # type: ignore[return-value]
        return Result()

    r = Scripted(script)
    async with harness(r) as h:
        h.source.add(configmap("a"))
        await h.clock.advance(1)
        assert len(r.calls) == 3
        assert h.metric("controller_runtime_reconcile_panics_total") == 2
        assert h.metric("controller_runtime_reconcile_errors_total") == 2
        assert h.total("success") == 1


async def test_a_reconcile_over_its_timeout_is_cancelled_and_retried_as_an_error() -> None:
    cancelled: list[float] = []

    async def script(request: Request, n: int) -> Result:
        if n == 0:
            try:
                await h.clock.sleep(3600)
            except asyncio.CancelledError:
                cancelled.append(h.clock.monotonic())
                raise
        return Result()

    r = Scripted(script)
    options = ControllerOptions(reconcile_timeout=10)
    async with harness(r, options=options) as h:
        h.source.add(configmap("a"))
        await h.clock.advance(9.9)
        assert cancelled == []
        assert h.metric("controller_runtime_active_workers") == 1
        await h.clock.advance(0.1)
        assert cancelled == [10.0]
        assert h.total("error") == 1
        assert h.metric("controller_runtime_reconcile_timeouts_total") == 1
        assert h.metric("controller_runtime_reconcile_time_seconds_sum") == 10.0
        await h.clock.advance(1)
        assert len(r.calls) == 2
        assert h.total("success") == 1


async def test_a_timeout_raised_by_the_reconciler_is_an_ordinary_error() -> None:
    async def script(request: Request, n: int) -> Result:
        if n == 0:
            raise ReconcileTimeoutError("not ours")
        return Result()

    async with harness(Scripted(script), options=ControllerOptions(reconcile_timeout=5)) as h:
        h.source.add(configmap("a"))
        await h.clock.advance(1)
        assert h.total("error") == 1
        assert h.total("success") == 1
        assert h.metric("controller_runtime_reconcile_timeouts_total") == 0


async def test_workers_never_exceed_max_concurrent_reconciles() -> None:
    release = asyncio.Event()
    running = 0
    peak = 0

    async def script(request: Request, n: int) -> Result:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await release.wait()
        running -= 1
        return Result()

    r = Scripted(script)
    async with harness(r, options=ControllerOptions(max_concurrent_reconciles=2)) as h:
        for name in "abcde":
            h.source.add(configmap(name))
        await h.settle()
        assert running == 2
        assert h.metric("controller_runtime_active_workers") == 2
        release.set()
        await h.settle()
        assert peak == 2
        assert len(r.calls) == 5
        assert h.metric("controller_runtime_active_workers") == 0


async def test_one_key_is_never_reconciled_twice_at_once() -> None:
    release = asyncio.Event()
    running: set[Request] = set()
    overlaps = 0

    async def script(request: Request, n: int) -> Result:
        nonlocal overlaps
        overlaps += request in running
        running.add(request)
        await release.wait()
        running.discard(request)
        return Result()

    r = Scripted(script)
    async with harness(r, options=ControllerOptions(max_concurrent_reconciles=4)) as h:
        h.source.add(configmap("a"))
        await h.settle()
        h.source.add(configmap("a", rv="2"))
        h.source.add(configmap("a", rv="3"))
        await h.settle()
        assert len(r.calls) == 1
        release.set()
        await h.settle()
        assert len(r.calls) == 2  # the two later events collapse into one reconcile
        assert overlaps == 0


async def test_initial_list_keys_wait_behind_real_changes() -> None:
    release = asyncio.Event()

    async def script(request: Request, n: int) -> Result:
        if n == 0:
            await release.wait()
        return Result()

    r = Scripted(script)
    async with harness(r) as h:
        h.source.add(configmap("busy"))
        await h.settle()
        for name in ("old1", "old2"):
            h.source.add(configmap(name), initial=True)
        h.source.add(configmap("new"))
        release.set()
        await h.settle()
        assert [c.name for c in r.calls] == ["busy", "new", "old1", "old2"]


async def test_every_log_line_of_a_reconcile_carries_its_id_and_key() -> None:
    seen: list[dict[str, object]] = []

    async def fn(request: Request) -> Result:
        seen.append(structlog.contextvars.get_contextvars())
        return Result()

    async with harness(ReconcilerFunc(fn)) as h:
        h.source.add(configmap("a"))
        h.source.add(configmap("b", namespace="other"))
        await h.settle()
    assert [(c["controller"], c["namespace"], c["name"]) for c in seen] == [
        ("test", "ns", "a"),
        ("test", "other", "b"),
    ]
    ids = {c["reconcile_id"] for c in seen}
    assert len(ids) == 2
    # Version-4 UUIDs, as controller-runtime's.
    assert all(
        isinstance(i, str) and str(uuid.UUID(i)) == i and uuid.UUID(i).version == 4 for i in ids
    )
    # Bound for the reconcile only: nothing leaks into the caller's context.
    assert "reconcile_id" not in structlog.contextvars.get_contextvars()


async def test_a_cancellation_from_inside_the_reconciler_is_an_error_not_a_shutdown() -> None:
    async def script(request: Request, n: int) -> Result:
        if n == 0:
            inner = asyncio.get_running_loop().create_future()
            inner.cancel()
            await inner
        return Result()

    r = Scripted(script)
    async with harness(r) as h:
        h.source.add(configmap("a"))
        await h.clock.advance(1)
        assert h.total("error") == 1
        assert h.total("success") == 1


async def test_stop_lets_in_flight_reconciles_finish_and_drops_queued_keys() -> None:
    release = asyncio.Event()
    finished: list[str] = []

    async def script(request: Request, n: int) -> Result:
        await release.wait()
        finished.append(request.name)
        return Result()

    r = Scripted(script)
    async with harness(r, start=False) as h:
        task = asyncio.create_task(h.controller.start())
        await h.settle()
        h.source.add(configmap("a"))
        h.source.add(configmap("b"))
        await h.settle()
        h.controller.stop()
        await h.settle()
        assert not task.done()  # waits for "a"
        release.set()
        await task
        assert finished == ["a"]
        assert h.total("success") == 1


async def _cancel_start_mid_reconcile(
    script: Callable[[Request, int], Awaitable[Result]],
) -> tuple[float | None, bool]:
    """Cancel a controller's start while ``script`` reconciles "a": its error count, and
    whether its queue is shutting down."""
    async with harness(Scripted(script), start=False) as h:
        task = asyncio.create_task(h.controller.start())
        await h.settle()
        h.source.add(configmap("a"))
        await h.settle()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return h.total("error"), h.queue.shutting_down


async def test_cancelling_start_cancels_in_flight_reconciles_at_once() -> None:
    never = asyncio.Event()
    state: list[str] = []

    async def script(request: Request, n: int) -> Result:
        try:
            await never.wait()
        except asyncio.CancelledError:
            state.append("cancelled")
            raise
        return Result()

    errors, shutting_down = await _cancel_start_mid_reconcile(script)
    assert state == ["cancelled"]
    assert errors == 0  # a shutdown is not the reconciler's failure
    assert shutting_down


async def test_an_error_a_shutdown_cancellation_turned_into_is_not_counted() -> None:
    never = asyncio.Event()

    async def failing_when_cancelled() -> None:
        try:
            await never.wait()
        except asyncio.CancelledError:
            raise ConnectionResetError("cut while cancelled") from None

    async def script(request: Request, n: int) -> Result:
        async with asyncio.TaskGroup() as group:
            group.create_task(failing_when_cancelled())
        return Result()

    errors, _ = await _cancel_start_mid_reconcile(script)
    assert errors == 0


async def test_cancelling_a_drain_cuts_it_short() -> None:
    never = asyncio.Event()
    state: list[str] = []

    async def script(request: Request, n: int) -> Result:
        try:
            await never.wait()
        except asyncio.CancelledError:
            state.append("cancelled")
            raise
        return Result()

    async with harness(Scripted(script), start=False) as h:
        task = asyncio.create_task(h.controller.start())
        await h.settle()
        h.source.add(configmap("a"))
        await h.settle()
        h.controller.stop()
        await h.settle()
        assert not task.done()
        assert state == []  # stopping only stops new work
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert state == ["cancelled"]


async def test_workers_wait_for_caches_to_sync() -> None:
    r = Scripted(always(Result()))
    async with harness(r, synced=False) as h:
        h.source.add(configmap("a"), initial=True)
        await h.settle()
        assert r.calls == []
        h.source.mark_synced()
        await h.settle()
        assert r.calls == [A]


async def test_start_fails_when_caches_do_not_sync_in_time() -> None:
    class NeverSyncs:
        def add_event_handler(self, handler: object) -> object:
            return handler

        def has_synced(self) -> bool:
            return False

        async def wait_for_sync(self, timeout: float | None = None) -> bool:
            return False

    async with harness(Scripted(always(Result())), start=False) as h:
        h.controller.watch(NeverSyncs(), EnqueueRequestForObject())
        with pytest.raises(CacheSyncTimeoutError):
            await h.controller.start()
        assert h.queue.shutting_down


async def test_stop_while_caches_sync_returns_at_once_without_reconciling() -> None:
    r = Scripted(always(Result()))
    async with harness(r, synced=False, start=False) as h:
        task = asyncio.create_task(h.controller.start())
        h.source.add(configmap("a"), initial=True)
        await h.settle()
        h.controller.stop()
        await h.settle()
        assert task.done()  # not after cache_sync_timeout: a source may never sync
        await task  # a graceful stop, not a failure
        assert h.queue.shutting_down
        h.source.mark_synced()
        await h.settle()
        assert r.calls == []


async def test_cancelling_start_while_caches_sync_leaves_nothing_running() -> None:
    async with harness(Scripted(always(Result())), synced=False, start=False) as h:
        task = asyncio.create_task(h.controller.start())
        await h.settle()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert h.queue.shutting_down


@pytest.mark.parametrize("turns", range(8))
async def test_a_cancel_as_the_caches_sync_is_never_lost(turns: int) -> None:
    # Cancelling start() is the hard stop (a lost leadership): whatever loop turn of the sync's
    # wind-down it lands on, start() ends cancelled and reconciles nothing afterwards.
    r = Scripted(always(Result()))
    async with harness(r, synced=False, start=False) as h:
        task = asyncio.create_task(h.controller.start())
        await h.settle()
        h.source.mark_synced()
        for _ in range(turns):
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        h.source.add(configmap("a"))
        await h.settle()
        assert r.calls == []
        assert h.queue.shutting_down


async def test_watches_join_their_sources_only_when_the_controller_starts() -> None:
    # A controller that waits for leadership (on a standby replica) queues nothing: its
    # queue would have no worker, and its depth would grow with every event.
    r = Scripted(always(Result()))
    async with harness(r, start=False) as h:
        assert h.source.handlers == []
        h.source.add(configmap("early"))
        assert len(h.queue) == 0
        task = asyncio.create_task(h.controller.start())
        await h.settle()
        assert len(h.source.handlers) == 1
        h.source.add(configmap("a"))
        await h.settle()
        assert r.calls == [A]
        h.controller.stop()
        await task


async def test_a_controller_starts_only_once() -> None:
    async with harness(Scripted(always(Result()))) as h:
        with pytest.raises(RuntimeError, match="more than once"):
            await h.controller.start()
        with pytest.raises(RuntimeError, match="before start"):
            h.controller.watch(h.source, EnqueueRequestForObject())


class _BrokenSink:
    """A logger whose error lines fail, as a sink on a closed file (or a full disk) does."""

    def bind(self, **_: object) -> _BrokenSink:
        return self

    def __getattr__(self, name: str) -> object:
        def log(*_: object, **__: object) -> None:
            if name in ("error", "exception"):
                raise ValueError("I/O operation on closed file.")

        return log


async def test_a_failing_log_sink_never_kills_the_worker() -> None:
    async def script(request: Request, n: int) -> Result:
        if request.name == "a":
            raise RuntimeError("boom")
        return Result()

    r = Scripted(script)
    async with harness(r, logger=_BrokenSink()) as h:
        h.source.add(configmap("a"))
        await h.settle()
        h.source.add(configmap("b"))
        await h.settle()
        assert [c.name for c in r.calls] == ["a", "b"]
        assert h.queue.num_requeues(A) == 1
