"""explain's error lines against a server that echoes the request (a misconfigured proxy or
endpoint): one line, with no credential in it."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from aiohttp import web

from mirrorctl.cli.explain_args import ExplainRequest
from mirrorctl.cli.explain_cmd import explain
from mirrorctl.cli.explain_target import parse_target
from mirrorctl.cli.settings import RunSettings

BASIC = "YWxpY2U6czNjcjN0"  # base64 of alice:s3cr3t


async def _echo(request: web.Request) -> web.Response:
    headers = "\n".join(f"{k}: {v}" for k, v in request.headers.items())
    return web.Response(status=407, text=f"{request.method} {request.path_qs}\n{headers}\n")


@pytest.fixture
async def echo_server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


def _kubeconfig(path: Path, server: str, user: dict[str, str]) -> Path:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": server}}],
                "users": [{"name": "u", "user": user}],
                "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "x",
            }
        )
    )
    return path


@pytest.mark.parametrize(
    ("user", "secret"),
    [
        ({"token": "t0ken.s3cr3t"}, "t0ken.s3cr3t"),
        ({"username": "alice", "password": "s3cr3t"}, BASIC),
    ],
    ids=["token", "basic"],
)
async def test_an_echoed_credential_never_reaches_the_error_line(
    echo_server: str, tmp_path: Path, user: dict[str, str], secret: str
) -> None:
    settings = RunSettings.load(
        {"kubeconfig": str(_kubeconfig(tmp_path / "kc", echo_server, user))}, None
    )
    request = ExplainRequest(parse_target(["web"]), "default", "text", 10.0)
    out, err = io.StringIO(), io.StringIO()
    assert await explain(settings, request, stdout=out, stderr=err) == 1
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("mirrorctl: listing ")
    assert secret not in lines[0]
    assert "[redacted]" in lines[0]
