"""Errors a manager's ``start()`` ends with."""

from __future__ import annotations

__all__ = ["LeaderElectionLostError", "ManagerError"]


class ManagerError(Exception):
    """The manager stopped because something it ran failed."""


class LeaderElectionLostError(ManagerError):
    """Leadership was lost without being given up.

    Leader-only work was cancelled at once (another replica may already be starting), and
    the process is expected to exit: a fresh start re-lists everything before leading again.
    """
