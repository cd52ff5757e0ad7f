"""A predicate passing only objects whose labels match a selector."""

from __future__ import annotations

from dataclasses import dataclass

from mirrorctl.predicate.interface import Object
from mirrorctl.predicate.labelselector import LabelSelector

__all__ = ["LabelSelectorPredicate"]


def _labels(obj: Object) -> dict[str, str] | None:
    metadata = obj.get("metadata") or {}
    labels: dict[str, str] | None = metadata.get("labels")
    return labels


@dataclass(frozen=True, slots=True)
class LabelSelectorPredicate:
    """Passes events of matching objects; updates are judged on the new object.

    An object relabelled out of the selector therefore produces no event: pair it with a
    server-side selector on the informer when that transition matters.
    """

    selector: LabelSelector

    def create(self, obj: Object) -> bool:
        return self.selector.matches(_labels(obj))

    def update(self, old: Object, new: Object) -> bool:
        return self.selector.matches(_labels(new))

    def delete(self, obj: Object) -> bool:
        return self.selector.matches(_labels(obj))
