"""Bearer token read from a file that rotates (projected service-account tokens, `tokenFile`)."""

from __future__ import annotations

from pathlib import Path

import structlog

from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.client.single_flight import SingleFlight
from mirrorctl.clock import Clock, RealClock

__all__ = ["TokenFileCredentials", "read_token_file"]

# As client-go's cached file token source: a rotated token is picked up within a minute.
REREAD_INTERVAL = 60.0

_log = structlog.get_logger(__name__)


def read_token_file(path: str | Path, owner: str) -> str:
    """The token in `path`, surrounding whitespace dropped; `owner` names who uses it."""
    try:
        token = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise KubeconfigError(
            f"cannot read the token file {str(path)!r} of {owner}: {reason}"
        ) from None
    if not token:
        raise KubeconfigError(f"the token file {str(path)!r} of {owner} is empty")
    return token


class TokenFileCredentials:
    """`Bearer <file content>`, re-read at most once a minute and on a forced refresh.

    A failed re-read keeps the previous token (the file may be mid-rotation) and tries again
    at the next check. The first read, at construction, must succeed unless a ``fallback``
    token is given (a kubeconfig user with both ``token`` and ``tokenFile``): as in client-go,
    the file's token is used whenever it can be read, and the fallback until then.
    """

    __slots__ = (
        "_authorization",
        "_clock",
        "_flight",
        "_next_check",
        "_owner",
        "_path",
    )

    def __init__(
        self,
        path: str | Path,
        *,
        owner: str,
        clock: Clock | None = None,
        fallback: str | None = None,
    ) -> None:
        self._path = Path(path)
        self._owner = owner
        self._clock: Clock = clock if clock is not None else RealClock()
        self._flight = SingleFlight()
        try:
            self._authorization = "Bearer " + read_token_file(self._path, owner)
        except KubeconfigError as error:
            if fallback is None:
                raise
            _log.warning("token file unreadable, using the kubeconfig's token", error=str(error))
            self._authorization = "Bearer " + fallback
        self._next_check = self._clock.monotonic() + REREAD_INTERVAL

    def __repr__(self) -> str:
        return f"TokenFileCredentials(path={str(self._path)!r}, authorization=<redacted>)"

    @property
    def path(self) -> Path:
        return self._path

    @property
    def authorization(self) -> str:
        return self._authorization

    @property
    def refreshable(self) -> bool:
        return True

    def stale(self) -> bool:
        return self._clock.monotonic() >= self._next_check

    async def refresh(self, *, force: bool = False) -> None:
        await self._flight.run(self._reread)

    async def _reread(self) -> None:
        try:
            self._authorization = "Bearer " + read_token_file(self._path, self._owner)
        except KubeconfigError as error:
            _log.warning("token file unreadable, keeping the previous token", error=str(error))
        self._next_check = self._clock.monotonic() + REREAD_INTERVAL
