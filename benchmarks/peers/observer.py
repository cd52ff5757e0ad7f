"""A watch, separate from every process under test, that times when objects reach a state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

from mirrorctl.client import Client, GoneError, Resource
from mirrorctl.mirroring import keys

__all__ = ["Expectation", "Observer", "configuration_of", "has_analyzer_ip", "mirrors_to"]

Predicate = Callable[[Mapping[str, Any]], bool]


def configuration_of(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    text = ((obj.get("metadata") or {}).get("annotations") or {}).get(keys.MIRRORING_CONFIGURATION)
    if not isinstance(text, str):
        return None
    parsed = orjson.loads(text)
    return parsed if isinstance(parsed, dict) else None


def has_analyzer_ip(address: str) -> Predicate:
    def check(obj: Mapping[str, Any]) -> bool:
        configuration = configuration_of(obj)
        return configuration is not None and configuration.get("analyzer_ip_address") == address

    return check


def mirrors_to(destination: str) -> Predicate:
    """The VMI is labelled for ``destination`` and configured for it."""

    def check(obj: Mapping[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        configuration = configuration_of(obj)
        return (
            labels.get(keys.MIRROR_DESTINATION) == destination
            and configuration is not None
            and configuration.get("analyzer_name") == destination
        )

    return check


class Expectation:
    """Names that must reach ``predicate``; ``times[name]`` is when each was first seen there
    (monotonic), ``done`` is set once all were."""

    def __init__(self, names: Iterable[str], predicate: Predicate) -> None:
        self.pending = set(names)
        self.total = len(self.pending)
        self.predicate = predicate
        self.times: dict[str, float] = {}
        self.done = asyncio.Event()
        if not self.pending:
            self.done.set()

    def offer(self, name: str, obj: Mapping[str, Any], at: float) -> None:
        if name in self.pending and self.predicate(obj):
            self.pending.discard(name)
            self.times[name] = at
            if not self.pending:
                self.done.set()

    async def wait(self, timeout: float) -> float:
        """Monotonic time of the last arrival."""
        await asyncio.wait_for(self.done.wait(), timeout)
        return max(self.times.values(), default=time.monotonic())


class Observer:
    """Lists, then watches, one resource in one namespace, keeping the newest object by
    name. `expect` registers names to wait for; objects already there count at once."""

    def __init__(self, client: Client, resource: Resource, namespace: str | None) -> None:
        self._client = client
        self._resource = resource
        self._namespace = namespace
        self.objects: dict[str, Mapping[str, Any]] = {}
        self._expectations: list[Expectation] = []
        self._listeners: list[Callable[[str, Mapping[str, Any], float], None]] = []
        self._task: asyncio.Task[None] | None = None
        self.events = 0

    async def start(self) -> None:
        rv = await self._list()
        self._task = asyncio.create_task(self._run(rv), name=f"observer-{self._resource.plural}")
        # The watch starts from the list's resourceVersion, so nothing is missed; this only
        # lets its request reach the apiserver before anything is timed.
        await asyncio.sleep(1.0)

    async def _list(self) -> str:
        listed = await self._client.list(self._resource, self._namespace)
        self.objects = {o["metadata"]["name"]: o for o in listed["items"]}
        return str(listed["metadata"]["resourceVersion"])

    async def _run(self, rv: str) -> None:
        while True:
            try:
                stream = self._client.watch(
                    self._resource, self._namespace, resource_version=rv, timeout_seconds=600
                )
                async with stream:
                    async for event in stream:
                        at = time.monotonic()
                        obj = event["object"]
                        rv = str(obj["metadata"].get("resourceVersion", rv))
                        if event["type"] == "BOOKMARK":
                            continue
                        self._seen(obj, event["type"], at)
            except GoneError:
                rv = await self._list()

    def _seen(self, obj: Mapping[str, Any], kind: str, at: float) -> None:
        self.events += 1
        name = obj["metadata"]["name"]
        if kind == "DELETED":
            self.objects.pop(name, None)
            return
        self.objects[name] = obj
        for listener in self._listeners:
            listener(name, obj, at)
        for expectation in self._expectations:
            expectation.offer(name, obj, at)
        self._expectations = [e for e in self._expectations if not e.done.is_set()]

    def listen(self, listener: Callable[[str, Mapping[str, Any], float], None]) -> None:
        """Call ``listener(name, object, monotonic time)`` for every added or modified object."""
        self._listeners.append(listener)

    def expect(self, names: Iterable[str], predicate: Predicate) -> Expectation:
        expectation = Expectation(names, predicate)
        now = time.monotonic()
        for name in list(expectation.pending):
            obj = self.objects.get(name)
            if obj is not None:
                expectation.offer(name, obj, now)
        if not expectation.done.is_set():
            self._expectations.append(expectation)
        return expectation

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
