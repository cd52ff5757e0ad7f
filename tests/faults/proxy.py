"""`LoopbackProxy`: a TCP proxy on 127.0.0.1 in front of the apiserver, that a test can cut.

In pass-through mode TLS flows through untouched (the apiserver's certificate names
127.0.0.1, so clients see no difference). In recording mode the proxy ends TLS with a
certificate of its own, reads the requests (method, path, time) and opens its own TLS to the
apiserver: that is how a test tells which of two processes with the same identity wrote what.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.faults.requests_log import RequestLog, SeenRequest

__all__ = ["LoopbackProxy", "ProxyTls"]

_HOST = "127.0.0.1"
_READ = 64 * 1024
_CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class ProxyTls:
    """Recording mode: the proxy serves ``cert``/``key`` and trusts ``upstream_ca``."""

    cert: Path
    key: Path
    upstream_ca: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.upstream_ca))


class LoopbackProxy:
    """Start with `start`, always `close`. `drop` closes every connection and refuses new
    ones (the port is not listening) until `restore`. `stall` stops forwarding on every
    connection open at that moment without closing any, as a peer that vanished without a
    reset (a node gone, a load balancer's dead backend): requests sent on them get no answer,
    while connections opened later pass as before."""

    def __init__(self, upstream_port: int, *, tls: ProxyTls | None = None) -> None:
        self._upstream_port = upstream_port
        self._tls = tls
        self._server: asyncio.Server | None = None
        self._port = 0
        # Connection handlers are never cancelled (asyncio's stream callback would log their
        # CancelledError as an error): `drop` cancels their pumps and waits for them to end.
        self._handlers: set[asyncio.Task[Any]] = set()
        self._pumps: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._clients: set[asyncio.StreamWriter] = set()
        self._flowing: set[asyncio.Event] = set()  # one per open connection
        self.requests: list[SeenRequest] = []
        self.connections = 0  # accepted so far
        self.cut = 0  # open connections closed by `drop`
        self.errors: list[ValueError] = []  # requests the recorder could not parse

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        return f"https://{_HOST}:{self._port}"

    async def start(self) -> None:
        await self._listen()

    async def _listen(self) -> None:
        server_ssl = self._tls.server_context() if self._tls else None
        self._server = await asyncio.start_server(
            self._accept, _HOST, self._port, ssl=server_ssl, reuse_address=True
        )
        self._port = int(self._server.sockets[0].getsockname()[1])

    async def drop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self.cut += sum(1 for w in self._clients if not w.is_closing())
        await self._abort_all()

    def stall(self) -> None:
        for flowing in self._flowing:
            flowing.clear()

    async def restore(self) -> None:
        if self._server is None:
            await self._listen()

    async def close(self) -> None:
        await self.drop()

    async def _abort_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        for pump in self._pumps:
            pump.cancel()
        if self._handlers:
            await asyncio.wait(self._handlers)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._clients.add(writer)
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        flowing = asyncio.Event()
        flowing.set()
        self._flowing.add(flowing)
        upstream_writer: asyncio.StreamWriter | None = None
        try:
            upstream_ssl = self._tls.client_context() if self._tls else None
            # Bounded: a frozen apiserver accepts TCP but never finishes a TLS handshake.
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(
                    _HOST,
                    self._upstream_port,
                    ssl=upstream_ssl,
                    server_hostname=_HOST if upstream_ssl else None,
                ),
                _CONNECT_TIMEOUT,
            )
            upstream_writer = up_writer
            self._writers.add(up_writer)
            log = RequestLog(self.requests) if self._tls else None
            # The first direction to end (EOF, reset, cancel) ends the connection.
            pumps = [
                asyncio.create_task(_pump(reader, up_writer, log, flowing)),
                asyncio.create_task(_pump(up_reader, writer, None, flowing)),
            ]
            self._pumps.update(pumps)
            try:
                await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for pump in pumps:
                    pump.cancel()
                ended = await asyncio.gather(*pumps, return_exceptions=True)
                self._pumps.difference_update(pumps)
                self.errors.extend(e for e in ended if isinstance(e, ValueError))
        except (OSError, TimeoutError, ssl.SSLError):
            pass  # the upstream is down or a side reset: the client sees its connection end
        finally:
            self._flowing.discard(flowing)
            self._clients.discard(writer)
            for w in (writer, upstream_writer):
                if w is not None:
                    self._writers.discard(w)
                    w.transport.abort()
            self._handlers.discard(task)


async def _pump(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    log: RequestLog | None,
    flowing: asyncio.Event,
) -> None:
    with contextlib.suppress(OSError, ssl.SSLError):
        while data := await reader.read(_READ):
            if log is not None:
                log.feed(data)
            await flowing.wait()
            writer.write(data)
            await writer.drain()
