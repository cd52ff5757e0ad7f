"""explain's error lines against a server that echoes the request (a misconfigured proxy or
endpoint): one line, with no credential in it."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from aiohttp import web

from mirrorctl.cli import explain_cluster
from mirrorctl.cli.explain_args import ExplainRequest
from mirrorctl.cli.explain_cmd import explain
from mirrorctl.cli.explain_target import parse_target
from mirrorctl.cli.settings import RunSettings
from mirrorctl.client.resources import PODS

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


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """Accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_the_timeout_bounds_an_apiserver_that_never_answers(
    silent_server: str, tmp_path: Path
) -> None:
    # --timeout covered only the informers' sync: the first list waited for the client's own
    # request timeout (60 s) whatever --timeout said.
    kubeconfig = _kubeconfig(tmp_path / "kc", silent_server, {"token": "t"})
    settings = RunSettings.load({"kubeconfig": str(kubeconfig)}, None)
    request = ExplainRequest(parse_target(["web"]), "default", "text", 1.0)
    err = io.StringIO()
    started = time.monotonic()
    assert await explain(settings, request, stdout=io.StringIO(), stderr=err) == 1
    assert time.monotonic() - started < 10
    assert err.getvalue() == (
        f"mirrorctl: the apiserver at {silent_server} did not answer within 1s\n"
    )


async def test_an_error_without_a_message_is_named_by_its_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A TLS handshake that times out raises a TimeoutError whose message is empty: the line
    # ended in "cannot reach the apiserver at URL:" and nothing after it.
    class Silent:
        config = SimpleNamespace(host="https://apiserver")

        async def list(self, *_: object, **__: object) -> None:
            raise TimeoutError

    fake = type("Informer", (), {"resource": PODS, "namespace": None})()
    with pytest.raises(explain_cluster.ClusterReadError) as raised:
        await explain_cluster._probe(Silent(), fake)  # type: ignore[arg-type]
    assert str(raised.value) == "cannot reach the apiserver at https://apiserver: TimeoutError"


async def test_a_password_in_the_server_url_never_reaches_the_error_line(tmp_path: Path) -> None:
    # "cannot reach the apiserver at https://carol:PASSWORD@..." was printed as it was.
    server = "https://carol:s3cr3t@127.0.0.1:1"
    kubeconfig = _kubeconfig(tmp_path / "kc", server, {"token": "t"})
    settings = RunSettings.load({"kubeconfig": str(kubeconfig)}, None)
    request = ExplainRequest(parse_target(["web"]), "default", "text", 10.0)
    err = io.StringIO()
    assert await explain(settings, request, stdout=io.StringIO(), stderr=err) == 1
    assert "s3cr3t" not in err.getvalue()
    assert "https://carol:[redacted]@127.0.0.1:1" in err.getvalue()
