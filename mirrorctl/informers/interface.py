"""Read-side protocol of an informer's store, and the type of its index functions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol, TypeAlias

from mirrorctl.client.resource import Resource

__all__ = ["IndexFunc", "ListerWatcher", "StoreReader"]

IndexFunc: TypeAlias = Callable[[dict[str, Any]], list[str]]
"""Maps an object to the index values it is filed under (empty: not indexed)."""

# Aliases, because a method named `list` shadows the builtin inside the class body.
_Objs: TypeAlias = list[dict[str, Any]]
_Keys: TypeAlias = list[str]


class StoreReader(Protocol):
    """What readers of a cache may do: look up, never change. Returned dicts are shared."""

    def get_by_key(self, key: str) -> dict[str, Any] | None: ...

    def list(self) -> _Objs: ...

    def keys(self) -> _Keys: ...

    def by_index(self, index_name: str, value: str) -> _Objs: ...

    def index_keys(self, index_name: str, value: str) -> _Keys: ...

    def has_index(self, index_name: str) -> bool: ...

    @property
    def revision(self) -> int:
        """Changes with every change to the stored objects."""
        ...

    def __len__(self) -> int: ...

    def __contains__(self, key: object) -> bool: ...


class ListerWatcher(Protocol):
    """The two calls an informer makes; `mirrorctl.client.Client` provides them."""

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
        """The List object: ``items``, ``metadata.resourceVersion``, ``metadata.continue``."""
        ...

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
        """``{"type", "object"}`` events; an ERROR event raises (410: `GoneError`)."""
        ...
