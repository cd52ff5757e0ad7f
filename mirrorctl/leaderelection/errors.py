"""`LeaseAccessError`: the Lease cannot be used at all, so contending for it is pointless."""

from __future__ import annotations

__all__ = ["LeaseAccessError"]


class LeaseAccessError(Exception):
    """The apiserver forbids this identity the Lease, or the Lease's namespace does not exist.

    Raised by `LeaderElector.run` instead of retrying: no later attempt can succeed until
    someone changes RBAC or creates the namespace, and a candidate retrying quietly would look
    like a healthy standby while never leading.
    """
