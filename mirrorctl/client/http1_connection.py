"""`Http1Connection`: one keep-alive HTTP/1.1 connection, one request at a time."""

from __future__ import annotations

import asyncio
import contextlib
import select
from typing import cast

import aiohttp

from mirrorctl.client.http1_parser import ProtocolError, Reply, ResponseParser

__all__ = ["Http1Connection"]


class Http1Connection(asyncio.Protocol):
    """An `asyncio.Protocol` that sends a request and resolves with its `Reply`.

    Failures use aiohttp's vocabulary, as the rest of the client does: a connection found
    closed before the request went out raises `aiohttp.ClientConnectionResetError` (nothing
    reached the server); one lost before the whole response came back raises
    `aiohttp.ServerDisconnectedError`; bytes that are not an HTTP response raise
    `aiohttp.ClientPayloadError`.
    """

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._parser: ResponseParser | None = None
        self._waiter: asyncio.Future[Reply] | None = None
        self._loop: asyncio.AbstractEventLoop  # set by connection_made
        self._poller: select.poll | None = None
        self._closed = False

    # -- asyncio.Protocol ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport, though not always an `asyncio.Transport` subclass (uvloop's
        # are their own classes with the same methods).
        self._transport = cast(asyncio.Transport, transport)
        # Kept: asyncio.get_running_loop() makes a getpid() system call each time (3.11).
        self._loop = asyncio.get_running_loop()

    def data_received(self, data: bytes) -> None:
        parser = self._parser
        if parser is None:
            # The server spoke while no request was in flight: the connection is unusable.
            self.close()
            return
        try:
            reply = parser.feed(data)
        except ProtocolError as error:
            self._fail(aiohttp.ClientPayloadError(str(error)))
            self.close()
            return
        if reply is not None:
            self._resolve(reply)

    def eof_received(self) -> bool:
        return False  # close the transport; connection_lost settles any pending request

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        parser = self._parser
        if parser is None or self._waiter is None or self._waiter.done():
            return
        if parser.started:
            reply = None
            # A body that runs until the end is only whole at an orderly end, not a reset.
            if exc is None:
                with contextlib.suppress(ProtocolError):
                    reply = parser.finish()
            if reply is not None:
                self._resolve(reply)
            else:
                self._fail(aiohttp.ServerDisconnectedError("connection lost mid-response"))
        else:
            self._fail(aiohttp.ServerDisconnectedError("connection lost before a response"))

    # -- use ----------------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """Open and idle, as far as the event loop has seen."""
        transport = self._transport
        return (
            not self._closed
            and self._parser is None
            and transport is not None
            and not transport.is_closing()
        )

    def reusable(self) -> bool:
        """`usable`, and the server has sent nothing since the last reply.

        An idle connection the server closed is only seen closed once the event loop reads
        its end; a request sent on it before that (the loop was busy, or blocked) fails with
        nothing to show whether the server acted on it. Polling the socket first costs one
        system call.
        """
        if not self.usable:
            return False
        assert self._transport is not None
        poller = self._poller
        if poller is None:
            sock = self._transport.get_extra_info("socket")
            if sock is None:
                return True
            poller = self._poller = select.poll()
            poller.register(sock.fileno(), select.POLLIN)
        if poller.poll(0):
            self.close()  # bytes or an end while idle: either way, not a connection to use
            return False
        return True

    async def exchange(self, request: bytes) -> Reply:
        """Send ``request`` (head and body) and wait for the whole response, or until `expire`
        (then `TimeoutError`). Cancelling or expiring closes the connection: a half-read
        response cannot be resumed."""
        transport = self._transport
        if transport is None or self._closed or transport.is_closing():
            raise aiohttp.ClientConnectionResetError("connection closed before the request")
        if self._parser is not None:
            raise RuntimeError("a request is already in flight on this connection")
        waiter: asyncio.Future[Reply] = self._loop.create_future()
        self._waiter = waiter
        self._parser = ResponseParser()
        transport.write(request)
        try:
            reply = await waiter
        except BaseException:
            self.close()
            raise
        finally:
            self._waiter = None
        self._parser = None
        if not reply.keep_alive:
            self.close()
        return reply

    def close(self) -> None:
        self._closed = True
        if self._transport is not None:
            self._transport.close()

    def _resolve(self, reply: Reply) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(reply)

    def expire(self) -> None:
        """Fail the request in flight, if any, with `TimeoutError` (its deadline passed)."""
        self._fail(TimeoutError("no complete response before the deadline"))

    def _fail(self, error: BaseException) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
