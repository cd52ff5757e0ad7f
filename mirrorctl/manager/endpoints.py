"""The request handlers of ``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CollectorRegistry

from mirrorctl.manager.health import Checks
from mirrorctl.metrics.registry import CONTENT_TYPE_LATEST, exposition

__all__ = ["health_routes", "metrics_routes"]


def _probe(kind: str, checks: Checks) -> web.RouteTableDef:
    routes = web.RouteTableDef()

    async def handle(request: web.Request) -> web.Response:
        only = request.match_info.get("check")
        if only is not None and only not in checks:
            raise web.HTTPNotFound(text=f"no {kind} check named {only!r}\n")
        results = await checks.run(only)
        healthy = all(r.ok for r in results)
        if healthy and "verbose" not in request.query:
            return web.Response(text="ok")
        lines = [f"[+]{r.name} ok" if r.ok else f"[-]{r.name} failed: {r.reason}" for r in results]
        lines.append(f"{kind} check passed" if healthy else f"{kind} check failed")
        return web.Response(text="\n".join(lines) + "\n", status=200 if healthy else 500)

    routes.get(f"/{kind}")(handle)
    routes.get(f"/{kind}/{{check}}")(handle)
    return routes


def health_routes(healthz: Checks, readyz: Checks) -> list[web.AbstractRouteDef]:
    """Routes answering 200 ``ok`` when every check passes, else 500 listing the failures.

    ``?verbose`` lists every check; ``/healthz/<name>`` runs only one.
    """
    return [*_probe("healthz", healthz), *_probe("readyz", readyz)]


def metrics_routes(registry: CollectorRegistry) -> list[web.AbstractRouteDef]:
    """The manager's own registry in the Prometheus text format."""
    routes = web.RouteTableDef()

    @routes.get("/metrics")
    async def metrics(request: web.Request) -> web.Response:
        response = web.Response(body=exposition(registry))
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    return list(routes)
