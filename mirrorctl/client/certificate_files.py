"""A client certificate read from files that rotate (kubeconfig ``client-certificate`` and
``client-key`` paths, e.g. a mounted Secret that cert-manager renews)."""

from __future__ import annotations

import ssl
from pathlib import Path

import structlog

from mirrorctl.client.credentials import ClientCertificate, Credentials
from mirrorctl.client.key_material import KeyMaterial, default_key_material
from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.client.single_flight import SingleFlight
from mirrorctl.clock import Clock, RealClock

__all__ = ["CertificateFileCredentials", "read_key_pair"]

# As client-go's CertCallbackRefreshDuration: a renewed pair is taken within five minutes.
REREAD_INTERVAL = 300.0
# A pair that cannot be used is most often caught mid-renewal (one file written, not yet the
# other): looked at again soon.
RETRY_INTERVAL = 10.0

_log = structlog.get_logger(__name__)


def read_key_pair(
    certificate: Path, key: Path, owner: str, material: KeyMaterial | None = None
) -> ClientCertificate:
    """The pair in the two files, checked to be a certificate and its key (so that a client
    never takes half of a renewal); `owner` names who uses it."""
    try:
        pair = ClientCertificate(certificate.read_bytes(), key.read_bytes())
    except OSError as error:
        raise KubeconfigError(
            f"cannot read the client certificate {str(certificate)!r} or key {str(key)!r} "
            f"of {owner}: {error.strerror or type(error).__name__}"
        ) from None
    try:
        (material or default_key_material()).load_key_pair(
            ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), pair.certificate, pair.key
        )
    except ssl.SSLError as error:
        raise KubeconfigError(
            f"the client certificate {str(certificate)!r} and key {str(key)!r} of {owner} "
            f"are not a usable pair: {error.reason or error}"
        ) from None
    return pair


class CertificateFileCredentials:
    """``inner``'s authorization, plus the client certificate in two files, read again every
    five minutes and on a forced refresh (a 401). The client takes a new pair up for its later
    connections and closes those made with the old one, as client-go's certificate rotation
    does. A pair that cannot be read or does not match keeps the previous one and is tried
    again after `RETRY_INTERVAL`. A certificate the inner source hands out (an exec plugin's)
    comes first."""

    __slots__ = (
        "_certificate",
        "_clock",
        "_flight",
        "_inner",
        "_interval",
        "_key",
        "_material",
        "_next_check",
        "_owner",
        "_pair",
    )

    def __init__(
        self,
        inner: Credentials,
        certificate: str | Path,
        key: str | Path,
        *,
        owner: str,
        clock: Clock | None = None,
        interval: float = REREAD_INTERVAL,
        material: KeyMaterial | None = None,
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be > 0")
        self._inner = inner
        self._certificate = Path(certificate)
        self._key = Path(key)
        self._owner = owner
        self._clock: Clock = clock if clock is not None else RealClock()
        self._interval = interval
        self._material = material
        self._flight = SingleFlight()
        self._pair = read_key_pair(self._certificate, self._key, owner, material)
        self._next_check = self._clock.monotonic() + interval

    def __repr__(self) -> str:
        return (
            f"CertificateFileCredentials({self._inner!r}, certificate={str(self._certificate)!r}"
            f", key={str(self._key)!r})"
        )

    @property
    def authorization(self) -> str | None:
        return self._inner.authorization

    @property
    def refreshable(self) -> bool:
        return True

    @property
    def client_certificate(self) -> ClientCertificate | None:
        handed_out: ClientCertificate | None = getattr(self._inner, "client_certificate", None)
        return handed_out if handed_out is not None else self._pair

    def stale(self) -> bool:
        return self._inner.stale() or self._clock.monotonic() >= self._next_check

    async def refresh(self, *, force: bool = False) -> None:
        if force or self._inner.stale():
            await self._inner.refresh(force=force)
        if force or self._clock.monotonic() >= self._next_check:
            await self._flight.run(self._reread)

    async def _reread(self) -> None:
        try:
            self._pair = read_key_pair(self._certificate, self._key, self._owner, self._material)
        except KubeconfigError as error:
            _log.warning("client certificate unusable, keeping the previous one", error=str(error))
            self._next_check = self._clock.monotonic() + min(RETRY_INTERVAL, self._interval)
            return
        self._next_check = self._clock.monotonic() + self._interval
