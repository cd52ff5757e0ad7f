"""The resourceVersions our own writes produced, to tell their watch echoes from news.

Every patch comes back through the watch as an update whose new version is the one the patch
returned. Such an event carries nothing the writer does not already know (it computed the
change, and the `WrittenObjects` it reads hold the result); reconciling again for it costs a
fan-out a second reconcile per object. Any other change to the object, even one made between
our read and our write, has a version of its own and arrives as its own event, so skipping the
echo cannot hide it. Resyncs (``old is new``) are never skipped.

The echo can also overtake the reply: the watch and the patch travel on different connections.
While a patch is in flight, an update whose only change is that patch (applied to the old
object, the new one is equal but for its resourceVersion) is taken for its echo. Should it be
another writer making the same change, nothing is lost: the object is then just what our write
makes it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from mirrorctl.client.resource import Resource
from mirrorctl.predicate.funcs import Funcs
from mirrorctl.predicate.interface import Object
from mirrorctl.reconcilers.merge_patch import apply_merge_patch
from mirrorctl.reconcilers.view import object_key

__all__ = ["OwnWrites", "ignore_echoes"]


def _version(obj: Mapping[str, Any]) -> object:
    metadata = obj.get("metadata")
    return metadata.get("resourceVersion") if isinstance(metadata, (dict, Mapping)) else None


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
        # One patch at a time per object: its reconciles never overlap.
        self._in_flight: dict[tuple[str, str, str], Mapping[str, Any]] = {}

    def sending(self, res: Resource, key: str, patch: Mapping[str, Any]) -> None:
        """``patch`` (a merge patch) is about to be sent; call `sent` once it is answered."""
        self._in_flight[(res.group, res.plural, key)] = patch

    def sent(self, res: Resource, key: str, patch: Mapping[str, Any]) -> None:
        slot = (res.group, res.plural, key)
        if self._in_flight.get(slot) is patch:
            del self._in_flight[slot]

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

    def is_echo(
        self, res: Resource, obj: Mapping[str, Any], old: Mapping[str, Any] | None = None
    ) -> bool:
        """Whether ``obj`` is exactly what a write of ours left behind (``old``: the version
        before it, to recognise the echo of a patch still in flight)."""
        version = _version(obj)
        if not version:
            return False
        slot = (res.group, res.plural, object_key(obj))
        if self._versions.get(slot) == version:
            return True
        patch = self._in_flight.get(slot)
        return patch is not None and old is not None and _patched(old, patch, version) == obj

    def __len__(self) -> int:
        return len(self._versions)


def _patched(old: Mapping[str, Any], patch: Mapping[str, Any], version: object) -> Any:
    """``old`` with ``patch`` applied and the resourceVersion ``version``."""
    # With metadata always in the patch, the result's metadata is a new dict, never the
    # cached object's, so setting its resourceVersion leaves the cache untouched.
    patched = apply_merge_patch(old, {**patch, "metadata": patch.get("metadata", {})})
    patched["metadata"]["resourceVersion"] = version
    return patched


def ignore_echoes(writes: OwnWrites, res: Resource) -> Funcs:
    """A predicate for watches of ``res`` that drops the updates echoing ``writes``. Use it
    only on controllers that read nothing those writes change, or that made them. One
    predicate may serve several controllers: each event is judged once."""
    last: list[Any] = [None, True]  # the newest object judged, and the verdict

    def changed(old: Object, new: Object) -> bool:
        if old is new:
            return True
        if last[0] is new:
            # The same event, for the next controller: nothing ran in between.
            return bool(last[1])
        verdict = not writes.is_echo(res, new, old)
        last[0], last[1] = new, verdict
        return verdict

    return Funcs(on_update=changed)
