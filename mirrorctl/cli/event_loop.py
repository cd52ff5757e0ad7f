"""Which event loop the long-running commands (``run``, ``dev``) use.

uvloop's loop and TLS transport are written in Cython: on the fan-outs of B3, B7 and B8 they
cut the controller's CPU per patched VMI by 1 to 10% (BENCHMARKS.md). ``kopf run`` likewise
picks uvloop when it is installed. The library itself never chooses a loop: a program embedding a
manager runs it on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

__all__ = ["EventLoopChoice", "UnavailableLoopError", "loop_factory", "run_on"]

EventLoopChoice = Literal["auto", "uvloop", "asyncio"]
_T = TypeVar("_T")


class UnavailableLoopError(Exception):
    """The event loop asked for is not installed."""


def loop_factory(choice: EventLoopChoice) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """A factory of uvloop loops for ``auto`` (if installed) and ``uvloop``; None, asyncio's
    own loop, for ``asyncio``."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise UnavailableLoopError(
                "event_loop is uvloop, but uvloop is not installed (pip install uvloop)"
            ) from None
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run_on(choice: EventLoopChoice, main: Coroutine[Any, Any, _T]) -> _T:
    """`asyncio.run` on the chosen loop."""
    try:
        factory = loop_factory(choice)
    except BaseException:
        main.close()  # never awaited: say so quietly, not with a RuntimeWarning
        raise
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(main)
