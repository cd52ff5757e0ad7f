"""`Http1Pool` against a scripted HTTP/1.1 server on loopback (framing and connection reuse
are HTTP's, not the apiserver's: the client's behaviour against the apiserver is covered by
the integration tests, which all go through this pool)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import aiohttp
import pytest

from mirrorctl.client.http1_connection import Http1Connection
from mirrorctl.client.http1_pool import Http1Pool
from tests.unit.client.scripted_server import Responder, Seen, Server, ok


def _pool(server: Server, limit: int = 4, prefix: str = "", idle_seconds: float = 60) -> Http1Pool:
    return Http1Pool(
        f"http://127.0.0.1:{server.port}{prefix}",
        ssl_context=None,
        server_hostname=None,
        limit=limit,
        connect_timeout=5,
        default_headers={"User-Agent": "test", "Accept": "application/json"},
        idle_seconds=idle_seconds,
    )


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("condition never became true")


async def test_requests_reuse_one_keep_alive_connection(server: Server) -> None:
    pool = _pool(server, prefix="/base/")
    try:
        for i in range(3):
            reply = await pool.request(
                "PATCH", f"/api/v1/x?i={i}", {"Content-Type": "a/b"}, b"body%d" % i, timeout=5
            )
            assert (reply.status, reply.body) == (200, b"echo:body%d" % i)
    finally:
        await pool.close()
    assert server.connections == 1
    first = server.requests[0]
    assert (first.method, first.target, first.body) == ("PATCH", "/base/api/v1/x?i=0", b"body0")
    assert first.headers["Host"] == f"127.0.0.1:{server.port}"
    assert first.headers["User-Agent"] == "test"
    assert first.headers["Content-Type"] == "a/b"
    assert first.headers["Content-Length"] == "5"


async def test_a_get_carries_no_content_length(server: Server) -> None:
    pool = _pool(server)
    try:
        await pool.request("GET", "/x", {}, None, timeout=5)
    finally:
        await pool.close()
    assert "Content-Length" not in server.requests[0].headers


def _held_until(release: asyncio.Event) -> Responder:
    """A response that waits for ``release`` before answering."""

    async def held(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        await release.wait()
        return await ok(seen, writer)

    return held


async def test_concurrent_requests_never_open_more_than_the_limit(server: Server) -> None:
    release = asyncio.Event()
    server.respond = _held_until(release)
    pool = _pool(server, limit=2)
    try:
        requests = [
            asyncio.create_task(pool.request("GET", f"/{i}", {}, None, timeout=5)) for i in range(6)
        ]
        await _until(lambda: len(server.requests) == 2)
        release.set()
        replies = await asyncio.gather(*requests)
    finally:
        await pool.close()
    assert all(r.status == 200 for r in replies)
    assert server.most_open == 2
    assert server.connections == 2


async def test_retired_connections_take_no_further_request(server: Server) -> None:
    release = asyncio.Event()
    held = _held_until(release)

    async def hold_busy(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        return await (held if seen.target == "/busy" else ok)(seen, writer)

    server.respond = hold_busy
    pool = _pool(server, limit=2)
    try:
        busy = asyncio.create_task(pool.request("GET", "/busy", {}, None, timeout=5))
        await _until(lambda: len(server.requests) == 1)
        await pool.request("GET", "/idle", {}, None, timeout=5)  # a second connection, idle
        assert server.connections == 2
        pool.retire_connections()
        # The idle one is closed at once; the busy one finishes its exchange first.
        await _until(lambda: server.closed_by_client == 1)
        release.set()
        assert (await busy).status == 200
        await _until(lambda: server.closed_by_client == 2)
        for _ in range(2):
            assert (await pool.request("GET", "/after", {}, None, timeout=5)).status == 200
    finally:
        await pool.close()
    assert server.connections == 3  # one new connection, then reused


async def test_connection_close_from_the_server_means_a_new_connection(server: Server) -> None:
    async def closing(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        return False

    server.respond = closing
    pool = _pool(server)
    try:
        for _ in range(2):
            assert (await pool.request("GET", "/", {}, None, timeout=5)).status == 200
    finally:
        await pool.close()
    assert server.connections == 2


async def test_an_idle_connection_the_server_closed_is_not_reused(server: Server) -> None:
    async def once(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        await ok(seen, writer)
        return False  # hang up without saying so

    server.respond = once
    pool = _pool(server)
    try:
        await pool.request("GET", "/", {}, None, timeout=5)
        await _until(lambda: server.open_now == 0)
        for _ in range(10):
            await asyncio.sleep(0)  # let the client see the end of the connection
        assert (await pool.request("GET", "/", {}, None, timeout=5)).status == 200
    finally:
        await pool.close()
    assert server.connections == 2


async def test_a_close_the_loop_has_not_seen_yet_is_found_before_reuse(server: Server) -> None:
    pool = _pool(server)
    try:
        await pool.request("GET", "/", {}, None, timeout=5)
        # The server hangs up, and the next request starts before the event loop has run
        # (so before the client could have read the end of the connection): a POST sent on
        # that connection would be lost, and could not safely be repeated.
        server.writers[0].transport.get_extra_info("socket").shutdown(socket.SHUT_RDWR)
        reply = await pool.request("POST", "/", {}, b"create", timeout=5)
        assert reply.body == b"echo:create"
    finally:
        await pool.close()
    assert server.connections == 2


async def test_a_connection_idle_too_long_is_not_reused(server: Server) -> None:
    pool = _pool(server, idle_seconds=0)
    try:
        for _ in range(2):
            await pool.request("GET", "/", {}, None, timeout=5)
        await _until(lambda: server.closed_by_client == 1)
    finally:
        await pool.close()
    assert server.connections == 2


@pytest.mark.parametrize(
    ("answer", "hang_up", "error", "message"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", True, "disconnect", "mid-response"),
        (b"", True, "disconnect", "before a response"),
        (b"SSH-2.0-OpenSSH_9.0\r\n\r\n", False, "payload", "status line"),
    ],
)
async def test_what_is_not_a_whole_reply_fails_and_its_connection_is_dropped(
    server: Server, answer: bytes, hang_up: bool, error: str, message: str
) -> None:
    async def first_bad(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if len(server.requests) > 1:
            return await ok(seen, writer)
        writer.write(answer)
        return not hang_up

    server.respond = first_bad
    expected = {
        "disconnect": aiohttp.ServerDisconnectedError,
        "payload": aiohttp.ClientPayloadError,
    }[error]
    pool = _pool(server)
    try:
        with pytest.raises(expected, match=message):
            await pool.request("GET", "/", {}, None, timeout=5)
        assert (await pool.request("GET", "/", {}, None, timeout=5)).status == 200
    finally:
        await pool.close()
    assert server.connections == 2


@pytest.mark.parametrize("abandoned_by", ["timeout", "cancel"])
async def test_an_abandoned_request_closes_its_connection_and_frees_its_slot(
    server: Server, abandoned_by: str
) -> None:
    answer = asyncio.Event()

    async def stall(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if len(server.requests) == 1:
            await answer.wait()
        return await ok(seen, writer)

    server.respond = stall
    pool = _pool(server, limit=1)
    try:
        if abandoned_by == "timeout":
            with pytest.raises(TimeoutError):
                await pool.request("GET", "/", {}, None, timeout=0.05)
        else:
            request = asyncio.create_task(pool.request("GET", "/", {}, None, timeout=5))
            await _until(lambda: len(server.requests) == 1)
            request.cancel()
            with pytest.raises(asyncio.CancelledError):
                await request
        answer.set()
        reply = await pool.request("GET", "/", {}, b"next", timeout=5)
        assert reply.body == b"echo:next"
    finally:
        await pool.close()
    assert server.connections == 2


@pytest.mark.parametrize("limit", [1, 2])
async def test_a_short_timeout_expires_and_the_longer_request_in_flight_is_kept(
    server: Server, limit: int
) -> None:
    # With one connection the timeout covers waiting for the slot. With two, one timer
    # watches every exchange: the shorter deadline, set after the longer one, re-arms it.
    # Either way the longer request still gets its answer.
    answer = asyncio.Event()
    server.respond = _held_until(answer)
    pool = _pool(server, limit=limit)
    try:
        first = asyncio.create_task(pool.request("GET", "/", {}, b"first", timeout=5))
        await _until(lambda: len(server.requests) == 1)
        with pytest.raises(TimeoutError):
            await pool.request("GET", "/", {}, b"second", timeout=0.05)
        answer.set()
        assert (await first).body == b"echo:first"  # the slot's holder was left alone
        assert (await pool.request("GET", "/", {}, b"third", timeout=5)).body == b"echo:third"
    finally:
        await pool.close()
    if limit == 1:
        assert [r.body for r in server.requests] == [b"first", b"third"]
        assert server.connections == 1
    else:
        assert [r.body for r in server.requests] == [b"first", b"second", b"third"]


@pytest.mark.parametrize(
    ("headers", "target", "message"),
    [
        ({"Authorization": "Bearer x\r\nX-Evil: 1"}, "/", "line break"),
        ({}, "/caf\u00e9", "ASCII"),
    ],
)
async def test_line_breaks_and_non_ascii_never_reach_the_wire(
    server: Server, headers: dict[str, str], target: str, message: str
) -> None:
    pool = _pool(server)
    try:
        with pytest.raises(ValueError, match=message):
            await pool.request("GET", target, headers, None, timeout=5)
    finally:
        await pool.close()
    assert server.requests == []


async def test_a_refused_connection_is_a_client_os_error() -> None:
    dead = Http1Pool(
        "http://127.0.0.1:1",
        ssl_context=None,
        server_hostname=None,
        limit=1,
        connect_timeout=5,
        default_headers={},
    )
    try:
        with pytest.raises(aiohttp.ClientOSError, match=r"cannot connect to 127\.0\.0\.1:1\b"):
            await dead.request("GET", "/", {}, None, timeout=5)
    finally:
        await dead.close()


async def test_close_ends_idle_connections_and_refuses_new_requests(server: Server) -> None:
    pool = _pool(server)
    await pool.request("GET", "/", {}, None, timeout=5)
    await pool.close()
    await _until(lambda: server.closed_by_client == 1)
    with pytest.raises(aiohttp.ClientConnectionError, match="closed"):
        await pool.request("GET", "/", {}, None, timeout=5)


class _Transport(asyncio.Transport):
    """Just enough of a transport for `Http1Connection` to send on."""

    def __init__(self) -> None:
        super().__init__()
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        pass

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: object = None) -> object:
        return default


@pytest.mark.parametrize("reset", [False, True])
async def test_a_body_until_close_cut_by_a_reset_is_no_reply(reset: bool) -> None:
    # A body without length ends with the connection: an orderly end completes it, a reset
    # (or any error) cuts it short, as Go's transport reports it.
    connection = Http1Connection()
    connection.connection_made(_Transport())
    exchange = asyncio.ensure_future(connection.exchange(b"GET / HTTP/1.1\r\n\r\n"))
    await asyncio.sleep(0)
    connection.data_received(b"HTTP/1.1 200 OK\r\n\r\npartial bo")
    connection.connection_lost(ConnectionResetError(104, "reset") if reset else None)
    if reset:
        with pytest.raises(aiohttp.ServerDisconnectedError, match="mid-response"):
            await exchange
    else:
        assert (await exchange).body == b"partial bo"
