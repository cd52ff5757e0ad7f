"""`ValuePool`: one copy of each value that repeats across cached objects.

Network references, FQ names, Contrail keys and the mirroring configuration repeat on every
VMI of a network or destination; uids, names, MACs and a pod's network status do not. Interning
every string keeps one table entry per unique value for the life of the process, so the pool
shares a value only from its second sighting on: first sightings wait in a bounded queue and
are forgotten, and unique values cost nothing beyond it. A sighting names the object it comes
from, so that the next version of the same object (every update is trimmed again) does not
count as a repeat.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import orjson

__all__ = ["ValuePool"]

# How deep the parts of a value are pooled. Contrail references are three levels deep; an
# object's author may nest a value 10,000 levels (the apiserver's bound), and rebuilding
# that would exceed Python's recursion limit in the informer's transform, which would then
# keep the object's previous version in the cache without a word.
_LEVELS = 32


class ValuePool:
    """Shares equal strings, and equal JSON lists and dicts, among the objects passed through
    `share`. Shared containers are the same object in several cached objects: the cache's
    objects are read-only, and this relies on it.

    ``candidates`` bounds the values remembered after one sighting; ``limit`` bounds the
    values shared. A full pool starts over: values that no cached object uses any more are
    let go (those still in use stay with their objects), at the price of a second copy of a
    value still in use once it is seen twice again.
    """

    __slots__ = ("_candidates", "_containers", "_limit", "_pending", "_texts")

    def __init__(self, *, candidates: int = 8192, limit: int = 65536) -> None:
        if candidates < 1 or limit < 1:
            raise ValueError("candidates and limit must be >= 1")
        self._candidates = candidates
        self._limit = limit
        # Containers are keyed by their JSON text, apart from strings: an annotation's value
        # may be the very JSON text of some list.
        self._texts: dict[str, str] = {}
        self._containers: dict[str, Any] = {}
        # An OrderedDict: dropping a plain dict's oldest key scans the deleted slots in front
        # of it, 3 us per first sighting once the queue is full (0.5 us here).
        self._pending: OrderedDict[tuple[bool, str], object] = OrderedDict()

    def __len__(self) -> int:
        return len(self._texts) + len(self._containers)

    def _pooled(
        self, table: dict[str, Any], container: bool, key: str, value: Any, owner: object
    ) -> Any:
        found = table.get(key)
        if found is not None:
            return found
        pending = self._pending
        marker = (container, key)
        seen_in = pending.get(marker, pending)  # pending itself: never seen
        if seen_in is not pending:
            if owner is not None and seen_in == owner:
                return value  # the same object again, not a value two objects hold
            del pending[marker]
            if len(self) >= self._limit:
                self._texts.clear()
                self._containers.clear()
            table[key] = value
            return value
        pending[marker] = owner
        if len(pending) > self._candidates:
            pending.popitem(last=False)
        return value

    def text(self, value: str, owner: object = None) -> str:
        """The pool's copy of ``value`` (``value`` itself until another object than ``owner``
        has it too; None: any second sighting)."""
        return self._pooled(self._texts, False, value, value, owner)  # type: ignore[no-any-return]

    def share(self, value: Any, owner: object = None) -> Any:
        """``value`` with its strings pooled and, for lists and dicts, the whole container
        pooled by its JSON form (``owner`` as for `text`)."""
        return self._share(value, owner, _LEVELS)

    def _share(self, value: Any, owner: object, levels: int) -> Any:
        if type(value) is str:
            return self._pooled(self._texts, False, value, value, owner)
        if not isinstance(value, (list, dict)):
            return value
        try:
            # Decoded: orjson's bytes keep a 4 KB buffer however short the text.
            key = orjson.dumps(value).decode()
        except TypeError:
            # Not JSON (a test's stand-in), or nested deeper than orjson writes: not pooled.
            return self._rebuilt(value, owner, levels)
        found = self._containers.get(key)
        if found is not None:
            return found  # the common case: its parts were shared when it was pooled
        return self._pooled(self._containers, True, key, self._rebuilt(value, owner, levels), owner)

    def _rebuilt(self, value: list[Any] | dict[str, Any], owner: object, levels: int) -> Any:
        if levels == 0:
            return value  # below `_LEVELS`, kept as it is
        if isinstance(value, list):
            return [self._share(v, owner, levels - 1) for v in value]
        return {k: self._share(v, owner, levels - 1) for k, v in value.items()}
