"""A child process and what ``/proc`` says about it: CPU-seconds (utime + stime) and memory."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Child", "Settled", "Usage", "settle", "usage_of"]

_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Usage:
    cpu_seconds: float  # user + system, this process only (not its children)
    rss_bytes: int  # VmRSS
    peak_rss_bytes: int  # VmHWM


def usage_of(pid: int) -> Usage:
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces and parentheses: fields start after the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15)
    rss = peak = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith("VmHWM:"):
            peak = int(line.split()[1]) * 1024
    return Usage(cpu, rss, peak)


class Child:
    """A process started here, its output collected to a log file; stopped with SIGTERM
    (then SIGKILL), by its own pid only."""

    def __init__(self, name: str, argv: Sequence[str], log: Path) -> None:
        self.name = name
        self.argv = list(argv)
        self.log = log
        self.started_at = 0.0
        self._process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None, "not started"
        return self._process.pid

    @property
    def process(self) -> asyncio.subprocess.Process:
        assert self._process is not None, "not started"
        return self._process

    async def start(self, env: Mapping[str, str] | None = None, *, pipes: bool = False) -> None:
        environment = {**os.environ, **(env or {})}
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.started_at = time.monotonic()
            self._process = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.PIPE if pipes else asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE if pipes else out,
                stderr=out,
                env=environment,
            )

    def usage(self) -> Usage:
        return usage_of(self.pid)

    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    def tail(self, lines: int = 20, width: int = 300) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "\n".join(line[:width] for line in text)

    async def stop(self, timeout: float = 20.0) -> int | None:
        process = self._process
        if process is None or process.returncode is not None:
            return None if process is None else process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            return await process.wait()


@dataclass(frozen=True, slots=True)
class Settled:
    busy_until: float  # monotonic time of the last sample that still used CPU
    usage: Usage  # at the end of the quiet window


async def settle(
    child: Child,
    *,
    quiet: float = 2.0,
    busy_share: float = 0.02,
    timeout: float = 900.0,
    ready: Callable[[], Awaitable[bool]] | None = None,
    interval: float = 0.1,
    trace: list[tuple[float, Usage]] | None = None,
) -> Settled:
    """Wait until ``child`` has used at most ``busy_share`` of one core over the last
    ``quiet`` seconds (and ``ready()`` holds, if given): its start-up or a burst of work is
    over. ``busy_until`` is the last sample interval in which it used at least a fifth of a
    core. A process that only waits on the apiserver also looks quiet, so callers pass
    ``ready`` where the process can say it has listed everything. Each sample is appended to
    ``trace`` (monotonic time, usage) if given."""
    deadline = time.monotonic() + timeout
    samples: list[tuple[float, float]] = []
    busy_until = time.monotonic()
    is_ready = ready is None
    while True:
        if not child.alive():
            raise RuntimeError(f"{child.name} exited early:\n{child.tail()}")
        now = time.monotonic()
        usage = child.usage()
        cpu = usage.cpu_seconds
        if trace is not None:
            trace.append((now, usage))
        if samples and cpu - samples[-1][1] >= 0.2 * (now - samples[-1][0]):
            busy_until = now
        samples.append((now, cpu))
        if not is_ready and ready is not None:
            is_ready = await ready()
        # The CPU used since the newest sample at least `quiet` seconds old.
        old = [s for s in samples if s[0] <= now - quiet]
        if is_ready and old and cpu - old[-1][1] <= max(busy_share * quiet, 0.02):
            return Settled(busy_until, child.usage())
        if old:
            del samples[: len(old) - 1]
        if now > deadline:
            raise TimeoutError(f"{child.name} did not settle in {timeout} s:\n{child.tail()}")
        await asyncio.sleep(interval)
