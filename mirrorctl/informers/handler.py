"""The protocol informers deliver events through, and a callable-based implementation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from mirrorctl.informers.tombstone import DeletedFinalStateUnknown

__all__ = ["EventHandlerFuncs", "ResourceEventHandler"]


class ResourceEventHandler(Protocol):
    """Receives an informer's events synchronously, in order, after the store changed.

    Handlers run on the event loop between watch events, so they must be quick: enqueue a
    key and return. Objects passed are the cached dicts and must not be mutated. What one
    raises, `CancelledError` included, is logged and skipped; the informer carries on.
    """

    def on_add(self, obj: dict[str, Any], is_initial_list: bool) -> None: ...

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        """On a periodic resync `old is new`."""

    def on_delete(self, obj: dict[str, Any] | DeletedFinalStateUnknown) -> None: ...


@dataclass(frozen=True, slots=True)
class EventHandlerFuncs:
    """A handler built from optional callables; a missing one ignores that event kind."""

    add: Callable[[dict[str, Any], bool], None] | None = None
    update: Callable[[dict[str, Any], dict[str, Any]], None] | None = None
    delete: Callable[[dict[str, Any] | DeletedFinalStateUnknown], None] | None = None

    def on_add(self, obj: dict[str, Any], is_initial_list: bool) -> None:
        if self.add is not None:
            self.add(obj, is_initial_list)

    def on_update(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        if self.update is not None:
            self.update(old, new)

    def on_delete(self, obj: dict[str, Any] | DeletedFinalStateUnknown) -> None:
        if self.delete is not None:
            self.delete(obj)
