"""Requeues keep the priority their key was handed out at, as controller-runtime's do."""

from __future__ import annotations

import asyncio

import pytest

from mirrorctl.queue import LOW_PRIORITY
from mirrorctl.reconcile import Request, Result

from .support import harness

__all__: list[str] = []

# What a first reconcile of the key under test does to ask for another run.
REQUEUES = {
    "error": None,
    "requeue": Result(requeue=True),
    "requeue_after": Result(requeue_after=0.5),
}


class _OnceThenBusy:
    """Asks once for another run of ``retried``; holds the worker on ``busy`` until released."""

    def __init__(self, retried: str, first: Result | None) -> None:
        self.retried = retried
        self.first = first
        self.release = asyncio.Event()
        self.calls: list[str] = []

    async def reconcile(self, request: Request) -> Result:
        self.calls.append(request.name)
        if request.name == self.retried and self.calls.count(self.retried) == 1:
            if self.first is None:
                raise RuntimeError("transient failure")
            return self.first
        if request.name == "busy":
            await self.release.wait()
        return Result()


@pytest.mark.parametrize("outcome", list(REQUEUES))
@pytest.mark.parametrize(
    ("priority", "expected"),
    [
        # An initial-list key's retry stays behind a real change queued after it fell due.
        (LOW_PRIORITY, ["key", "busy", "other", "key"]),
        # An urgent key's retry overtakes a plain key queued before it fell due.
        (10, ["key", "busy", "key", "other"]),
    ],
    ids=["low", "high"],
)
async def test_a_requeued_key_keeps_the_priority_it_was_handed_out_at(
    outcome: str, priority: int, expected: list[str]
) -> None:
    r = _OnceThenBusy("key", REQUEUES[outcome])
    async with harness(r) as h:
        try:
            h.queue.add(Request("key", "ns"), priority=priority)
            await h.settle()
            h.queue.add(Request("busy", "ns"))
            await h.settle()
            if priority > 0:
                h.queue.add(Request("other", "ns"))
            await h.clock.advance(1)  # the retry is due, queued behind the busy worker
            if priority < 0:
                h.queue.add(Request("other", "ns"))
            assert h.queue.depth_by_priority() == {priority: 1, 0: 1}
        finally:
            r.release.set()  # else the harness would wait for "busy" forever
        await h.settle()
        assert r.calls == expected


@pytest.mark.parametrize(
    "first",
    [Result(requeue=True, priority=10), Result(requeue_after=0.5, priority=10)],
    ids=["requeue", "requeue_after"],
)
async def test_a_result_can_set_the_priority_of_its_requeue(first: Result) -> None:
    r = _OnceThenBusy("key", first)
    async with harness(r) as h:
        try:
            h.queue.add(Request("key", "ns"), priority=LOW_PRIORITY)
            await h.settle()
            h.queue.add(Request("busy", "ns"))
            await h.settle()
            h.queue.add(Request("other", "ns"))
            await h.clock.advance(1)
            assert h.queue.depth_by_priority() == {10: 1, 0: 1}
        finally:
            r.release.set()
        await h.settle()
        # Handed out at low priority, asked back at 10: ahead of the plain key queued first.
        assert r.calls == ["key", "busy", "key", "other"]


def test_a_priority_alone_asks_for_nothing() -> None:
    assert Result(priority=10).is_done
