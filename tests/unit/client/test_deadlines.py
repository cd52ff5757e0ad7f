"""`Deadlines`: one timer for many waits, never late, never firing for a discarded key."""

from __future__ import annotations

import asyncio

from mirrorctl.client.deadlines import Deadlines


def _watching() -> tuple[list[str], Deadlines[str], float]:
    """What expired, in order; the deadlines; the loop's time now."""
    seen: list[str] = []
    return seen, Deadlines(seen.append), asyncio.get_running_loop().time()


async def _expiries(deadlines: Deadlines[str], seen: list[str], count: int) -> None:
    for _ in range(500):
        if len(seen) >= count:
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"only {seen} expired")


async def test_an_earlier_deadline_added_later_expires_first() -> None:
    seen, deadlines, now = _watching()
    deadlines.add("late", now + 0.08)
    deadlines.add("early", now + 0.02)
    await _expiries(deadlines, seen, 2)
    assert seen == ["early", "late"]
    assert len(deadlines) == 0


async def test_a_discarded_key_never_expires_and_the_next_one_still_does() -> None:
    # The timer armed for the discarded key fires, finds nothing due and is armed again.
    seen, deadlines, now = _watching()
    deadlines.add("done", now + 0.01)
    deadlines.add("slow", now + 0.05)
    deadlines.discard("done")
    await _expiries(deadlines, seen, 1)
    await asyncio.sleep(0.03)
    assert seen == ["slow"]


async def test_keys_due_together_all_expire_and_close_stops_everything() -> None:
    seen, deadlines, now = _watching()
    for key in ("a", "b", "c"):
        deadlines.add(key, now + 0.01)
    await _expiries(deadlines, seen, 3)
    assert sorted(seen) == ["a", "b", "c"]
    deadlines.add("never", asyncio.get_running_loop().time() + 0.01)
    deadlines.close()
    await asyncio.sleep(0.03)
    assert sorted(seen) == ["a", "b", "c"]
    assert len(deadlines) == 0


async def test_a_deadline_already_past_expires_on_the_next_loop_turns() -> None:
    seen, deadlines, now = _watching()
    deadlines.add("past", now - 1)
    await _expiries(deadlines, seen, 1)
    assert seen == ["past"]
