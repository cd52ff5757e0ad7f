"""Errors a reconciler raises to steer the controller."""

from __future__ import annotations

__all__ = ["TerminalError"]


class TerminalError(Exception):
    """A failure that retrying cannot fix (invalid spec, unsupported configuration).

    The controller logs and counts it but does not requeue the key: only a new event on the
    object brings it back. Raise it ``from`` the underlying exception to keep the cause.
    """
