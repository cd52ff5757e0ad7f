"""The resourceVersions our own writes produced, to tell their watch echoes from news.

Every patch comes back through the watch as an update whose new version is the one the patch
returned. Such an event carries nothing the writer does not already know (it computed the
change, and the `WrittenObjects` it reads hold the result); reconciling again for it costs a
fan-out a second reconcile per object. Any other change to the object, even one made between
our read and our write, has a version of its own and arrives as its own event, so skipping the
echo cannot hide it. Resyncs (``old is new``) are never skipped.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from mirrorctl.client.resource import Resource
from mirrorctl.predicate.funcs import Funcs
from mirrorctl.predicate.interface import Object
from mirrorctl.reconcilers.view import object_key

__all__ = ["OwnWrites", "ignore_echoes"]


def _version(obj: Mapping[str, Any]) -> object:
    metadata = obj.get("metadata")
    return metadata.get("resourceVersion") if isinstance(metadata, Mapping) else None


class OwnWrites:
    """The version each object's latest write by one writer produced. Bounded: the oldest
    entries go first, and a forgotten entry only costs one redundant (idempotent) reconcile.
    An entry matters only until its echo arrives, milliseconds later, so the bound needs to
    cover the writes of one watch delay, not every object ever written."""

    def __init__(self, limit: int = 4096) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        # Ordered so the oldest goes in O(1): a dict's first key is found by scanning the
        # deleted slots before it.
        self._versions: OrderedDict[tuple[str, str, str], object] = OrderedDict()

    def record(self, res: Resource, key: str, written: Mapping[str, Any]) -> None:
        slot = (res.group, res.plural, key)
        versions = self._versions
        version = _version(written)
        if not version:
            versions.pop(slot, None)
            return
        versions[slot] = version
        versions.move_to_end(slot)
        while len(versions) > self._limit:
            versions.popitem(last=False)

    def is_echo(self, res: Resource, obj: Mapping[str, Any]) -> bool:
        """Whether ``obj`` is exactly what a write of ours left behind."""
        version = _version(obj)
        slot = (res.group, res.plural, object_key(obj))
        return bool(version) and self._versions.get(slot) == version

    def __len__(self) -> int:
        return len(self._versions)


def ignore_echoes(writes: OwnWrites, res: Resource) -> Funcs:
    """A predicate for watches of ``res`` that drops the updates echoing ``writes``. Use it
    only on controllers that read nothing those writes change, or that made them."""

    def changed(old: Object, new: Object) -> bool:
        return old is new or not writes.is_echo(res, new)

    return Funcs(on_update=changed)
