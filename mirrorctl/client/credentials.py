"""The Authorization header, refreshed when kubernetes-asyncio's loaders say it expires."""

from __future__ import annotations

import asyncio
import base64
import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from mirrorctl.clock import Clock, RealClock

__all__ = ["ClientCertificate", "ConfigurationCredentials", "Credentials", "StaticCredentials"]

# The in-cluster loader re-reads the projected token file at most once a minute.
_HOOK_INTERVAL = 60.0
# An exec credential is renewed this far ahead of its expiry (capped at half its lifetime).
_EXPIRY_LEAD = 300.0
_MIN_RECHECK = 1.0


@dataclass(frozen=True, slots=True, repr=False)
class ClientCertificate:
    """A client certificate and its private key (PEM) that a credential source handed out."""

    certificate: bytes
    key: bytes

    def __repr__(self) -> str:
        return "ClientCertificate(<redacted>)"


class Credentials(Protocol):
    """What the client needs from an authentication source.

    `authorization` is read on every request, so it must be a plain attribute-cost lookup;
    `refresh` runs only when `stale` says so (or after a 401 with `force=True`). A source that
    also hands out client certificates (an exec plugin) has a ``client_certificate``
    attribute, a `ClientCertificate` or None, which the client reads after each refresh: a
    new one is taken for every later connection, and the connections authenticated with the
    old one are closed.
    """

    @property
    def authorization(self) -> str | None: ...

    @property
    def refreshable(self) -> bool: ...

    def stale(self) -> bool: ...

    async def refresh(self, *, force: bool = False) -> None: ...


class StaticCredentials:
    """A fixed header value (a bearer token, or nothing for client-certificate auth)."""

    __slots__ = ("_authorization",)

    def __init__(self, authorization: str | None) -> None:
        self._authorization = authorization

    def __repr__(self) -> str:
        shown = None if self._authorization is None else "<redacted>"
        return f"StaticCredentials(authorization={shown})"

    @property
    def authorization(self) -> str | None:
        return self._authorization

    @property
    def refreshable(self) -> bool:
        return False

    def stale(self) -> bool:
        return False

    async def refresh(self, *, force: bool = False) -> None:
        return None


def _header_of(configuration: Any) -> str | None:
    key = configuration.api_key.get("BearerToken")
    if key:
        prefix = configuration.api_key_prefix.get("BearerToken")
        return f"{prefix} {key}" if prefix else str(key)
    if configuration.username is not None or configuration.password is not None:
        pair = f"{configuration.username or ''}:{configuration.password or ''}"
        return "Basic " + base64.b64encode(pair.encode()).decode()
    return None


def _uses_exec(loader: Any) -> bool:
    # kubernetes-asyncio's own refresh_token() decides the same way; the loader offers no
    # public view of the user entry.
    user = getattr(loader, "_user", None)
    try:
        return user is not None and "exec" in user
    except TypeError:
        return False


class ConfigurationCredentials:
    """Credentials read from a `kubernetes_asyncio.client.Configuration`.

    Refreshes follow the loader that filled the configuration: an exec plugin is re-run ahead
    of the `expirationTimestamp` it reported (kept on the loader as `exec_plugin_expiry`), and
    a `refresh_api_key_hook` (the in-cluster token file) is called once a minute. Both are
    also forced after a 401.
    """

    __slots__ = (
        "_authorization",
        "_clock",
        "_configuration",
        "_exec_loader",
        "_lock",
        "_next_check",
        "_wall",
    )

    def __init__(
        self,
        configuration: Any,
        loader: Any = None,
        *,
        clock: Clock | None = None,
        wall: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.UTC),
    ) -> None:
        self._configuration = configuration
        self._exec_loader = loader if loader is not None and _uses_exec(loader) else None
        self._clock: Clock = clock if clock is not None else RealClock()
        self._wall = wall
        self._lock = asyncio.Lock()
        self._authorization = _header_of(configuration)
        self._next_check = self._schedule()

    def __repr__(self) -> str:
        shown = None if self._authorization is None else "<redacted>"
        return f"ConfigurationCredentials(authorization={shown}, refreshable={self.refreshable})"

    @property
    def authorization(self) -> str | None:
        return self._authorization

    @property
    def refreshable(self) -> bool:
        return self._exec_loader is not None or self._configuration.refresh_api_key_hook is not None

    def stale(self) -> bool:
        return self._next_check != math.inf and self._clock.monotonic() >= self._next_check

    def _schedule(self) -> float:
        now = self._clock.monotonic()
        if self._exec_loader is not None:
            expiry = getattr(self._exec_loader, "exec_plugin_expiry", None)
            if isinstance(expiry, datetime.datetime):
                if expiry.tzinfo is None:
                    expiry = expiry.replace(tzinfo=datetime.UTC)
                remaining = (expiry - self._wall()).total_seconds()
                lead = min(_EXPIRY_LEAD, max(remaining, 0.0) / 2)
                return now + max(_MIN_RECHECK, remaining - lead)
        if self._configuration.refresh_api_key_hook is not None:
            return now + _HOOK_INTERVAL
        return math.inf

    async def refresh(self, *, force: bool = False) -> None:
        if not self.refreshable:
            return
        checked_at = self._next_check
        async with self._lock:
            if not force and self._next_check != checked_at:
                return  # a concurrent caller refreshed while we waited for the lock
            loader = self._exec_loader
            if loader is not None:
                # The loader re-runs the plugin only once it considers the token expired;
                # dropping its expiry makes it run now, on our schedule.
                if hasattr(loader, "exec_plugin_expiry"):
                    del loader.exec_plugin_expiry
                await loader.load_from_exec_plugin()
                token = getattr(loader, "token", None)
                if token:
                    self._configuration.api_key["BearerToken"] = token
            header = await self._configuration.get_api_key_with_prefix("BearerToken")
            self._authorization = header if header else _header_of(self._configuration)
            self._next_check = self._schedule()
