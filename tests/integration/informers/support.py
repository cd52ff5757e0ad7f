"""Helpers for informer integration tests: polling, state snapshots, a gated watch opener."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from mirrorctl.client import Client, Resource
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.informers import DeletedFinalStateUnknown, SharedInformer

__all__ = ["GatedWatches", "Recorder", "cache_state", "eventually", "server_state"]


async def eventually(
    condition: Callable[[], bool] | Callable[[], Awaitable[bool]],
    *,
    timeout: float = 30.0,
    what: str = "condition",
) -> None:
    """Poll until `condition` holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


async def server_state(
    client: Client, namespace: str, res: Resource = CONFIGMAPS
) -> dict[str, str]:
    """name -> resourceVersion of what the apiserver holds (a consistent read)."""
    listed = await client.list(res, namespace)
    return {o["metadata"]["name"]: o["metadata"]["resourceVersion"] for o in listed["items"]}


def cache_state(informer: SharedInformer, namespace: str | None = None) -> dict[str, str]:
    """name -> resourceVersion of what the informer caches (in `namespace`, if given)."""
    return {
        o["metadata"]["name"]: o["metadata"]["resourceVersion"]
        for o in informer.store.list()
        if namespace is None or o["metadata"].get("namespace") == namespace
    }


class Recorder:
    """Records handler calls as (kind, name, detail)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def on_add(self, obj: dict[str, Any], is_initial_list: bool) -> None:
        self.calls.append(("add", obj["metadata"]["name"], is_initial_list))

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.calls.append(("update", new["metadata"]["name"], new["metadata"]["resourceVersion"]))

    def on_delete(self, obj: dict[str, Any] | DeletedFinalStateUnknown) -> None:
        if isinstance(obj, DeletedFinalStateUnknown):
            self.calls.append(("tombstone", obj.obj["metadata"]["name"], obj.key))
        else:
            self.calls.append(("delete", obj["metadata"]["name"], None))

    def names(self, kind: str) -> set[str]:
        return {name for k, name, _ in self.calls if k == kind}


class GatedWatches:
    """Passes lists and watches to a real client, but can hold new watches back.

    While the gate is closed a watch does not reach the server, so the informer falls behind
    the server's history for real; errors its watches end with are recorded.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self.gate = asyncio.Event()
        self.gate.set()
        self.held = asyncio.Event()
        self.errors: list[BaseException] = []
        self.lists: list[str | None] = []

    async def list(self, resource: Resource, namespace: str | None = None, **kw: Any) -> Any:
        self.lists.append(kw.get("resource_version"))
        return await self.client.list(resource, namespace, **kw)

    def watch(
        self, resource: Resource, namespace: str | None = None, **kw: Any
    ) -> AsyncIterator[dict[str, Any]]:
        return _GatedStream(self, lambda: self.client.watch(resource, namespace, **kw))


class _GatedStream:
    def __init__(
        self, owner: GatedWatches, open_stream: Callable[[], AsyncIterator[dict[str, Any]]]
    ) -> None:
        self._owner = owner
        self._open = open_stream
        self._inner: AsyncIterator[dict[str, Any]] | None = None

    def __aiter__(self) -> _GatedStream:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._inner is None:
            if not self._owner.gate.is_set():
                self._owner.held.set()
                await self._owner.gate.wait()
            self._inner = self._open()
        try:
            return await self._inner.__anext__()
        except StopAsyncIteration:
            raise
        except Exception as err:
            self._owner.errors.append(err)
            raise

    async def aclose(self) -> None:
        aclose = getattr(self._inner, "aclose", None)
        if aclose is not None:
            await aclose()
