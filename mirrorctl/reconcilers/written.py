"""Read-your-writes over the informer caches.

A reconcile that runs again right after a write (its key was re-queued meanwhile) would read the
cache from before the write, write the same change again and, for a status, report the same
transition twice. The objects the apiserver returned for our writes are kept here until the
cache has caught up with them.

They are kept as the JSON the apiserver sent and decoded only when read: most are never read,
as their write's echo reaches the cache first (`OwnWrites` then drops them, see `caught_up`).
Decoding every answer cost a fan-out about a tenth of its CPU per patched object.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from mirrorctl.client.json_codec import loads
from mirrorctl.client.resource import Resource

__all__ = ["WrittenObjects"]


def _version(obj: dict[str, Any]) -> object:
    metadata = obj.get("metadata")
    return metadata.get("resourceVersion") if isinstance(metadata, dict) else None


def _older(version: object, than: object) -> bool:
    """Whether ``version`` is known to come before ``than``. The apiserver's resourceVersions
    are etcd revisions, increasing integers, though the API documents them as opaque. One
    that is not a plain integer is never taken to be older: the write is then dropped, and
    its own event, which follows that older version, is not taken for an echo (`echoes`), so
    a reconcile still comes after it."""
    if type(version) is not str or type(than) is not str:
        return False
    if not (version.isdigit() and than.isdigit() and version.isascii() and than.isascii()):
        return False
    return int(version) < int(than)


class _Written:
    """One write's answer, decoded on first use; ``answer`` identifies the write."""

    __slots__ = ("_obj", "answer", "superseded")

    def __init__(self, answer: dict[str, Any] | bytes, superseded: frozenset[object]) -> None:
        self.answer = answer
        self._obj: dict[str, Any] | None = answer if isinstance(answer, dict) else None
        # Versions known to be older than the answer: the ones our writes were based on.
        self.superseded = superseded

    def obj(self) -> dict[str, Any] | None:
        """The object, or None if the answer is not one (the write happened all the same:
        its echo will show what it made)."""
        if self._obj is None and isinstance(self.answer, bytes):
            try:
                decoded = loads(self.answer)
            except ValueError:
                decoded = None
            self._obj = decoded if isinstance(decoded, dict) else None
        return self._obj


class WrittenObjects:
    """At most ``limit`` objects are kept, the oldest writes dropped first: an entry is
    normally dropped by the echo of its write or the next read of its object, but an object
    that is never read again (deleted meanwhile) would otherwise stay forever. Dropping one
    early costs at most a repeated, idempotent write."""

    def __init__(self, limit: int = 4096) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._limit = limit
        # Ordered so the oldest goes in O(1) (see `OwnWrites`).
        self._written: OrderedDict[tuple[str, str, str], _Written] = OrderedDict()

    @staticmethod
    def _key(res: Resource, key: str) -> tuple[str, str, str]:
        return (res.group, res.plural, key)

    def remember(
        self, res: Resource, key: str, based_on: dict[str, Any], written: dict[str, Any] | bytes
    ) -> None:
        """``written`` is what the apiserver returned (the object, or its JSON undecoded) for
        a write computed from ``based_on``."""
        slot = self._key(res, key)
        base = _version(based_on)
        superseded = {base}
        previous = self._written.get(slot)
        if previous is not None:
            previous_obj = previous.obj()
            if previous_obj is not None and base == _version(previous_obj):
                superseded |= previous.superseded
        self._written[slot] = _Written(written, frozenset(superseded))
        self._written.move_to_end(slot)  # the newest write
        while len(self._written) > self._limit:
            self._written.popitem(last=False)

    def current(
        self, res: Resource, key: str, cached: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """The newest known state of the object whose cached state is ``cached``."""
        slot = self._key(res, key)
        written = self._written.get(slot)
        if written is None:
            return cached
        obj = written.obj()
        if cached is not None and obj is not None:
            version = _version(cached)
            # The cache may show a version between the one the write was based on and the one
            # it made (another writer's, applied first): the write's result includes it.
            if version in written.superseded or _older(version, _version(obj)):
                return obj
        # The cache caught up with the write, moved past it, or lost the object (or the
        # answer was no object).
        del self._written[slot]
        return cached

    def caught_up(self, res: Resource, key: str, answer: object) -> None:
        """The cache now holds what the write answered with ``answer`` made (its echo came):
        that write's entry goes, undecoded. A later write's entry stays."""
        slot = self._key(res, key)
        written = self._written.get(slot)
        if written is not None and written.answer is answer:
            del self._written[slot]

    def forget(self, res: Resource, key: str) -> None:
        self._written.pop(self._key(res, key), None)

    def __len__(self) -> int:
        return len(self._written)
