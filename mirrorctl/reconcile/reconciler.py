"""The reconciler interface and an adapter for plain coroutine functions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from mirrorctl.reconcile.request import Request
from mirrorctl.reconcile.result import Result

__all__ = ["Reconciler", "ReconcilerFunc"]


@runtime_checkable
class Reconciler(Protocol):
    """Drives the object named by a request towards its desired state.

    It must be idempotent and level-based: it is called with a key, reads the current state
    from the cache and must not assume which event caused the call. Raising an exception
    retries the key with back-off; raising ``TerminalError`` gives up on it.
    """

    async def reconcile(self, request: Request) -> Result: ...


@dataclass(frozen=True, slots=True)
class ReconcilerFunc:
    """Makes a coroutine function ``async def f(request) -> Result`` a ``Reconciler``."""

    fn: Callable[[Request], Awaitable[Result]]

    async def reconcile(self, request: Request) -> Result:
        return await self.fn(request)
