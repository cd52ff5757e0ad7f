"""What a controller watches: anything that delivers informer events and can report sync."""

from __future__ import annotations

from typing import Protocol

from mirrorctl.informers.handler import ResourceEventHandler

__all__ = ["Source"]


class Source(Protocol):
    """An event source, in practice a ``SharedInformer`` shared through the manager."""

    def add_event_handler(self, handler: ResourceEventHandler) -> object: ...

    def has_synced(self) -> bool: ...

    async def wait_for_sync(self, timeout: float | None = None) -> bool: ...
