"""`Reader`: how reconcilers read the informer caches."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from mirrorctl.client.resource import Resource

__all__ = ["Reader"]

# Aliases, because the method named `list` shadows the builtin inside the class body.
_Objs = list[dict[str, Any]]
_Keys = list[str]


class Reader(Protocol):
    """Cached reads, answered from memory without a request.

    The dicts returned are the cache's own objects, shared with every other reader and with
    the informers' handlers: never mutate them (copy first, e.g. with `copy.deepcopy`, to
    build a change).
    """

    def get(self, res: Resource, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        """The cached object, or None if the cache does not hold it."""
        ...

    def list(
        self,
        res: Resource,
        namespace: str | None = None,
        label_selector: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Cached objects, optionally in one namespace and carrying all the given labels."""
        ...

    def by_index(self, res: Resource, index: str, value: str) -> _Objs:
        """Cached objects filed under `value` in the named index."""
        ...

    def index_keys(self, res: Resource, index: str, value: str) -> _Keys:
        """Keys (``namespace/name`` or ``name``) of the objects `by_index` returns: for a
        caller that needs only the keys, as client-go's ``IndexKeys``."""
        ...

    def revision(self, res: Resource) -> int:
        """A number that changes whenever any cached object of ``res`` does: a reader that
        derives something from many objects (a count over an index) may keep it while the
        number stays the same."""
        ...
