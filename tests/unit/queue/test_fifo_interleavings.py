"""FifoQueue under seeded random interleavings of getters, cancels, adds, dones and shutdown.

Several calls run in one loop step (no `await` between them), then the loop advances a random
number of steps, so getters are cancelled, outrun or woken twice at every point between a
wake-up and their resumption. Whenever the loop is idle, no getter may be waiting while a key
is queued; at the end every add must have been followed by a hand-out of its key.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

import pytest

from mirrorctl.clock import FakeClock
from mirrorctl.queue import FifoQueue, ShutDown

__all__: list[str] = []

KEYS = [f"k{index}" for index in range(6)]
SEEDS = range(40)
STEPS = 250


@dataclass
class Run:
    """The test's own account of the queue, updated only from what the queue hands out."""

    queue: FifoQueue[str]
    getters: list[asyncio.Task[str]] = field(default_factory=list)
    queued: set[str] = field(default_factory=set)
    held: set[str] = field(default_factory=set)
    dirty: set[str] = field(default_factory=set)
    # key -> the number of the last add that queued or re-queued it / of its last hand-out.
    added: dict[str, int] = field(default_factory=dict)
    handed_out: dict[str, int] = field(default_factory=dict)
    shut_down: bool = False
    tick: int = 0

    def add(self, key: str) -> None:
        self.queue.add(key)
        if self.shut_down:
            return
        self.tick += 1
        self.added[key] = self.tick
        if key in self.held:
            self.dirty.add(key)
        else:
            self.queued.add(key)

    def done(self, key: str) -> None:
        self.queue.done(key)
        self.held.remove(key)
        if key in self.dirty:
            self.dirty.remove(key)
            self.queued.add(key)

    def collect(self) -> None:
        """Account for every getter that has finished."""
        pending = []
        refused = False
        for getter in self.getters:
            if not getter.done():
                pending.append(getter)
            elif not getter.cancelled():
                try:
                    key = getter.result()
                except ShutDown:
                    refused = True
                    continue
                assert key in self.queued, f"{key} handed out while not queued"
                self.queued.remove(key)
                self.held.add(key)
                self.tick += 1
                self.handed_out[key] = self.tick
        self.getters = pending
        if refused:
            # Only once the keys other getters took in the same steps are accounted for.
            assert self.shut_down
            assert not self.queued, f"ShutDown raised while {sorted(self.queued)} are queued"

    def check_idle(self) -> None:
        assert len(self.queue) == len(self.queued) + len(self.dirty)
        if self.getters:
            assert not self.queued, f"getters asleep while {sorted(self.queued)} are queued"
        if self.shut_down:
            assert not self.getters, "a getter still waits after shutdown"


async def play(seed: int, run: Run, clock: FakeClock) -> None:
    rng = random.Random(seed)
    shutdown_at = rng.randrange(STEPS // 2, STEPS * 2)  # often after the random part
    for step in range(STEPS):
        # One loop step's worth of calls.
        for _ in range(rng.randint(1, 4)):
            run.collect()
            roll = rng.random()
            if roll < 0.3:
                run.getters.append(asyncio.create_task(run.queue.get()))
            elif roll < 0.6:
                run.add(rng.choice(KEYS))
            elif roll < 0.8 and run.held:
                run.done(rng.choice(sorted(run.held)))
            elif run.getters:
                rng.choice(run.getters).cancel()
        if step == shutdown_at:
            run.queue.shutdown()
            run.shut_down = True
        if rng.random() < 0.3:
            await clock.settle()
            run.collect()
            run.check_idle()
        else:
            for _ in range(rng.randint(0, 2)):
                await asyncio.sleep(0)
    await clock.settle()
    run.collect()
    run.check_idle()
    # Finish every run and take every key still due, one getter per key.
    while run.held or run.queued:
        for key in sorted(run.held):
            run.done(key)
        run.getters.extend(asyncio.create_task(run.queue.get()) for _ in run.queued)
        await clock.settle()
        run.collect()
        run.check_idle()
    for getter in run.getters:
        getter.cancel()
    await clock.settle()
    run.collect()
    run.queue.shutdown()
    for key, added in run.added.items():
        assert run.handed_out.get(key, -1) > added, f"{key} added at {added} was lost"


@pytest.mark.parametrize("seed", SEEDS)
async def test_no_key_is_lost_and_no_getter_sleeps_on_a_queued_key(
    seed: int, clock: FakeClock
) -> None:
    run = Run(FifoQueue(clock=clock))
    try:
        await play(seed, run, clock)
    finally:
        # A failed run must not leave its getters to the next test.
        for getter in run.getters:
            getter.cancel()
        await asyncio.gather(*run.getters, return_exceptions=True)
