"""Helpers for manager integration tests: polling, HTTP probes, leak checks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from mirrorctl.manager import BindAddress, Manager

__all__ = ["BOUND", "configmap", "eventually", "get", "no_task_leaks", "running"]

# Only keeps a broken build from hanging; never a statement about speed.
BOUND = 30.0


async def eventually(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]], *, what: str = "condition"
) -> None:
    """Poll until ``condition`` holds: the apiserver side has no event to wait on."""
    deadline = time.monotonic() + BOUND
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def configmap(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": dict(labels)}, "data": {"k": "v"}}


async def get(address: BindAddress | None, path: str) -> tuple[int, str]:
    assert address is not None
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        # A listener on every interface is reached on loopback.
        session.get(
            f"http://{address if address.host else f'127.0.0.1:{address.port}'}{path}"
        ) as response,
    ):
        return response.status, await response.text()


@asynccontextmanager
async def no_task_leaks() -> AsyncIterator[None]:
    before = asyncio.all_tasks()
    yield
    # Let callbacks of tasks that just finished run before looking.
    await asyncio.sleep(0)
    leaked = {t for t in asyncio.all_tasks() - before if not t.done()}
    assert leaked == set(), f"leaked tasks: {[t.get_name() for t in leaked]}"


@asynccontextmanager
async def running(manager: Manager) -> AsyncIterator[asyncio.Task[None]]:
    """``manager.start()`` as a task; stopped (and awaited) on exit if still running."""
    task = asyncio.create_task(manager.start(), name="test-manager")
    try:
        yield task
    finally:
        if not task.done():
            manager.stop()
        await asyncio.wait({task}, timeout=BOUND)
        assert task.done(), "manager did not stop"
