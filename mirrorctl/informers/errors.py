"""Errors raised by informer stores and informers."""

from __future__ import annotations

__all__ = [
    "IndexConflictError",
    "InformerError",
    "InformerStartedError",
    "UnknownIndexError",
    "WatchSilentError",
]


class InformerError(Exception):
    """Base of the informer package's errors."""


class InformerStartedError(InformerError):
    """A change that is only allowed before an informer starts was attempted after it."""


class IndexConflictError(InformerError):
    """Indexers cannot be added: the name is taken, or the store is running or populated."""


class UnknownIndexError(InformerError, KeyError):
    """A lookup named an index that was never added."""

    def __str__(self) -> str:
        return f"no index named {self.args[0]!r}"


class WatchSilentError(InformerError):
    """A watch delivered neither an event nor a bookmark for longer than it may stay quiet."""
