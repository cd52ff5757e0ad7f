"""A stop that arrives just as this replica wins the Lease never starts leader work to cancel.

The manager takes the set of runnables to drain when its shutdown begins. Leadership won in
the same turn of the event loop starts the leader-only runnables one step later: they must
then not start at all, rather than start after the drain was decided and be cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import SimpleNamespace
from typing import cast

import pytest

from mirrorctl.client import Client, ClientConfig
from mirrorctl.clock import FakeClock
from mirrorctl.leaderelection import LeaderElectionConfig, LeaderElectionRecord, LeaderElector
from mirrorctl.manager import Manager, ManagerOptions
from tests.unit.leaderelection.memory_lock import MemoryLock


def _after_turns(turns: int, fn: Callable[[], None]) -> None:
    if turns == 0:
        fn()
    else:
        asyncio.get_running_loop().call_soon(_after_turns, turns - 1, fn)


class _StopAfterCreate(MemoryLock):
    """Creates the Lease (winning it), then asks the manager to stop some turns later."""

    def __init__(self, manager: Manager, turns: int) -> None:
        super().__init__()
        self._manager = manager
        self._turns = turns

    async def create(self, record: LeaderElectionRecord) -> None:
        await super().create(record)
        _after_turns(self._turns, self._manager.stop)


class _Draining:
    """A leader-only runnable that finishes its work when asked to stop."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self._stop = asyncio.Event()

    async def start(self) -> None:
        self.log.append("started")
        try:
            await self._stop.wait()
        except asyncio.CancelledError:
            self.log.append("cancelled")
            raise
        self.log.append("drained")

    def stop(self) -> None:
        self._stop.set()


# Every turn from the Lease's creation until well after leadership began, so that one of them
# is the turn in which the shutdown and the start of leadership cross.
@pytest.mark.parametrize("turns", range(10))
async def test_leader_work_is_drained_or_never_started(turns: int) -> None:
    clock = FakeClock()
    election = LeaderElectionConfig(name="lease", namespace="ns", identity="me")
    # No informers, no endpoints, the Lease in memory: nothing talks to an apiserver.
    client = cast(Client, SimpleNamespace(config=ClientConfig(host="https://127.0.0.1:1")))
    manager = Manager(client, ManagerOptions(leader_election=election), clock=clock)
    manager.elector = LeaderElector.from_lock(_StopAfterCreate(manager, turns), election, clock)
    work = _Draining()
    manager.add(work)
    await asyncio.wait_for(manager.start(), 5)
    assert work.log in ([], ["started", "drained"])
