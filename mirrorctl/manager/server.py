"""One aiohttp listener serving a set of routes."""

from __future__ import annotations

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
        try:
            site = web.TCPSite(
                self._runner,
                self._requested.host,
                self._requested.port,
                reuse_address=True,
            )
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            raise
        host, port = self._runner.addresses[0][:2]
        self._bound = BindAddress(host=str(host), port=int(port))
        return self._bound

    async def stop(self) -> None:
        await self._runner.cleanup()
