"""Running ``mirrorctl`` as a separate process, as a user would, without ever blocking the event
loop the tests (and any in-process controller) run on."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp

__all__ = [
    "ROOT",
    "TIMEOUT",
    "Finished",
    "Process",
    "clean_env",
    "command",
    "free_port",
    "mirrorctl",
    "port_is_free",
    "processes_mentioning",
    "ready",
]

ROOT = Path(__file__).resolve().parents[3]
# Generous: only keeps a broken build from hanging, never a statement about speed.
TIMEOUT = 120.0


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without anything that would point mirrorctl elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MIRRORCTL_") and k not in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST")
    }
    env.update(extra or {})
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str


async def mirrorctl(
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = TIMEOUT,
) -> Finished:
    """Run ``python -m mirrorctl ARGS`` to completion."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "mirrorctl",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=clean_env(env),
        cwd=ROOT,
    )
    try:
        out, err = await asyncio.wait_for(
            proc.communicate(stdin.encode() if stdin is not None else None), timeout
        )
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"mirrorctl {' '.join(args)} did not finish in {timeout}s") from None
    assert proc.returncode is not None
    return Finished(proc.returncode, out.decode(), err.decode())


async def command(*args: str, stdin: str | None = None, timeout: float = TIMEOUT) -> Finished:
    """Run another program (kubectl) to completion."""
    proc = await asyncio.create_subprocess_exec(
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=clean_env(),
        cwd=ROOT,
    )
    out, err = await asyncio.wait_for(
        proc.communicate(stdin.encode() if stdin is not None else None), timeout
    )
    assert proc.returncode is not None
    return Finished(proc.returncode, out.decode(), err.decode())


class Process:
    """A long-running ``mirrorctl`` (run, dev) whose stderr is read as it comes, so a chatty
    process never blocks on a full pipe and a test can wait for a line."""

    def __init__(self, proc: asyncio.subprocess.Process, args: tuple[str, ...]) -> None:
        self.proc = proc
        self.args = args
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, *args: str, env: Mapping[str, str] | None = None) -> Process:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "mirrorctl",
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            env=clean_env(env),
            cwd=ROOT,
        )
        return cls(proc, args)

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))
            self._changed.set()
        self._changed.set()

    def output(self) -> str:
        return "\n".join(self.lines)

    async def wait_for_line(self, match: Callable[[str], bool], timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for line in self.lines[seen:]:
                if match(line):
                    return line
            seen = len(self.lines)
            if self.proc.returncode is not None or self._reader.done():
                raise AssertionError(f"mirrorctl exited first:\n{self.output()}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no such line within {timeout}s:\n{self.output()}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 1.0))

    async def stop(self, sig: signal.Signals, timeout: float = 60.0) -> int:
        """Send ``sig`` and wait for the exit code; kill (and fail) if it hangs."""
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise AssertionError(f"mirrorctl did not exit {timeout}s after {sig.name}") from None
        finally:
            await asyncio.wait({self._reader}, timeout=10)
        return code

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        await asyncio.wait({self._reader}, timeout=10)


async def ready(port: int, path: str = "/readyz", timeout: float = TIMEOUT) -> None:
    """Until ``http://127.0.0.1:port/path`` answers 200."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(trust_env=False) as session:
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"127.0.0.1:{port}{path} not ready within {timeout}s")
            await asyncio.sleep(0.2)


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains ``text``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(int(entry.name))
    return found
