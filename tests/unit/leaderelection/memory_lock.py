"""An in-memory `LeaseLock` for timing tests: no versions, no conflicts (those are integration)."""

from __future__ import annotations

import asyncio

from mirrorctl.leaderelection import LeaderElectionRecord

__all__ = ["MemoryLock"]


class MemoryLock:
    def __init__(self, record: LeaderElectionRecord | None = None) -> None:
        self.record = record
        self.error: Exception | None = None
        self.hang = False
        self.reads = 0
        self.writes: list[LeaderElectionRecord] = []
        self.log: list[str] | None = None

    def describe(self) -> str:
        return "memory/lock"

    async def get(self) -> LeaderElectionRecord | None:
        await self._gate()
        self.reads += 1
        return self.record

    async def create(self, record: LeaderElectionRecord) -> None:
        await self._gate()
        if self.record is not None:
            raise FileExistsError("memory/lock")
        self._write(record)

    async def update(self, record: LeaderElectionRecord) -> None:
        await self._gate()
        if self.record is None:
            raise FileNotFoundError("memory/lock")
        self._write(record)

    def _write(self, record: LeaderElectionRecord) -> None:
        self.record = record
        self.writes.append(record)
        if self.log is not None:
            self.log.append(f"write holder={record.holder_identity!r}")

    async def _gate(self) -> None:
        if self.hang:
            await asyncio.get_running_loop().create_future()
        if self.error is not None:
            raise self.error
