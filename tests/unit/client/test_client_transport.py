"""What `Client` puts on the wire and reads back, against the scripted loopback server."""

from __future__ import annotations

import asyncio
import base64
import gzip
import traceback
from collections.abc import Awaitable, Callable

import aiohttp
import orjson
import pytest

from mirrorctl.client import Client, ClientConfig
from mirrorctl.client.credentials import StaticCredentials
from mirrorctl.client.resources import CONFIGMAPS
from tests.unit.client.scripted_server import Seen, Server

_OBJECT = {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}, "data": {"k": "v"}}


async def _gzipped(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    body = gzip.compress(orjson.dumps(_OBJECT))
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    )
    return True


@pytest.mark.parametrize("disable_compression", [False, True])
async def test_gzip_is_asked_for_unless_disabled_and_decoded(
    server: Server, disable_compression: bool
) -> None:
    server.respond = _gzipped
    config = ClientConfig(
        f"http://127.0.0.1:{server.port}", disable_compression=disable_compression
    )
    async with Client(config) as client:
        assert await client.get(CONFIGMAPS, "c", "n") == _OBJECT
    (seen,) = server.requests
    assert (seen.method, seen.target) == ("GET", "/api/v1/namespaces/n/configmaps/c")
    assert seen.headers.get("Accept-Encoding") == (None if disable_compression else "gzip")
    assert seen.headers["Accept"] == "application/json"
    assert seen.headers["User-Agent"] == "mirrorctl"


