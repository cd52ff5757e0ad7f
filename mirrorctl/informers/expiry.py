"""Recognising a resourceVersion the apiserver can no longer (or cannot yet) serve."""

from __future__ import annotations

from mirrorctl.client.errors import ApiError, GoneError

__all__ = ["is_expired", "is_too_large_resource_version"]


def is_expired(err: BaseException) -> bool:
    """410: the resourceVersion (or a continue token) is older than etcd still holds."""
    return isinstance(err, GoneError) or (
        isinstance(err, ApiError) and err.reason in ("Expired", "Gone")
    )


def is_too_large_resource_version(err: BaseException) -> bool:
    """The server has not yet seen the resourceVersion asked for (restored etcd, new cache)."""
    if not isinstance(err, ApiError):
        return False
    causes = err.details.get("causes")
    if isinstance(causes, list) and any(
        isinstance(c, dict) and c.get("reason") == "ResourceVersionTooLarge" for c in causes
    ):
        return True
    return "too large resource version" in err.message.lower()
