"""Errors of cached reads."""

from __future__ import annotations

__all__ = ["CacheError", "CacheNotSyncedError", "NotCachedError"]


class CacheError(Exception):
    """Base of the cache package's errors."""


class CacheNotSyncedError(CacheError):
    """The informer behind a read has not finished its first list (or was never started).

    Answering from a partial cache could make a reconciler act on objects it merely has not
    seen yet, so the read fails instead.
    """


class NotCachedError(CacheError):
    """The read asks for objects outside what the cache watches (e.g. another namespace)."""
