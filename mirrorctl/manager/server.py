"""One aiohttp listener serving a set of routes."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterable

from aiohttp import web

from mirrorctl.manager.address import BindAddress

__all__ = ["HttpServer"]

# A probe or scrape never takes long; waiting longer only delays process exit.
_SHUTDOWN_GRACE = 2.0


class HttpServer:
    """Listens on ``address`` (port 0: any free port) until ``stop``."""

    def __init__(self, address: BindAddress, routes: Iterable[web.AbstractRouteDef]) -> None:
        self._requested = address
        self._bound: BindAddress | None = None
        app = web.Application()
        app.add_routes(list(routes))
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=_SHUTDOWN_GRACE
        )

    @property
    def address(self) -> BindAddress:
        """Where it listens, with the real port once started."""
        if self._bound is None:
            raise RuntimeError("server not started")
        return self._bound

    async def start(self) -> BindAddress:
        await self._runner.setup()
        requested = self._requested
        try:
            site: web.BaseSite
            if requested.every_interface:
                site = web.SockSite(self._runner, _every_interface(requested.port))
            else:
                site = web.TCPSite(self._runner, requested.host, requested.port, reuse_address=True)
            await site.start()
        except socket.gaierror as error:
            await self._runner.cleanup()
            # The resolver's message ("Name or service not known") names no host.
            raise OSError(
                error.errno,
                f"cannot resolve the host of bind address {requested}: {error.strerror}",
            ) from error
        except BaseException:
            await self._runner.cleanup()
            raise
        host, port = self._runner.addresses[0][:2]
        self._bound = BindAddress(host=str(host), port=int(port))
        return self._bound

    async def stop(self) -> None:
        await self._runner.cleanup()


def _every_interface(port: int) -> socket.socket:
    """A listening socket on every interface: one IPv6 socket that takes IPv4 too, where the
    system has IPv6, else an IPv4 one. One socket, so that port 0 gets one port (asyncio's
    own wildcard listener opens a socket per family, each with a port of its own)."""
    if socket.has_ipv6:
        try:
            sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            return _listening(sock, "::", port)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise
            # IPv6 is off on this host (no socket, or no address to bind): IPv4 alone.
    return _listening(socket.socket(socket.AF_INET, socket.SOCK_STREAM), "0.0.0.0", port)


def _listening(sock: socket.socket, host: str, port: int) -> socket.socket:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock
