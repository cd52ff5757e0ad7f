"""``python -m mirrorctl run`` as a child process (the shipped command, its own identity and
RBAC), with its readiness, queue depth and error counts read from its own endpoints."""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from benchmarks.peers.process import Child

__all__ = ["MirrorctlProcess", "free_port"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class MirrorctlProcess:
    """One controller process; metrics and probes share one loopback listener."""

    def __init__(
        self,
        kubeconfig: str | Path,
        log: Path,
        *,
        namespace: str | None = None,
        workers: int = 4,
        log_level: str = "warning",
        extra: Sequence[str] = (),
    ) -> None:
        self.port = free_port()
        address = f"127.0.0.1:{self.port}"
        argv = [
            sys.executable,
            "-m",
            "mirrorctl",
            "run",
            "--kubeconfig",
            str(kubeconfig),
            "--workers",
            str(workers),
            "--log-level",
            log_level,
            "--metrics-bind-address",
            address,
            "--health-probe-bind-address",
            address,
            *(["--namespace", namespace] if namespace else []),
            *extra,
        ]
        self.child = Child("mirrorctl", argv, log)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(trust_env=False)
        await self.child.start()

    async def _get(self, path: str) -> tuple[int, str]:
        assert self._session is not None
        try:
            async with self._session.get(
                f"http://127.0.0.1:{self.port}{path}", timeout=aiohttp.ClientTimeout(total=5)
            ) as response:
                return response.status, await response.text()
        except (aiohttp.ClientError, TimeoutError):
            return 0, ""

    async def metrics(self) -> dict[str, float]:
        """Every sample summed over its labels, by sample name."""
        status, text = await self._get("/metrics")
        if status != 200:
            return {}
        sums: dict[str, float] = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                sums[sample.name] = sums.get(sample.name, 0.0) + sample.value
        return sums

    async def idle(self) -> bool:
        """Caches synced, nothing queued, no reconcile running."""
        status, _ = await self._get("/readyz")
        if status != 200:
            return False
        found = await self.metrics()
        return (
            found.get("workqueue_depth", 1.0) == 0
            and found.get("controller_runtime_active_workers", 1.0) == 0
        )

    async def stop(self) -> int | None:
        try:
            return await self.child.stop()
        finally:
            if self._session is not None:
                await self._session.close()