async def _malformed_head(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n")
    return False


async def test_a_malformed_response_to_a_watch_keeps_the_token_out_of_the_error(
    server: Server,
) -> None:
    # aiohttp reports a response it cannot parse as a ClientResponseError whose repr shows
    # the request's headers; the reflector logs watch errors with repr().
    server.respond = _malformed_head
    token = "Bearer watch-secret-token"
    config = ClientConfig(f"http://127.0.0.1:{server.port}", credentials=StaticCredentials(token))
    async with Client(config) as client:
        stream = client.watch(CONFIGMAPS, resource_version="1")
        try:
            with pytest.raises(aiohttp.ClientResponseError) as caught:
                await anext(stream)
        finally:
            await stream.aclose()
    assert server.requests[0].headers["Authorization"] == token
    assert "Content-Length" in str(caught.value)  # still says what was wrong
    assert caught.value.request_info.headers["Authorization"] == "<redacted>"
    shown = repr(caught.value) + "".join(traceback.format_exception(caught.value))
    assert "watch-secret-token" not in shown


async def _hang_up_once(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    # Read the request, then drop the connection without a reply (as a server that died
    # after acting on it does); any later request is answered.
    body = orjson.dumps(_OBJECT)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    return True


@pytest.mark.parametrize(
    ("verb", "replayed"),
    [("get", True), ("delete", False), ("replace", False), ("merge-patch", False)],
)
async def test_only_a_get_is_sent_again_after_the_server_hung_up_on_it(
    server: Server, verb: str, replayed: bool
) -> None:
    # A request the server read and then hung up on may have been acted on: sending a
    # DELETE or a PUT again turns its success into NotFound or Conflict. As client-go and
    # Go's transport, only a GET is repeated.
    async def hang_up_first(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if len(server.requests) == 1:
            return False
        return await _hang_up_once(seen, writer)

    server.respond = hang_up_first
    config = ClientConfig(f"http://127.0.0.1:{server.port}")
    async with Client(config) as client:
        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "get": lambda: client.get(CONFIGMAPS, "c", "n"),
            "delete": lambda: client.delete(CONFIGMAPS, "c", "n"),
            "replace": lambda: client.replace(CONFIGMAPS, _OBJECT),
            "merge-patch": lambda: client.patch(CONFIGMAPS, "c", {"data": {}}, "n"),
        }
        if replayed:
            assert await calls[verb]() == _OBJECT
        else:
            with pytest.raises(aiohttp.ServerDisconnectedError):
                await calls[verb]()
    assert len(server.requests) == (2 if replayed else 1)


_PROXY_PASSWORD = "Pr0xy-S3cret"
_PROXY_AUTHORIZATION = "Basic " + base64.b64encode(f"alice:{_PROXY_PASSWORD}".encode()).decode()


def _text_of(error: BaseException) -> str:
    return str(error) + repr(error) + "".join(traceback.format_exception(error))


async def test_a_proxy_user_in_the_url_becomes_a_header_on_plain_http(server: Server) -> None:
    async def as_proxy(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        body = orjson.dumps(_OBJECT)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        return True

    server.respond = as_proxy
    proxy = f"http://alice:{_PROXY_PASSWORD}@127.0.0.1:{server.port}"
    async with Client(ClientConfig("http://apiserver.invalid:8080", proxy=proxy)) as client:
        assert await client.get(CONFIGMAPS, "c", "n") == _OBJECT
    (seen,) = server.requests
    assert seen.target == "http://apiserver.invalid:8080/api/v1/namespaces/n/configmaps/c"
    assert seen.headers["Proxy-Authorization"] == _PROXY_AUTHORIZATION


# A proxy that refuses the tunnel, and one that opens it to something that is no TLS server
# (aiohttp's error then carries its connection key, proxy URL included).
_PROXY_FAILURES = {
    "refused": (
        b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n",
        aiohttp.ClientHttpProxyError,
        "407",
    ),
    "no-tls-behind": (
        b"HTTP/1.1 200 Connection established\r\n\r\n" + b"not TLS\r\n" * 64,
        aiohttp.ClientError,
        "127.0.0.1:",
    ),
}


@pytest.mark.parametrize("failure", list(_PROXY_FAILURES))
async def test_a_proxy_failure_does_not_show_the_proxy_password(
    server: Server, failure: str
) -> None:
    answer, error, shown = _PROXY_FAILURES[failure]

    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        writer.write(answer)
        return False

    server.respond = respond
    proxy = f"http://alice:{_PROXY_PASSWORD}@127.0.0.1:{server.port}"
    async with Client(ClientConfig("https://apiserver.invalid:6443", proxy=proxy)) as client:
        with pytest.raises(error) as caught:
            await client.get(CONFIGMAPS, "c", "n")
    (seen,) = server.requests
    assert (seen.method, seen.target) == ("CONNECT", "apiserver.invalid:6443")
    assert seen.headers["Proxy-Authorization"] == _PROXY_AUTHORIZATION
    assert shown in repr(caught.value)
    assert _PROXY_PASSWORD not in _text_of(caught.value)


class _CountingCredentials:
    """A refreshable bearer token whose every refresh hands out a new one (as an exec plugin
    run does), counting the runs."""

    def __init__(self) -> None:
        self.runs = 0

    @property
    def authorization(self) -> str:
        return f"Bearer token-{self.runs}"

    @property
    def refreshable(self) -> bool:
        return True

    def stale(self) -> bool:
        return False

    async def refresh(self, *, force: bool = False) -> None:
        await asyncio.sleep(0)
        self.runs += 1


async def test_a_401_to_a_token_already_replaced_does_not_refresh_it_again(
    server: Server,
) -> None:
    # Two requests go out with the same expired token. The first 401 renews it; the second
    # 401 comes back after that renewal, for the old token: as client-go's exec
    # authenticator (maybeRefreshCreds), the request is sent again with the new token and
    # the plugin is not run a second time.
    both_sent = asyncio.Event()
    renewed_seen = asyncio.Event()

    async def respond(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        body = orjson.dumps(_OBJECT)
        if seen.headers["Authorization"] != "Bearer token-0":
            renewed_seen.set()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return True
        if len(server.requests) == 2:
            both_sent.set()
        await both_sent.wait()
        if seen is server.requests[1]:
            await renewed_seen.wait()  # answered once the other request got through renewed
        writer.write(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")
        return True

    server.respond = respond
    credentials = _CountingCredentials()
    config = ClientConfig(f"http://127.0.0.1:{server.port}", credentials=credentials)
    async with Client(config) as client:
        results = await asyncio.gather(
            client.get(CONFIGMAPS, "a", "n"), client.get(CONFIGMAPS, "b", "n")
        )
    assert list(results) == [_OBJECT, _OBJECT]
    assert credentials.runs == 1
    assert [seen.headers["Authorization"] for seen in server.requests] == [
        "Bearer token-0",
        "Bearer token-0",
        "Bearer token-1",
        "Bearer token-1",
    ]


async def test_watches_are_not_held_to_the_request_connection_limit(server: Server) -> None:
    async def hold_watches_open(seen: Seen, writer: asyncio.StreamWriter) -> bool:
        if "watch=true" not in seen.target:
            body = orjson.dumps(_OBJECT)
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return True
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        event = orjson.dumps({"type": "ADDED", "object": _OBJECT}) + b"\n"
        writer.write(b"%x\r\n%s\r\n" % (len(event), event))
        await asyncio.sleep(3600)
        return False

    server.respond = hold_watches_open
    config = ClientConfig(f"http://127.0.0.1:{server.port}", max_connections=2)
    async with Client(config) as client:
        streams = [client.watch(CONFIGMAPS, "n", resource_version="1") for _ in range(5)]
        try:
            for stream in streams:  # each watch open at once, more than the limit
                event = await asyncio.wait_for(anext(stream), 5)
                assert event["type"] == "ADDED"
            # and requests still have their own connections
            assert await asyncio.wait_for(client.get(CONFIGMAPS, "c", "n"), 5) == _OBJECT
        finally:
            for stream in streams:
                await stream.aclose()


async def _answer_spaced(seen: Seen, writer: asyncio.StreamWriter) -> bool:
    body = b'{"kind": "ConfigMap",  "metadata": {"name": "c"}}'
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    return True


@pytest.mark.parametrize("gzipped", [False, True])
async def test_patch_raw_returns_the_answer_as_sent_and_patch_decodes_it(
    server: Server, gzipped: bool
) -> None:
    server.respond = _gzipped if gzipped else _answer_spaced
    config = ClientConfig(f"http://127.0.0.1:{server.port}")
    async with Client(config) as client:
        raw = await client.patch_raw(CONFIGMAPS, "c", {"data": {"k": None}}, "n")
        decoded = await client.patch(CONFIGMAPS, "c", {"data": {"k": None}}, "n")
        with pytest.raises(ValueError, match="force"):
            await client.patch_raw(CONFIGMAPS, "c", {}, "n", force=True)
    if gzipped:
        assert raw == orjson.dumps(_OBJECT)  # decompressed, not decoded
    else:
        assert raw == b'{"kind": "ConfigMap",  "metadata": {"name": "c"}}'
    assert decoded == orjson.loads(raw)
    first, second = server.requests
    assert (first.method, first.target) == ("PATCH", "/api/v1/namespaces/n/configmaps/c")
    assert first.headers["Content-Type"] == "application/merge-patch+json"
    assert (second.method, second.target, second.body) == (first.method, first.target, first.body)
