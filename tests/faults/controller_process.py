"""`ControllerProcess`: ``mirrorctl run`` as a child process, as a Deployment would run it, so a
test can SIGKILL it mid-work and start another."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

import orjson

from mirrorctl.envtest.process import ManagedProcess

__all__ = ["ControllerProcess"]


class ControllerProcess:
    """One ``mirrorctl run`` process at a time under one name; `start` again after `kill`."""

    def __init__(
        self, name: str, kubeconfig: Path, log_dir: Path, *, args: Sequence[str] = ()
    ) -> None:
        argv = [
            sys.executable,
            "-m",
            "mirrorctl",
            "run",
            f"--kubeconfig={kubeconfig}",
            "--metrics-bind-address=127.0.0.1:0",
            "--health-probe-bind-address=127.0.0.1:0",
            "--log-format=json",
            "--log-level=info",
            *args,
        ]
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._process = ManagedProcess(name, argv, self.log_path)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def start(self) -> None:
        self._process.start()

    def running(self) -> bool:
        return self._process.running()

    def kill(self) -> None:
        """SIGKILL and reap: no drain, no Lease release, requests cut wherever they were."""
        self._process.kill()

    async def stop(self) -> None:
        """SIGTERM (graceful), SIGKILL if it is still there after a while."""
        await asyncio.to_thread(self._process.stop, 30.0)

    def log_events(self) -> list[dict[str, object]]:
        """The process's structured log lines (other output, e.g. a traceback, skipped)."""
        events: list[dict[str, object]] = []
        try:
            lines = self.log_path.read_bytes().splitlines()
        except OSError:
            return events
        for line in lines:
            try:
                event = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(event, dict):
                events.append(event)
        return events

    def tail(self, lines: int = 40) -> str:
        return f"--- {self.name} log ---\n{self._process.log_tail(lines)}"
