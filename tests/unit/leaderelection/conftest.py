from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest


@pytest.fixture(autouse=True)
async def _no_leaked_tasks() -> AsyncIterator[None]:
    before = asyncio.all_tasks()
    yield
    # Let cancelled tasks finish unwinding; anything still alive then is a leak.
    for _ in range(10):
        await asyncio.sleep(0)
    current = asyncio.current_task()
    leaked = {t for t in asyncio.all_tasks() - before if not t.done() and t is not current}
    assert not leaked, f"leaked tasks: {leaked}"
