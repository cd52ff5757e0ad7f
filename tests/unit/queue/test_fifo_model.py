"""FifoQueue against a plain model of its ordering rules, over a long seeded random run."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from mirrorctl.clock import FakeClock
from mirrorctl.queue import LOW_PRIORITY, FifoQueue

__all__: list[str] = []

KEYS = [f"k{index}" for index in range(8)]
PRIORITIES = [LOW_PRIORITY, -1, 0, 1, 5]


@dataclass
class Model:
    """The rules written as directly as possible: a queued key is (priority, position)."""

    queued: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Keys a worker holds -> the priority they were handed out at.
    processing: dict[str, int] = field(default_factory=dict)
    dirty: dict[str, int] = field(default_factory=dict)
    position: int = 0

    def _queue(self, key: str, priority: int) -> None:
        self.position += 1
        self.queued[key] = (priority, self.position)

    def add(self, key: str, priority: int) -> None:
        if key in self.queued:
            # Only a raise moves it, to the end of its new priority.
            if priority > self.queued[key][0]:
                self._queue(key, priority)
        elif key in self.processing:
            self.dirty[key] = max(priority, self.dirty.get(key, priority))
        else:
            self._queue(key, priority)

    def get(self) -> str:
        key = min(self.queued, key=lambda k: (-self.queued[k][0], self.queued[k][1]))
        self.processing[key] = self.queued.pop(key)[0]
        return key

    def done(self, key: str) -> None:
        del self.processing[key]
        if key in self.dirty:
            self._queue(key, self.dirty.pop(key))

    def depth(self) -> Counter[int]:
        depth = Counter(priority for priority, _ in self.queued.values())
        depth.update(self.dirty.values())
        return depth


async def test_the_queue_follows_the_model(clock: FakeClock) -> None:
    rng = random.Random(20240601)
    queue: FifoQueue[str] = FifoQueue(clock=clock)
    model = Model()
    for _ in range(5000):
        roll = rng.random()
        if roll < 0.5:
            key, priority = rng.choice(KEYS), rng.choice(PRIORITIES)
            queue.add(key, priority=priority)
            model.add(key, priority)
        elif roll < 0.8 and model.queued:
            key = model.get()
            assert await queue.get_with_priority() == (key, model.processing[key])
        elif model.processing:
            key = rng.choice(sorted(model.processing))
            queue.done(key)
            model.done(key)
        assert len(queue) == len(model.queued) + len(model.dirty)
        assert +Counter(queue.depth_by_priority()) == model.depth()
    queue.shutdown()
