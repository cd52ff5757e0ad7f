"""The cyclic garbage collector's thresholds for the long-running commands (``run``, ``dev``).

A controller holds tens of thousands of cached objects and, in a fan-out, allocates a few
hundred containers per reconcile and per watch event. With CPython's default first threshold
(700) a collection starts every few reconciles, and every tenth one also scans the second
generation; a full collection walks the whole cache. On B3's fan-out of 3,000 VMIs the
collector took 0.50 of 6.98 CPU-seconds with the defaults and 0.13 with these thresholds
(about 6% less CPU per patched VMI). Almost nothing the controller allocates is cyclic, so
collecting less often keeps little garbage alive longer. The library never changes the
collector (beyond pausing it around bulk parses): a program embedding a manager tunes its
own process.

Once the caches have synced, `run` also freezes what the process holds (``gc.freeze()``): the
initial list was parsed with the collector paused, so its hundreds of thousands of containers
sit in the youngest generation, and the first collections after start-up (in the first
fan-out) would walk all of them, twice, to promote them. Frozen, they are never walked;
they are still freed by reference counting when the cache replaces them, and none of them is
part of a cycle.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from mirrorctl.manager.manager import Manager
from mirrorctl.manager.runnable import RunnableFunc

__all__ = ["LONG_RUNNING_THRESHOLDS", "freeze_once_synced", "long_running_gc"]

LONG_RUNNING_THRESHOLDS = (20_000, 20, 10)


@contextmanager
def long_running_gc(thresholds: tuple[int, int, int] = LONG_RUNNING_THRESHOLDS) -> Iterator[None]:
    """Run the block with ``thresholds`` and restore the previous ones after it."""
    previous = gc.get_threshold()
    gc.set_threshold(*thresholds)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def freeze_once_synced(manager: Manager) -> None:
    """Freeze the process's objects when ``manager``'s caches have synced (see above)."""

    async def freeze() -> None:
        gc.freeze()

    # Runnables that run everywhere start right after the caches sync, leader or not.
    manager.add(RunnableFunc(freeze, need_leader_election=False))
