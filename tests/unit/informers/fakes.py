"""Transport-level stand-ins for unit tests of the informer's own loops.

They model no apiserver semantics (no 410, no bookmarks, no selectors): a list answers with a
fixed snapshot or fails like an unreachable server, and a watch stays open and silent. What
the apiserver does is tested against a real one under tests/integration.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from typing import Any

from mirrorctl.client.resource import Resource
from mirrorctl.clock import FakeClock

__all__ = ["Recorder", "RefusedStream", "ScriptedStream", "SilentStream", "StaticListerWatcher"]


class SilentStream:
    """A watch whose connection stays open and never delivers a byte."""

    def __init__(self) -> None:
        self.closed = False
        self._never = asyncio.Event()

    def __aiter__(self) -> SilentStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        await self._never.wait()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self.closed = True


class ScriptedStream(SilentStream):
    """A watch that delivers the given events, then stays open and silent."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        super().__init__()
        self._events = list(events)

    async def __anext__(self) -> dict[str, Any]:
        if self._events:
            return self._events.pop(0)
        return await super().__anext__()


class RefusedStream:
    """A watch whose connection is refused when it is first read."""

    def __init__(self) -> None:
        self.closed = False

    def __aiter__(self) -> RefusedStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        raise ConnectionRefusedError("connection refused")

    async def aclose(self) -> None:
        self.closed = True


class StaticListerWatcher:
    """Lists a fixed snapshot (after `failures` connection refusals); watches are refused
    `watch_failures` times, then stay open and silent (the first one that opens delivers
    `watch_events` first)."""

    def __init__(
        self,
        items: list[dict[str, Any]] | None = None,
        *,
        resource_version: str = "10",
        failures: int = 0,
        watch_failures: int = 0,
        watch_events: list[dict[str, Any]] | None = None,
        clock: FakeClock | None = None,
    ) -> None:
        self.items = items or []
        self.resource_version = resource_version
        self.failures = failures
        self.watch_failures = watch_failures
        self.watch_events = watch_events or []
        self.watch_calls: list[float] = []
        self.clock = clock
        self.list_calls: list[float] = []
        self.watches: list[SilentStream | RefusedStream] = []
        self.watch_timeouts: list[int | None] = []

    async def list(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
    ) -> dict[str, Any]:
        self.list_calls.append(self.clock.monotonic() if self.clock else 0.0)
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionRefusedError("connection refused")
        return {
            "metadata": {"resourceVersion": self.resource_version},
            "items": copy.deepcopy(self.items),
        }

    def watch(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        resource_version: str | None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int | None = None,
        allow_bookmarks: bool = True,
    ) -> AsyncIterator[dict[str, Any]]:
        self.watch_calls.append(self.clock.monotonic() if self.clock else 0.0)
        stream: SilentStream | RefusedStream
        if self.watch_failures > 0:
            self.watch_failures -= 1
            stream = RefusedStream()
        elif self.watch_events:
            stream = ScriptedStream(self.watch_events)
            self.watch_events = []
        else:
            stream = SilentStream()
        self.watches.append(stream)
        self.watch_timeouts.append(timeout_seconds)
        return stream


class Recorder:
    """A handler that records every call as a tuple, optionally raising `error` on each."""

    def __init__(self, fail: bool = False, error: type[BaseException] = RuntimeError) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.fail = fail
        self.error = error

    def on_add(self, obj: dict[str, Any], is_initial_list: bool) -> None:
        self.calls.append(("add", obj["metadata"]["name"], is_initial_list))
        if self.fail:
            raise self.error("handler bug")

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.calls.append(("update", new["metadata"]["name"], old is new))
        if self.fail:
            raise self.error("handler bug")

    def on_delete(self, obj: Any) -> None:
        self.calls.append(("delete", obj))
        if self.fail:
            raise self.error("handler bug")
