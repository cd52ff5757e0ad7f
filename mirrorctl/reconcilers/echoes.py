"""Our own writes, remembered to tell their watch echoes from news.

Every patch comes back through the watch as an update whose new version is the one the patch
returned. Such an event carries nothing the writer does not already know (it computed the
change, and the `WrittenObjects` it reads hold the result); reconciling again for it costs a
fan-out a second reconcile per object. Resyncs (``old is new``) are never skipped.

An update is an echo only if its old object is the version our patch was computed from and its
new object is that version with the patch applied, not merely if it has the version our patch
returned. Another writer's change made between our read and our write shows in one of the two:
- it arrives as its own event first, and the echo's old object is then that other version.
  Skipping it would leave a reconcile that read the other version, without our write, as the
  last word (nothing it reads would change again);
- after a relist the informer reports both as one update, from the version we read to the one
  we wrote, and skipping it would hide the other change from every controller.

So an echo is recognised by its content, never by the resourceVersion the patch returned: an
update from the version the patch was computed from whose only change is that patch (applied
to the old object, the new one is equal but for its resourceVersion). That needs nothing from
the reply, which `WrittenObjects` then need not decode, and it also works when the echo
overtakes the reply (the watch and the patch travel on different connections). Should it be
another writer making the same change, nothing is lost: the object is then just what our write
makes it. Once a write's echo is seen, the cache holds what it made: an answered write's entry
in `WrittenObjects` goes, and the answer of one still in flight is never kept.
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
from mirrorctl.reconcilers.written import WrittenObjects

__all__ = ["OwnWrites", "ignore_echoes"]


def _version(obj: Mapping[str, Any]) -> object:
    metadata = obj.get("metadata")
    return metadata.get("resourceVersion") if isinstance(metadata, (dict, Mapping)) else None


class _Write:
    """One patch: treated as immutable (a plain class: two are made per patch, and a frozen
    dataclass takes three times as long to make)."""

    __slots__ = ("answer", "base", "echoed", "patch")

    def __init__(
        self,
        base: object,  # the version of the object the patch was computed from
        patch: Mapping[str, Any],
        answer: object = None,  # what the apiserver answered, as given to `WrittenObjects`
        echoed: bool = False,  # its echo came while it was in flight
    ) -> None:
        self.base = base
        self.patch = patch
        self.answer = answer
        self.echoed = echoed


_Slot = tuple[str, str, str]


class OwnWrites:
    """Each object's latest write by one writer. Bounded: the oldest entries go first, and a
    forgotten entry only costs one redundant (idempotent) reconcile. An entry matters only
    until its echo arrives, milliseconds later, so the bound needs to cover the writes of one
    watch delay, not every object ever written."""

    def __init__(self, limit: int = 4096, *, written: WrittenObjects | None = None) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        self._written = written  # where the answers are kept, to drop once echoed
        # Ordered so the oldest goes in O(1): a dict's first key is found by scanning the
        # deleted slots before it.
        self._answered: OrderedDict[_Slot, _Write] = OrderedDict()
        # One patch at a time per object: its reconciles never overlap.
        self._in_flight: dict[_Slot, _Write] = {}

    def sending(
        self, res: Resource, key: str, base: Mapping[str, Any], patch: Mapping[str, Any]
    ) -> None:
        """``patch`` (a merge patch computed from ``base``) is about to be sent; call `sent`
        once it is answered."""
        self._in_flight[(res.group, res.plural, key)] = _Write(_version(base), patch)

    def sent(self, res: Resource, key: str, patch: Mapping[str, Any]) -> bool:
        """``patch`` is answered (or failed); True if its echo came first, so the cache
        already holds what it made and there is nothing to `record` or remember."""
        slot = (res.group, res.plural, key)
        write = self._in_flight.get(slot)
        if write is not None and write.patch is patch:
            del self._in_flight[slot]
            return write.echoed
        return False

    def record(
        self,
        res: Resource,
        key: str,
        base: Mapping[str, Any],
        patch: Mapping[str, Any],
        answer: object,
    ) -> None:
        """``patch``, computed from ``base``, was answered with ``answer`` (the object or
        JSON given to `WrittenObjects`, which is never looked into here)."""
        slot = (res.group, res.plural, key)
        answered = self._answered
        answered[slot] = _Write(_version(base), patch, answer)
        answered.move_to_end(slot)
        while len(answered) > self._limit:
            answered.popitem(last=False)

    def is_echo(
        self, res: Resource, obj: Mapping[str, Any], old: Mapping[str, Any] | None = None
    ) -> bool:
        """Whether the update from ``old`` to ``obj`` is exactly a write of ours: ``old`` is
        the version the write (the latest answered, or the one in flight) was computed from,
        and ``obj`` is ``old`` with its patch applied."""
        version = _version(obj)
        if not version or old is None:
            return False
        key = object_key(obj)
        slot = (res.group, res.plural, key)
        base = _version(old)
        in_flight = False
        write = self._answered.get(slot)
        if write is None or write.base != base:
            write = self._in_flight.get(slot)
            if write is None or write.base != base:
                return False
            in_flight = True
        try:
            echo = bool(_patched(old, write.patch, version) == obj)
        except RecursionError:
            # Something nested too deep to compare (a custom resource may nest 10,000
            # levels): taken as news, which costs one redundant reconcile at most.
            return False
        if echo and in_flight:
            self._in_flight[slot] = _Write(write.base, write.patch, echoed=True)
        elif echo and write.answer is not None and self._written is not None:
            self._written.caught_up(res, key, write.answer)
        return echo

    def __len__(self) -> int:
        return len(self._answered)


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
