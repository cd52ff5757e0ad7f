"""The elector when its clock jumps: timers fire late, all at once, as after a process stop.

Expiry and the renew deadline are judged on the local monotonic clock only, so a jump must
make the elector more careful, never less: a leader that slept past its deadline may already
have been replaced and must not write; a candidate must not take over a Lease whose holder
kept renewing while it slept.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from mirrorctl.leaderelection import LeaderElectionConfig, LeaderElectionRecord, LeaderElector
from tests.unit.leaderelection.jumping_clock import JumpingClock
from tests.unit.leaderelection.memory_lock import MemoryLock

ME = "me"
OTHER = "other"


class _NoJitter(random.Random):
    def random(self) -> float:
        return 0.0


@dataclass
class _Run:
    clock: JumpingClock
    lock: MemoryLock
    elector: LeaderElector
    log: list[str] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async def lead() -> None:
            self.log.append("started")
            await asyncio.get_running_loop().create_future()

        self.task = asyncio.create_task(self.elector.run(lead, lambda: self.log.append("stopped")))
        await self.clock.settle()


def _held_by_other(renew: str) -> LeaderElectionRecord:
    return LeaderElectionRecord(holder_identity=OTHER, lease_duration_seconds=15, renew_time=renew)


Make = Callable[..., _Run]


@pytest.fixture
async def make() -> AsyncIterator[Make]:
    runs: list[_Run] = []

    def made(record: LeaderElectionRecord | None = None) -> _Run:
        clock = JumpingClock()
        lock = MemoryLock(record)
        config = LeaderElectionConfig(name="lock", namespace="ns", identity=ME)
        elector = LeaderElector.from_lock(lock, config, clock, rng=_NoJitter())
        run = _Run(clock, lock, elector)
        runs.append(run)
        return run

    yield made
    for run in runs:
        if run.task is not None and not run.task.done():
            run.task.cancel()
            await asyncio.wait({run.task})


async def test_a_leader_asleep_past_its_renew_deadline_steps_down_without_writing(
    make: Make,
) -> None:
    run = make()
    await run.start()
    assert run.elector.is_leader()
    await run.clock.advance(1.0)
    # Asleep from 1 s to 13 s: the renewal due at 2 s fires at 13 s, past the 10 s deadline.
    await run.clock.jump(12.0)
    assert not run.elector.is_leader()
    assert len(run.lock.writes) == 1  # not even a try: another may already lead
    assert run.log == ["started", "stopped"]
    assert run.task is not None
    assert run.task.done()
    assert run.task.result() is None


async def test_a_leader_asleep_within_its_renew_deadline_renews_on_waking(
    make: Make,
) -> None:
    run = make()
    await run.start()
    await run.clock.advance(1.0)
    await run.clock.jump(7.0)
    assert run.elector.is_leader()
    assert len(run.lock.writes) == 2
    # The deadline now counts from the renewal made on waking (8 s).
    run.lock.error = ConnectionError("down")
    await run.clock.advance(9.9)
    assert run.elector.is_leader()
    await run.clock.advance(0.1)
    assert not run.elector.is_leader()


async def test_a_candidate_asleep_does_not_take_over_a_holder_that_kept_renewing(
    make: Make,
) -> None:
    run = make(_held_by_other("renew-0"))
    await run.start()
    assert not run.elector.is_leader()
    # The holder renewed while this candidate slept through more than a lease duration.
    run.lock.record = _held_by_other("renew-1")
    await run.clock.jump(20.0)
    assert not run.elector.is_leader()
    assert run.lock.writes == []
    # Expiry counts from the change seen on waking, not from the first sighting.
    await run.clock.advance(14.0)
    assert not run.elector.is_leader()
    await run.clock.advance(2.0)
    assert run.elector.is_leader()


async def test_a_candidate_asleep_takes_over_a_record_that_did_not_change(
    make: Make,
) -> None:
    run = make(_held_by_other("renew-0"))
    await run.start()
    await run.clock.jump(20.0)
    # Unchanged for 20 s of local time: the holder is gone, whatever its own clock said.
    assert run.elector.is_leader()
    record = run.lock.record
    assert record is not None
    assert record.holder_identity == ME
    assert record.lease_transitions == 1
