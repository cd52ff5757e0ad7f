"""`Http1Pool`: the keep-alive connections a client's plain requests go over.

About a third of the client CPU aiohttp spends on a request goes to its own request and
response machinery (B5 in BENCHMARKS.md: 107 against 167 us per PATCH); the requests a
controller sends most (patches, gets, list pages) need none of it: a head, a body, and a whole
reply back.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from urllib.parse import urlsplit

import aiohttp

from mirrorctl.client.deadlines import Deadlines
from mirrorctl.client.http1_connection import Http1Connection
from mirrorctl.client.http1_parser import Reply

__all__ = ["IDLE_SECONDS", "Http1Pool"]

# Idle connections older than this are closed rather than reused (aiohttp's keep-alive
# timeout): well inside the server's own idle timeout, so the two never race.
IDLE_SECONDS = 15.0


def _checked(name: str, value: str) -> str:
    # A CR or LF would end the header and let the value write headers (or a request) of
    # its own.
    if "\r" in value or "\n" in value:
        raise ValueError(f"the {name} header must not contain a line break")
    return value


class Http1Pool:
    """At most ``limit`` connections to one server; idle ones are reused newest first.

    `request` sends one request and returns its whole `Reply`. Errors are aiohttp's
    (`aiohttp.ClientOSError` when connecting fails, see `Http1Connection` for the rest) and
    `TimeoutError`; a connection that failed or timed out is closed, never reused.
    """

    def __init__(
        self,
        base_url: str,
        *,
        ssl_context: ssl.SSLContext | None,
        server_hostname: str | None,
        limit: int,
        connect_timeout: float | None,
        default_headers: Mapping[str, str],
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._idle_seconds = idle_seconds
        parts = urlsplit(base_url)
        if parts.hostname is None:
            raise ValueError(f"no host in {base_url!r}")
        https = parts.scheme == "https"
        if https and ssl_context is None:
            ssl_context = ssl.create_default_context()
        self._host = parts.hostname
        self._port = parts.port or (443 if https else 80)
        self._ssl = ssl_context if https else None
        self._server_hostname = (server_hostname or self._host) if https else None
        self._prefix = parts.path.rstrip("/")
        self._connect_timeout = connect_timeout
        authority = parts.netloc.rpartition("@")[2]
        fixed = {"Host": authority, **default_headers}
        self._fixed = "".join(f"{k}: {_checked(k, v)}\r\n" for k, v in fixed.items())
        self._slots = asyncio.Semaphore(limit)
        self._idle: list[tuple[Http1Connection, float]] = []
        self._open: set[Http1Connection] = set()
        # Connections that take no further request: closed as soon as their exchange ends.
        self._retired: set[Http1Connection] = set()
        # Exchanges in flight, until their request's deadline.
        self._deadlines: Deadlines[Http1Connection] = Deadlines(Http1Connection.expire)
        self._closed = False
        # The loop of the first request; one pool serves one loop (as an aiohttp session does).
        self._loop: asyncio.AbstractEventLoop | None = None

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        # asyncio.get_running_loop() makes a getpid() system call each time (3.11).
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        return loop

    async def request(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | None,
        *,
        timeout: float | None,
    ) -> Reply:
        """The whole reply to ``method target`` (a path with its query); ``timeout`` bounds
        waiting for a connection, connecting, sending and receiving together."""
        lines = [f"{method} {self._prefix}{target} HTTP/1.1\r\n", self._fixed]
        lines.extend(f"{k}: {_checked(k, v)}\r\n" for k, v in headers.items())
        if body is not None:
            lines.append(f"Content-Length: {len(body)}\r\n")
        lines.append("\r\n")
        try:
            head = "".join(lines).encode("ascii")
        except UnicodeEncodeError as error:
            raise ValueError("request target and headers must be ASCII") from error
        request = head + body if body else head
        # One deadline for the whole request. Only waiting for a slot or a new connection
        # needs `asyncio.timeout` (which costs three getpid() calls and a task-cancelling
        # timer); the exchange itself is watched by the pool's one timer (`Deadlines`).
        deadline = None if timeout is None else self._running_loop().time() + timeout
        slots = self._slots
        if slots.locked():
            async with asyncio.timeout_at(deadline):
                await slots.acquire()
        else:
            await slots.acquire()  # returns at once: a free slot is taken without a suspension
        try:
            connection = self._idle_connection()
            if connection is None:
                async with asyncio.timeout_at(deadline):
                    connection = await self._connect()
            if deadline is not None:
                self._deadlines.add(connection, deadline)
            try:
                return await connection.exchange(request)
            finally:
                self._deadlines.discard(connection)
                self._release(connection)
        finally:
            slots.release()

    async def close(self) -> None:
        self._closed = True
        self._deadlines.close()
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()
        self._retired.clear()

    def retire_connections(self) -> None:
        """Let no connection opened so far take another request: the idle ones are closed now,
        the busy ones once their exchange ends (as after a client certificate rotated)."""
        for connection, _ in self._idle:
            connection.close()
            self._open.discard(connection)
        self._idle.clear()
        self._retired.update(self._open)

    def _idle_connection(self) -> Http1Connection | None:
        """The newest idle connection still fit for a request, if any."""
        if self._closed:
            raise aiohttp.ClientConnectionError("the client is closed")
        loop = self._running_loop()
        while self._idle:
            connection, since = self._idle.pop()
            if loop.time() - since < self._idle_seconds and connection.reusable():
                return connection
            connection.close()
            self._open.discard(connection)
        return None

    async def _connect(self) -> Http1Connection:
        loop = self._running_loop()
        try:
            async with asyncio.timeout(self._connect_timeout):
                _, connection = await loop.create_connection(
                    Http1Connection,
                    self._host,
                    self._port,
                    ssl=self._ssl,
                    server_hostname=self._server_hostname,
                )
        except TimeoutError:
            raise
        except OSError as error:
            raise aiohttp.ClientOSError(
                error.errno, f"cannot connect to {self._host}:{self._port}: {error}"
            ) from error
        if self._closed:
            connection.close()
            raise aiohttp.ClientConnectionError("the client is closed")
        self._open.add(connection)
        return connection

    def _release(self, connection: Http1Connection) -> None:
        now = self._running_loop().time()
        idle = self._idle
        while idle and now - idle[0][1] >= self._idle_seconds:
            stale, _ = idle.pop(0)  # the oldest, under the ones reused newest first
            stale.close()
            self._open.discard(stale)
        if connection.usable and not self._closed and connection not in self._retired:
            idle.append((connection, now))
        else:
            connection.close()
            self._open.discard(connection)
            self._retired.discard(connection)
