"""`StallingProxy`: a TCP pass-through to the apiserver whose open connections can be frozen."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from typing import Any

__all__ = ["StallingProxy"]

_HOST = "127.0.0.1"
_READ = 64 * 1024


class StallingProxy:
    """Forwards bytes both ways, TLS untouched (the apiserver's certificate names 127.0.0.1).

    `stall()` stops forwarding on every connection open at that moment without closing any,
    as a peer that vanished without a reset (a node gone, a load balancer's dead backend):
    requests sent on them get no answer. Connections opened later pass as before.
    """

    def __init__(self, upstream_port: int) -> None:
        self._upstream_port = upstream_port
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.Event] = set()
        # Handlers are never cancelled (asyncio would log the CancelledError of a stream
        # callback): `close` cancels their pumps, which ends them.
        self._handlers: set[asyncio.Task[Any]] = set()
        self._pumps: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections = 0

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"https://{_HOST}:{self._server.sockets[0].getsockname()[1]}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, _HOST, 0)

    def stall(self) -> None:
        for flowing in self._open:
            flowing.clear()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for writer in list(self._writers):
            writer.transport.abort()
        for pump in list(self._pumps):
            pump.cancel()
        if self._handlers:
            await asyncio.wait(self._handlers)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._writers.add(writer)
        flowing = asyncio.Event()
        flowing.set()
        self._open.add(flowing)
        upstream: asyncio.StreamWriter | None = None
        try:
            up_reader, upstream = await asyncio.open_connection(_HOST, self._upstream_port)
            self._writers.add(upstream)
            pumps = [
                asyncio.create_task(_pump(reader, upstream, flowing)),
                asyncio.create_task(_pump(up_reader, writer, flowing)),
            ]
            self._pumps.update(pumps)
            try:
                await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pump in pumps:
                    pump.cancel()
                await asyncio.gather(*pumps, return_exceptions=True)
                self._pumps.difference_update(pumps)
        except (OSError, ssl.SSLError):
            pass  # the upstream is down or a side reset: the client sees its connection end
        finally:
            self._open.discard(flowing)
            for w in (writer, upstream):
                if w is not None:
                    self._writers.discard(w)
                    w.transport.abort()
            self._handlers.discard(task)


async def _pump(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, flowing: asyncio.Event
) -> None:
    with contextlib.suppress(OSError):
        while data := await reader.read(_READ):
            await flowing.wait()
            writer.write(data)
            await writer.drain()
