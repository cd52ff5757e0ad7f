"""Events about an object's problems, recorded when they appear rather than on every reconcile.

A full resync reconciles every object again; recording its standing problems each time would
be a write per object per resync. What was last reported is kept per object, in memory: after
a restart standing problems are reported once more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mirrorctl.client.events import NORMAL, WARNING, Recorder

__all__ = ["NORMAL", "WARNING", "Notice", "Notices"]


@dataclass(frozen=True, slots=True)
class Notice:
    type: str  # NORMAL or WARNING
    reason: str
    message: str


def _uid(obj: Mapping[str, Any]) -> object:
    metadata = obj.get("metadata")
    return metadata.get("uid") if isinstance(metadata, (dict, Mapping)) else None


class Notices:
    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        # By key, with the uid of the object they were reported about: an object recreated
        # under the same name (before its key was reconciled) has heard none of them.
        self._standing: dict[str, tuple[object, frozenset[Notice]]] = {}

    def report(self, key: str, obj: Mapping[str, Any], notices: Iterable[Notice]) -> None:
        """Record the notices about ``obj`` (whose cache key is ``key``) that were not standing
        already; the ones no longer given stop standing and would be recorded again."""
        current = frozenset(notices)
        if not current and key not in self._standing:
            return  # the common case: nothing to report, nothing standing
        uid = _uid(obj)
        reported_to, previous = self._standing.get(key, (uid, frozenset()))
        if reported_to != uid:
            previous = frozenset()
        for notice in sorted(current - previous, key=lambda n: (n.reason, n.message)):
            self._recorder.event(obj, notice.type, notice.reason, notice.message)
        if current:
            self._standing[key] = (uid, current)
        else:
            self._standing.pop(key, None)

    def forget(self, key: str) -> None:
        self._standing.pop(key, None)

    def standing(self, key: str) -> frozenset[Notice]:
        return self._standing.get(key, (None, frozenset()))[1]
