"""The informer cache: objects by key plus secondary indexes, for one event loop (no locks)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from mirrorctl.informers.errors import IndexConflictError, UnknownIndexError
from mirrorctl.informers.interface import IndexFunc
from mirrorctl.informers.keys import key_of
from mirrorctl.informers.tombstone import DeletedFinalStateUnknown

__all__ = ["NAMESPACE_INDEX", "Indexer", "ReplaceResult", "namespace_index"]

log = structlog.get_logger(__name__)

NAMESPACE_INDEX = "namespace"

_Obj = dict[str, Any]
# index value -> keys filed under it; a dict keeps insertion order, so lookups are stable.
_Index = dict[str, dict[str, None]]
# Aliases, because the method named `list` shadows the builtin inside the class body.
_Objs = list[_Obj]
_Keys = list[str]


def namespace_index(obj: _Obj) -> list[str]:
    """Index function filing an object under its namespace (cluster-scoped: not filed)."""
    namespace = obj["metadata"].get("namespace")
    return [namespace] if namespace else []


@dataclass(frozen=True, slots=True)
class ReplaceResult:
    """What a relist changed: the informer turns this into handler events."""

    added: list[_Obj]
    updated: list[tuple[_Obj, _Obj]]
    deleted: list[DeletedFinalStateUnknown]


def _resource_version(obj: _Obj) -> str:
    rv = obj["metadata"].get("resourceVersion")
    return rv if isinstance(rv, str) else ""


class Indexer:
    """Objects by key with named secondary indexes.

    Index maintenance costs O(index values of the old and new object) per change, and an
    unchanged value list costs one comparison. An object whose index function raises is
    stored (and logged) but filed under no value of that index. Not thread-safe by design:
    the informer's event loop is the only writer. Stored dicts are shared with every reader,
    so nobody may mutate them.
    """

    __slots__ = ("_indexers", "_indices", "_items", "_revision", "_sealed")

    def __init__(self, indexers: Mapping[str, IndexFunc] | None = None) -> None:
        self._items: dict[str, _Obj] = {}
        self._indexers: dict[str, IndexFunc] = {}
        self._indices: dict[str, _Index] = {}
        self._revision = 0
        self._sealed = False
        if indexers:
            self.add_indexers(indexers)

    # -- indexes --------------------------------------------------------------------------

    def add_indexers(self, indexers: Mapping[str, IndexFunc]) -> None:
        """Add named index functions; only before the store is sealed or holds anything.

        Adding later would leave the index blind to objects already stored (and to the
        informer's consumers that already rely on its contents), so it is refused outright.
        """
        if self._sealed:
            raise IndexConflictError(
                "cannot add indexers after the informer has started; add them before start()"
            )
        if self._items:
            raise IndexConflictError("cannot add indexers to a store that already holds objects")
        taken = sorted(set(indexers) & set(self._indexers))
        if taken:
            raise IndexConflictError(f"indexer(s) already exist: {', '.join(taken)}")
        for name, func in indexers.items():
            self._indexers[name] = func
            self._indices[name] = {}

    def seal(self) -> None:
        """Refuse further `add_indexers`; the informer calls this when it starts."""
        self._sealed = True

    @property
    def sealed(self) -> bool:
        return self._sealed

    @property
    def revision(self) -> int:
        """A number that changes with every change to the stored objects: whatever a reader
        derives from many of them (a count over an index) stays true while it is the same."""
        return self._revision

    def has_index(self, index_name: str) -> bool:
        return index_name in self._indexers

    def index_names(self) -> _Keys:
        return list(self._indexers)

    def by_index(self, index_name: str, value: str) -> _Objs:
        """Objects whose index function returned `value` for index `index_name`."""
        items = self._items
        return [items[key] for key in self._index(index_name).get(value, ())]

    def index_keys(self, index_name: str, value: str) -> _Keys:
        """Keys of the objects `by_index` would return."""
        return list(self._index(index_name).get(value, ()))

    def index_values(self, index_name: str) -> _Keys:
        """Every value some stored object is currently filed under in that index."""
        return list(self._index(index_name))

    def _index(self, index_name: str) -> _Index:
        try:
            return self._indices[index_name]
        except KeyError:
            raise UnknownIndexError(index_name) from None

    def _reindex(self, key: str, old: _Obj | None, new: _Obj | None) -> None:
        # An index function that raises (a field some objects lack) files the object under
        # nothing in that index. Letting it escape would leave the object stored but its
        # change unannounced, and the watch would replay the event forever.
        for name, func in self._indexers.items():
            try:
                old_values = func(old) if old is not None else ()
            except Exception:
                # Index functions are deterministic: it raised when `old` was stored, too.
                old_values = ()
            try:
                new_values = func(new) if new is not None else ()
            except Exception:
                log.exception(
                    "index function failed; object left out of the index", index=name, key=key
                )
                new_values = ()
            if old_values == new_values:
                continue
            index = self._indices[name]
            # Long value lists get a set so that a change stays linear in the values.
            keep = new_values if len(new_values) < 8 else frozenset(new_values)
            for value in old_values:
                if value in keep:
                    continue
                keys = index.get(value)
                if keys is not None:
                    keys.pop(key, None)
                    if not keys:
                        del index[value]
            for value in new_values:
                index.setdefault(value, {})[key] = None

    # -- objects --------------------------------------------------------------------------

    def set(self, key: str, obj: _Obj) -> _Obj | None:
        """Store `obj` under `key` (computed by the caller); returns the replaced object."""
        items = self._items
        old = items.get(key)
        items[key] = obj
        self._revision += 1
        if self._indexers:
            self._reindex(key, old, obj)
        return old

    def pop(self, key: str) -> _Obj | None:
        """Remove and return the object stored under `key`, if any."""
        old = self._items.pop(key, None)
        if old is None:
            return None
        self._revision += 1
        if self._indexers:
            self._reindex(key, old, None)
        return old

    def add(self, obj: _Obj) -> None:
        self.set(key_of(obj), obj)

    def update(self, obj: _Obj) -> None:
        self.set(key_of(obj), obj)

    def delete(self, obj: _Obj | DeletedFinalStateUnknown) -> None:
        self.pop(key_of(obj))

    def get(self, obj: _Obj) -> _Obj | None:
        """The stored object with the same key as `obj`."""
        return self._items.get(key_of(obj))

    def get_by_key(self, key: str) -> _Obj | None:
        return self._items.get(key)

    def list(self) -> _Objs:
        return list(self._items.values())

    def keys(self) -> _Keys:
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def replace(self, objs: Iterable[_Obj]) -> ReplaceResult:
        """Make the store hold exactly `objs` (a relist) and report the difference.

        An object whose resourceVersion is unchanged keeps its stored dict and is not
        reported; one that disappeared is reported as a `DeletedFinalStateUnknown` carrying
        its last cached state, because its actual deletion was never observed.
        """
        old_items = self._items
        new_items: dict[str, _Obj] = {}
        added: list[_Obj] = []
        updated: list[tuple[_Obj, _Obj]] = []
        for obj in objs:
            key = key_of(obj)
            old = old_items.get(key)
            if old is None:
                added.append(obj)
            else:
                rv = _resource_version(obj)
                if rv and rv == _resource_version(old):
                    obj = old
                else:
                    updated.append((old, obj))
            new_items[key] = obj
        deleted = [
            DeletedFinalStateUnknown(key, obj)
            for key, obj in old_items.items()
            if key not in new_items
        ]
        self._items = new_items
        self._revision += 1
        if self._indexers:
            for tombstone in deleted:
                self._reindex(tombstone.key, tombstone.obj, None)
            for old, new in updated:
                self._reindex(key_of(new), old, new)
            for new in added:
                self._reindex(key_of(new), None, new)
        return ReplaceResult(added=added, updated=updated, deleted=deleted)
