"""`SingleFlight`: callers queued behind a run take its result; later callers run again."""

from __future__ import annotations

import asyncio

import pytest

from mirrorctl.client.single_flight import SingleFlight


async def test_concurrent_callers_share_one_run_and_later_ones_run_again() -> None:
    flight = SingleFlight()
    release = asyncio.Event()
    runs = 0

    async def action() -> None:
        nonlocal runs
        runs += 1
        await release.wait()

    callers = [asyncio.create_task(flight.run(action)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*callers)
    assert runs == 1
    await flight.run(action)
    assert runs == 2


async def test_a_failed_run_lets_the_next_caller_try() -> None:
    flight = SingleFlight()
    attempts = 0

    async def failing() -> None:
        nonlocal attempts
        attempts += 1
        raise OSError("plugin crashed")

    with pytest.raises(OSError, match="plugin crashed"):
        await flight.run(failing)
    with pytest.raises(OSError, match="plugin crashed"):
        await flight.run(failing)
    assert attempts == 2
