"""Timing and lifecycle logic of the elector over an in-memory record store and a fake clock.

Everything that depends on the apiserver (conditional writes, 409s, racing creates) is covered
by tests/integration/leaderelection instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from mirrorctl.clock import FakeClock
from mirrorctl.leaderelection import (
    LeaderElectionConfig,
    LeaderElectionRecord,
    LeaderElector,
    LeaseAccessError,
)
from tests.unit.leaderelection.memory_lock import MemoryLock

ME = "me"
OTHER = "other"
ANCIENT = "2000-01-01T00:00:00.000000Z"


class _NoJitter(random.Random):
    def random(self) -> float:
        return 0.0


class _MaxJitter(random.Random):
    def random(self) -> float:
        return 1.0


class _Metrics:
    def __init__(self) -> None:
        self.status: dict[str, int] = {}

    def leader_on(self, name: str) -> None:
        self.status[name] = 1

    def leader_off(self, name: str) -> None:
        self.status[name] = 0


@dataclass
class _Callbacks:
    log: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    work_error: Exception | None = None
    work_returns: bool = False

    async def lead(self) -> None:
        self.log.append("started")
        if self.work_error is not None:
            raise self.work_error
        if self.work_returns:
            return
        try:
            await asyncio.get_running_loop().create_future()
        finally:
            self.log.append("work finished")

    def stopped(self) -> None:
        self.log.append("stopped")

    def new_leader(self, identity: str) -> None:
        self.leaders.append(identity)


@dataclass
class _Harness:
    clock: FakeClock
    lock: MemoryLock
    metrics: _Metrics
    callbacks: _Callbacks
    elector: LeaderElector
    task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(
            self.elector.run(self.callbacks.lead, self.callbacks.stopped, self.callbacks.new_leader)
        )
        await self.clock.settle()

    async def cancel(self) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.wait({self.task})
        await self.clock.settle()

    async def advance_to(self, moment: float) -> None:
        await self.clock.advance(moment - self.clock.monotonic())


def _config(**overrides: object) -> LeaderElectionConfig:
    values: dict[str, object] = {"name": "lock", "namespace": "ns", "identity": ME}
    values.update(overrides)
    return LeaderElectionConfig(**values)  # type: ignore[arg-type]


def _held_by(holder: str, transitions: int = 0, renew: str = ANCIENT) -> LeaderElectionRecord:
    return LeaderElectionRecord(
        holder_identity=holder,
        lease_duration_seconds=15,
        acquire_time=ANCIENT,
        renew_time=renew,
        lease_transitions=transitions,
    )


def _harness(
    record: LeaderElectionRecord | None = None,
    rng: random.Random | None = None,
    **config: object,
) -> _Harness:
    clock = FakeClock()
    lock = MemoryLock(record)
    metrics = _Metrics()
    elector = LeaderElector.from_lock(
        lock, _config(**config), clock, metrics, rng=rng if rng is not None else _NoJitter()
    )
    return _Harness(clock, lock, metrics, _Callbacks(), elector)


@pytest.fixture
async def h() -> AsyncIterator[_Harness]:
    harness = _harness()
    yield harness
    if harness.task is not None and not harness.task.done():
        await harness.cancel()


async def test_creates_a_missing_lease_and_leads(h: _Harness) -> None:
    assert h.metrics.status == {"lock": 0}
    await h.start()

    assert h.elector.is_leader()
    assert h.elector.leader() == ME
    assert h.callbacks.log == ["started"]
    assert h.callbacks.leaders == [ME]
    assert h.metrics.status == {"lock": 1}
    record = h.lock.record
    assert record is not None
    assert record.holder_identity == ME
    assert record.lease_duration_seconds == 15
    assert record.lease_transitions == 0
    assert record.acquire_time is not None
    assert record.acquire_time == record.renew_time


async def test_renews_every_retry_period_keeping_acquire_time(h: _Harness) -> None:
    await h.start()
    assert len(h.lock.writes) == 1
    acquired = h.lock.writes[0].acquire_time

    await h.advance_to(1.9)
    assert len(h.lock.writes) == 1
    await h.advance_to(2.0)
    assert len(h.lock.writes) == 2
    await h.advance_to(20.0)
    assert len(h.lock.writes) == 11
    assert {w.acquire_time for w in h.lock.writes} == {acquired}
    assert {w.holder_identity for w in h.lock.writes} == {ME}
    assert {w.lease_transitions for w in h.lock.writes} == {0}
    assert h.elector.is_leader()


async def test_takeover_waits_lease_duration_from_local_observation() -> None:
    # The record's own timestamps are ancient; only the local observation time counts.
    h = _harness(_held_by(OTHER, transitions=4))
    await h.start()
    assert not h.elector.is_leader()
    assert h.callbacks.leaders == [OTHER]
    assert h.elector.leader() == OTHER

    await h.advance_to(14.0)
    assert not h.elector.is_leader()
    assert h.lock.writes == []
    await h.advance_to(16.0)
    assert h.elector.is_leader()
    assert h.callbacks.leaders == [OTHER, ME]
    record = h.lock.record
    assert record is not None
    assert record.holder_identity == ME
    assert record.lease_transitions == 5
    assert record.acquire_time != ANCIENT
    await h.cancel()


async def test_a_holder_that_keeps_renewing_is_never_taken_over() -> None:
    h = _harness(_held_by(OTHER))
    await h.start()
    for beat in range(1, 7):
        # The holder renews every 10 s, within its 15 s lease.
        await h.advance_to(beat * 10.0)
        h.lock.record = _held_by(OTHER, renew=f"beat-{beat}")
    assert not h.elector.is_leader()
    assert h.lock.writes == []

    # It stops renewing at 60 s; the change was first seen by the attempt at 62 s.
    await h.advance_to(76.0)
    assert not h.elector.is_leader()
    await h.advance_to(78.0)
    assert h.elector.is_leader()
    await h.cancel()


async def test_a_lease_without_holder_is_taken_at_once() -> None:
    released = LeaderElectionRecord(lease_duration_seconds=1, lease_transitions=7)
    h = _harness(released)
    await h.start()
    assert h.elector.is_leader()
    assert h.lock.record is not None
    assert h.lock.record.lease_transitions == 8
    await h.cancel()


async def test_own_unexpired_record_is_renewed_not_taken_over() -> None:
    # e.g. a restart that kept its identity.
    h = _harness(_held_by(ME, transitions=3))
    await h.start()
    assert h.elector.is_leader()
    record = h.lock.record
    assert record is not None
    assert record.lease_transitions == 3
    assert record.acquire_time == ANCIENT
    await h.cancel()


async def test_acquire_retries_are_jittered_up_to_1_2_periods() -> None:
    h = _harness(_held_by(OTHER), rng=_MaxJitter())
    await h.start()
    assert h.lock.reads == 1
    await h.advance_to(4.3)
    assert h.lock.reads == 1
    await h.advance_to(4.4)
    assert h.lock.reads == 2
    await h.cancel()


async def test_steps_down_after_renewals_fail_for_renew_deadline(h: _Harness) -> None:
    await h.start()
    h.lock.error = ConnectionError("apiserver unreachable")

    await h.advance_to(9.9)
    assert h.elector.is_leader()
    assert h.callbacks.log == ["started"]

    await h.advance_to(10.0)
    assert not h.elector.is_leader()
    assert h.metrics.status == {"lock": 0}
    assert h.callbacks.log == ["started", "work finished", "stopped"]
    assert h.task is not None
    assert h.task.done()
    assert h.task.result() is None


async def test_steps_down_when_a_renewal_hangs_past_the_deadline(h: _Harness) -> None:
    await h.start()
    h.lock.hang = True
    await h.advance_to(9.9)
    assert h.elector.is_leader()
    await h.advance_to(10.0)
    assert not h.elector.is_leader()
    assert h.callbacks.log == ["started", "work finished", "stopped"]
    assert h.task is not None
    assert h.task.done()


async def test_a_hung_renewal_is_cut_off_at_half_the_deadline_and_retried(h: _Harness) -> None:
    await h.start()
    writes = len(h.lock.writes)
    h.lock.hang = True
    await h.advance_to(2.0)  # the renewal due now hangs, as on a dead connection
    h.lock.hang = False  # a retry would go through
    await h.advance_to(6.9)
    assert len(h.lock.writes) == writes
    # Cut off at 2 + 10 / 2, retried a retry period later, well inside the deadline (10 s).
    await h.advance_to(9.0)
    assert len(h.lock.writes) == writes + 1
    await h.advance_to(12.0)
    assert h.elector.is_leader()
    assert h.callbacks.log == ["started"]


async def test_a_failure_shorter_than_the_deadline_is_ridden_out(h: _Harness) -> None:
    await h.start()
    h.lock.error = ConnectionError("blip")
    await h.advance_to(7.0)
    h.lock.error = None
    await h.advance_to(10.5)
    assert h.elector.is_leader()
    # The deadline restarts from the last renewal that succeeded (at 10 s).
    h.lock.error = ConnectionError("again")
    await h.advance_to(19.9)
    assert h.elector.is_leader()
    await h.advance_to(20.0)
    assert not h.elector.is_leader()


async def test_cancel_without_release_leaves_the_lease_to_expire(h: _Harness) -> None:
    await h.start()
    writes = len(h.lock.writes)
    await h.cancel()
    assert h.task is not None
    assert h.task.cancelled()
    assert h.callbacks.log == ["started", "work finished", "stopped"]
    assert len(h.lock.writes) == writes
    assert h.lock.record is not None
    assert h.lock.record.holder_identity == ME
    assert not h.elector.is_leader()
    assert h.metrics.status == {"lock": 0}


async def test_cancel_with_release_stops_work_then_releases_then_reports() -> None:
    h = _harness(LeaderElectionRecord(lease_transitions=2), release_on_cancel=True)
    await h.start()
    h.lock.log = h.callbacks.log
    await h.cancel()
    assert h.callbacks.log == ["started", "work finished", "write holder=''", "stopped"]
    record = h.lock.record
    assert record is not None
    assert record.holder_identity == ""
    assert record.lease_duration_seconds == 1
    assert record.lease_transitions == 3
    assert record.renew_time is not None
    assert h.elector.leader() == ""


async def test_a_failed_release_still_ends_the_term() -> None:
    h = _harness(release_on_cancel=True)
    await h.start()
    h.lock.error = ConnectionError("gone")
    await h.cancel()
    assert h.callbacks.log == ["started", "work finished", "stopped"]
    assert h.lock.record is not None
    assert h.lock.record.holder_identity == ME


async def test_losing_the_lease_does_not_release_it() -> None:
    h = _harness(release_on_cancel=True)
    await h.start()
    h.lock.error = ConnectionError("down")
    await h.advance_to(10.0)
    h.lock.error = None
    assert h.callbacks.log == ["started", "work finished", "stopped"]
    assert h.lock.record is not None
    assert h.lock.record.holder_identity == ME


async def test_failing_work_ends_the_term_and_propagates() -> None:
    h = _harness(release_on_cancel=True)
    h.callbacks.work_error = RuntimeError("boom")
    await h.start()
    assert h.task is not None
    assert h.task.done()
    with pytest.raises(RuntimeError, match="boom"):
        h.task.result()
    assert h.callbacks.log == ["started", "stopped"]
    assert not h.elector.is_leader()
    assert h.lock.record is not None
    assert h.lock.record.holder_identity == ""


async def test_work_that_returns_does_not_end_the_term(h: _Harness) -> None:
    h.callbacks.work_returns = True
    await h.start()
    await h.advance_to(30.0)
    assert h.elector.is_leader()
    assert len(h.lock.writes) == 16
    await h.cancel()
    assert h.callbacks.log == ["started", "stopped"]


async def test_cancel_while_acquiring_never_reports_stopped() -> None:
    h = _harness(_held_by(OTHER))
    await h.start()
    await h.advance_to(5.0)
    await h.cancel()
    assert h.task is not None
    assert h.task.cancelled()
    assert h.callbacks.log == []
    assert h.metrics.status == {"lock": 0}


async def test_cancel_during_a_hung_attempt_leaks_nothing() -> None:
    h = _harness()
    h.lock.hang = True
    await h.start()
    assert h.clock.pending_timers == 1
    await h.cancel()
    assert h.clock.pending_timers == 0


async def test_a_failing_new_leader_callback_does_not_disturb_the_election(
    h: _Harness,
) -> None:
    def explode(identity: str) -> None:
        raise ValueError(identity)

    task = asyncio.create_task(h.elector.run(h.callbacks.lead, h.callbacks.stopped, explode))
    await h.clock.settle()
    assert h.elector.is_leader()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_one_run_at_a_time_and_rerun_after_stopping(h: _Harness) -> None:
    await h.start()
    with pytest.raises(RuntimeError, match="already running"):
        await h.elector.run(h.callbacks.lead, h.callbacks.stopped)
    await h.cancel()

    await h.start()
    assert h.elector.is_leader()
    assert h.callbacks.log == ["started", "work finished", "stopped", "started"]


async def test_a_second_cancel_during_slow_work_shutdown_still_ends_the_term() -> None:
    h = _harness(release_on_cancel=True)
    shutdown_delay = 5.0

    async def slow_to_stop() -> None:
        try:
            await asyncio.get_running_loop().create_future()
        except asyncio.CancelledError:
            await h.clock.sleep(shutdown_delay)
            raise

    task = asyncio.create_task(h.elector.run(slow_to_stop, h.callbacks.stopped))
    await h.clock.settle()
    assert h.elector.is_leader()
    task.cancel()
    await h.clock.settle()
    # The work is still shutting down, so the term goes on (the Lease is still renewed).
    assert h.elector.is_leader()
    writes = len(h.lock.writes)
    await h.clock.advance(2.0)
    assert len(h.lock.writes) == writes + 1
    task.cancel()
    await asyncio.wait({task})
    assert not h.elector.is_leader()
    assert h.callbacks.log == ["stopped"]
    # Impatient: no release was waited for; the renewal is gone, the work finishes on its own.
    await h.clock.advance(shutdown_delay)
    assert len(h.lock.writes) == writes + 1


async def test_a_lease_that_cannot_be_used_fails_run_instead_of_retrying() -> None:
    # Forbidden or in a missing namespace: no retry can succeed, so the error must surface.
    h = _harness()
    h.lock.error = LeaseAccessError("lease ns/lock: get forbidden")
    await h.start()
    assert h.task is not None
    assert h.task.done()
    with pytest.raises(LeaseAccessError, match="forbidden"):
        h.task.result()
    assert h.clock.pending_timers == 0
    assert h.callbacks.log == []
    assert not h.elector.is_leader()


async def test_losing_access_while_leading_steps_down_at_once(h: _Harness) -> None:
    await h.start()
    assert h.elector.is_leader()
    h.lock.error = LeaseAccessError("lease ns/lock: update forbidden")
    # The first renewal (at 2 s) meets the error: no waiting out the renew deadline.
    await h.advance_to(2.0)
    assert h.task is not None
    assert h.task.done()
    with pytest.raises(LeaseAccessError):
        h.task.result()
    assert h.callbacks.log == ["started", "work finished", "stopped"]
    assert not h.elector.is_leader()
