"""`ObjectWriter`: the reconcilers' only way to write, by JSON merge patch of what they own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import structlog

from mirrorctl.client.errors import NotFoundError
from mirrorctl.client.patch import PatchType
from mirrorctl.client.resource import Resource
from mirrorctl.reconcilers.echoes import OwnWrites
from mirrorctl.reconcilers.keymap import KeyMap
from mirrorctl.reconcilers.written import WrittenObjects

__all__ = ["ObjectWriter", "Patcher"]

_log = structlog.get_logger("mirrorctl.reconcilers")


class Patcher(Protocol):
    """The one client call the reconcilers make (`mirrorctl.client.Client` provides it): a
    PATCH answered with the object's JSON, undecoded (see `WrittenObjects`)."""

    async def patch_raw(
        self,
        resource: Resource,
        name: str,
        body: Any,
        namespace: str | None = None,
        *,
        patch_type: PatchType = PatchType.MERGE,
        subresource: str | None = None,
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> bytes: ...


def _identity(obj: Mapping[str, Any]) -> tuple[str, str | None, str]:
    """Name, namespace and cache key."""
    metadata = obj["metadata"]
    name = str(metadata["name"])
    namespace = metadata.get("namespace") or None
    return name, namespace, f"{namespace}/{name}" if namespace else name


class ObjectWriter:
    """Sends merge patches and remembers what they returned (see `WrittenObjects`).

    A merge patch without a resourceVersion cannot conflict, and it touches only the keys it
    names, so concurrent writers of other keys of the same object are never overwritten. An
    object that is gone is not an error: there is nothing left to converge. Only a 404 that
    names the object says so; any other 404 (a restarted apiserver serves custom resources a
    moment after it accepts requests) is raised, so the reconcile is retried.
    """

    def __init__(
        self,
        client: Patcher,
        written: WrittenObjects,
        keymap: KeyMap,
        *,
        own_writes: OwnWrites | None = None,
    ) -> None:
        self._client = client
        self._written = written
        self._keymap = keymap
        self.own_writes = own_writes

    async def patch_metadata(
        self, res: Resource, current: Mapping[str, Any], patch: dict[str, Any]
    ) -> bool:
        """Apply ``patch`` (written with the default keys) to the object ``current`` shows;
        False if the object is gone."""
        return await self._send(res, current, self._keymap.configured_patch(patch), None)

    async def patch_status(
        self, res: Resource, current: Mapping[str, Any], patch: dict[str, Any]
    ) -> bool:
        """Apply ``patch`` to the status subresource; False if the object is gone."""
        return await self._send(res, current, patch, "status")

    async def _send(
        self,
        res: Resource,
        current: Mapping[str, Any],
        body: dict[str, Any],
        subresource: str | None,
    ) -> bool:
        name, namespace, key = _identity(current)
        own_writes = self.own_writes
        echoed = False
        if own_writes is not None:
            own_writes.sending(res, key, current, body)
        try:
            written = await self._client.patch_raw(
                res, name, body, namespace, patch_type=PatchType.MERGE, subresource=subresource
            )
        except NotFoundError as err:
            if err.object_name != name:
                raise
            self._written.forget(res, key)
            _log.debug("object gone before its patch", kind=res.kind, key=key)
            return False
        finally:
            if own_writes is not None:
                echoed = own_writes.sent(res, key, body)
        if not echoed:  # else the cache already holds what the patch made
            self._written.remember(res, key, dict(current), written)
            if own_writes is not None:
                own_writes.record(res, key, current, body, written)
        _log.info("patched", kind=res.kind, key=key, subresource=subresource, patch=body)
        return True
