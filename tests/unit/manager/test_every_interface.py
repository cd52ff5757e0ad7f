"""A listener on every interface takes IPv4 and IPv6 alike, on one port, as Go's do."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from aiohttp import web

from mirrorctl.manager import BindAddress
from mirrorctl.manager.server import HttpServer


async def _hello(_: web.Request) -> web.Response:
    return web.Response(text="hello")


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("spelling", [":0", "0.0.0.0:0", "[::]:0"])
async def test_every_interface_is_one_port_for_ipv4_and_ipv6(spelling: str) -> None:
    server = HttpServer(BindAddress.parse(spelling), [web.get("/", _hello)])
    bound = await server.start()
    try:
        assert bound.every_interface
        assert bound.port != 0
        assert str(bound) == f":{bound.port}"
        hosts = ["127.0.0.1", "[::1]"] if _has_ipv6_loopback() else ["127.0.0.1"]
        async with aiohttp.ClientSession(trust_env=False) as session:
            for host in hosts:
                async with session.get(f"http://{host}:{bound.port}/") as response:
                    assert await response.text() == "hello"
    finally:
        await server.stop()


async def test_a_specific_address_is_that_address_only() -> None:
    server = HttpServer(BindAddress.parse("127.0.0.1:0"), [web.get("/", _hello)])
    bound = await server.start()
    try:
        assert (bound.host, bound.every_interface) == ("127.0.0.1", False)
    finally:
        await server.stop()
