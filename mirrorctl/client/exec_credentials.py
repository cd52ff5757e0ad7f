"""Credentials from an exec plugin, re-run ahead of the expiry it reports and after a 401."""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable

import structlog

from mirrorctl.client.credentials import ClientCertificate
from mirrorctl.client.exec_plugin import ExecPlugin, ExecResult
from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.client.single_flight import SingleFlight
from mirrorctl.clock import Clock, RealClock

__all__ = ["ExecCredentials", "renewal_delay"]

# A credential is renewed this far ahead of its expiry, capped at half its remaining lifetime.
EXPIRY_LEAD = 300.0
MIN_RECHECK = 1.0
# After a failed early renewal, the plugin is tried again this often while the token lasts.
RETRY_INTERVAL = 10.0

_log = structlog.get_logger(__name__)


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def renewal_delay(expiry: datetime.datetime, now: datetime.datetime) -> float:
    """Seconds from `now` until a credential expiring at `expiry` should be renewed."""
    remaining = (expiry - now).total_seconds()
    lead = min(EXPIRY_LEAD, max(remaining, 0.0) / 2)
    return max(MIN_RECHECK, remaining - lead)


class ExecCredentials:
    """`Bearer <status.token>` and the client certificate an exec plugin hands out.

    Without an `expirationTimestamp` the credential is kept until the server rejects it. A
    failed early renewal keeps the credential while it is valid and tries again every
    `RETRY_INTERVAL`; past its expiry, or after a 401, the plugin's error is raised. A client
    certificate is offered as `client_certificate`, which the client takes up after each
    refresh (as client-go rotates the connections of an exec-issued certificate).
    """

    __slots__ = (
        "_authorization",
        "_client_certificate",
        "_clock",
        "_expires_at",
        "_flight",
        "_next_check",
        "_plugin",
        "_wall",
    )

    def __init__(
        self,
        plugin: ExecPlugin,
        first: ExecResult,
        *,
        clock: Clock | None = None,
        wall: Callable[[], datetime.datetime] = _utc_now,
    ) -> None:
        self._plugin = plugin
        self._clock: Clock = clock if clock is not None else RealClock()
        self._wall = wall
        self._flight = SingleFlight()
        self._authorization: str | None = None
        self._client_certificate: ClientCertificate | None = None
        self._next_check = math.inf
        self._expires_at = math.inf  # monotonic
        self._take(first)

    def __repr__(self) -> str:
        shown = None if self._authorization is None else "<redacted>"
        return f"ExecCredentials(command={self._plugin.config.command!r}, authorization={shown})"

    @property
    def authorization(self) -> str | None:
        return self._authorization

    @property
    def client_certificate(self) -> ClientCertificate | None:
        return self._client_certificate

    @property
    def refreshable(self) -> bool:
        return True

    def stale(self) -> bool:
        return self._clock.monotonic() >= self._next_check

    def _take(self, result: ExecResult) -> None:
        self._authorization = f"Bearer {result.token}" if result.token else None
        certificate, key = result.client_certificate_data, result.client_key_data
        self._client_certificate = (
            None if certificate is None or key is None else ClientCertificate(certificate, key)
        )
        now = self._clock.monotonic()
        if result.expiry is None:
            self._next_check = self._expires_at = math.inf
        else:
            wall = self._wall()
            self._next_check = now + renewal_delay(result.expiry, wall)
            self._expires_at = now + (result.expiry - wall).total_seconds()

    async def refresh(self, *, force: bool = False) -> None:
        async def rerun() -> None:
            if not (force or self.stale()):
                return
            try:
                result = await self._plugin.run()
            except KubeconfigError as error:
                now = self._clock.monotonic()
                if force or now >= self._expires_at:
                    raise
                _log.warning(
                    "exec plugin failed, keeping the credential until it expires",
                    error=str(error),
                    expires_in=round(self._expires_at - now),
                )
                self._next_check = min(now + RETRY_INTERVAL, self._expires_at)
                return
            self._take(result)

        await self._flight.run(rerun)
