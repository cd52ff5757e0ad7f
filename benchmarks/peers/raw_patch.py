"""B3's baseline: a bare aiohttp (``trust_env=False``) JSON-merge-patch loop over given VMIs,
at a given concurrency, in its own process so its CPU-seconds can be read from ``/proc``.

Protocol on stdin/stdout, so the harness times only the patches: it prints ``ready`` once its
connections are open, patches on ``go``, prints one JSON line of results, and exits on
``exit`` (or end of input), so the harness can read its CPU use while it is still alive.

Run: ``python -m benchmarks.peers.raw_patch KUBECONFIG TARGETS.json CONCURRENCY``;
TARGETS.json is ``{"namespace": ..., "patches": [[name, {...merge patch...}], ...]}``.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from mirrorctl.cli.event_loop import run_on
from mirrorctl.client.loading import load_kubeconfig
from mirrorctl.mirroring.resources import contrail_resources

__all__ = ["main"]

_VMIS = contrail_resources().virtual_machine_interfaces


async def _line() -> str:
    line: str = await asyncio.to_thread(sys.stdin.readline)
    return line.strip()


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


async def _run(kubeconfig: str, targets: dict[str, Any], concurrency: int) -> None:
    config = await load_kubeconfig(kubeconfig)
    namespace: str = targets["namespace"]
    # Serialised up front: the loop measures the requests, not building their bodies.
    patches = [(name, orjson.dumps(body)) for name, body in targets["patches"]]
    base = config.base_url
    headers = {"Content-Type": "application/merge-patch+json", "Accept": "application/json"}
    if config.credentials.authorization:
        headers["Authorization"] = config.credentials.authorization
    connector = aiohttp.TCPConnector(ssl=config.ssl_context() or True, limit=concurrency)
    async with aiohttp.ClientSession(
        connector=connector, trust_env=False, headers=headers
    ) as session:
        first = f"{base}{_VMIS.path(namespace, patches[0][0])}"

        async def warm() -> None:
            async with session.get(first) as response:
                await response.read()

        await asyncio.gather(*(warm() for _ in range(concurrency)))
        _say("ready")
        if await _line() != "go":
            return
        pending = iter(patches)
        errors = 0

        async def worker() -> None:
            nonlocal errors
            for name, body in pending:
                async with session.patch(
                    f"{base}{_VMIS.path(namespace, name)}", data=body
                ) as response:
                    await response.read()
                    if response.status >= 300:
                        errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        _say(orjson.dumps({"patched": len(patches), "errors": errors, "seconds": elapsed}).decode())
        await _line()


def main(argv: list[str]) -> int:
    kubeconfig, targets_file, concurrency = argv
    targets = orjson.loads(Path(targets_file).read_bytes())
    # The loop `mirrorctl run` uses (uvloop when installed): the baseline is the same patches
    # without the controller, not a slower loop.
    run_on("auto", _run(kubeconfig, targets, int(concurrency)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
