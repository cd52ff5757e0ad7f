"""The scripted loopback server of the transport tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from tests.unit.client.scripted_server import Server


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    state = Server()
    handlers: set[asyncio.Task[None]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await state.handle(reader, writer)
        finally:
            handlers.discard(task)

    listener = await asyncio.start_server(handle, "127.0.0.1", 0)
    state.port = listener.sockets[0].getsockname()[1]
    yield state
    listener.close()
    for task in list(handlers):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await listener.wait_closed()
