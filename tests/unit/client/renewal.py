"""The renewal every refreshable credential owes the client, checked the same way for each."""

from __future__ import annotations

from mirrorctl.client.credentials import Credentials
from mirrorctl.clock import FakeClock

__all__ = ["check_hourly_renewal"]


async def check_hourly_renewal(clock: FakeClock, credentials: Credentials) -> None:
    """A credential valid for one hour (``token-1``) is renewed five minutes early
    (``token-2``) and once more when the client forces it after a 401 (``token-3``)."""
    assert credentials.authorization == "Bearer token-1"
    assert credentials.refreshable
    await clock.advance(55 * 60 - 1)
    assert not credentials.stale()
    await clock.advance(1)
    assert credentials.stale()
    await credentials.refresh()
    assert credentials.authorization == "Bearer token-2"
    assert not credentials.stale()
    # Forced even though the credential is not due.
    await credentials.refresh(force=True)
    assert credentials.authorization == "Bearer token-3"
