"""What `Client` puts on the wire and reads back, against the scripted loopback server."""

from __future__ import annotations

import asyncio
import gzip
import traceback

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
            with pytest.raises(aiohttp.ClientError) as caught:
                await anext(stream)
        finally:
            await stream.aclose()
    assert server.requests[0].headers["Authorization"] == token
    assert "Content-Length" in str(caught.value)  # still says what was wrong
    shown = repr(caught.value) + "".join(traceback.format_exception(caught.value))
    assert "watch-secret-token" not in shown
