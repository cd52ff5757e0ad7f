"""Fixtures of the queue tests: a fake clock that must end idle, and a task-leak check."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from mirrorctl.clock import FakeClock

__all__: list[str] = []


@pytest.fixture(autouse=True)
async def no_leaked_tasks() -> AsyncIterator[None]:
    before = asyncio.all_tasks()
    yield
    # One pass of the loop lets tasks that were already finishing complete.
    await asyncio.sleep(0)
    leaked = asyncio.all_tasks() - before - {asyncio.current_task()}
    assert not leaked, f"tasks left running: {leaked}"


@pytest.fixture
async def clock() -> AsyncIterator[FakeClock]:
    fake = FakeClock(start=1000.0)
    yield fake
    # A queue left with an armed timer was not shut down: that timer would outlive it.
    assert fake.pending_timers == 0, "timers left scheduled"
