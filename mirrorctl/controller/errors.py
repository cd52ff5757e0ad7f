"""Errors raised by controllers."""

from __future__ import annotations

__all__ = ["CacheSyncTimeoutError", "ReconcileTimeoutError"]


class ReconcileTimeoutError(TimeoutError):
    """A reconcile overran the controller's ``reconcile_timeout`` and was cancelled."""


class CacheSyncTimeoutError(TimeoutError):
    """A watched informer did not finish its initial list within ``cache_sync_timeout``."""
