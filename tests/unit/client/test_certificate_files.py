"""Client certificates read from files that are renewed in place, on a fake clock."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from mirrorctl.client.certificate_files import (
    REREAD_INTERVAL,
    RETRY_INTERVAL,
    CertificateFileCredentials,
)
from mirrorctl.client.credentials import ClientCertificate, StaticCredentials
from mirrorctl.client.key_material import KeyMaterial
from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.clock import FakeClock
from mirrorctl.envtest.certs import issue_client_certificate, write_certificates

OWNER = "user 'u'"


class Pairs:
    """Fresh key pairs from one client CA, written where a kubeconfig would point."""

    def __init__(self, directory: Path) -> None:
        (directory / "pki").mkdir()
        self._certs = write_certificates(directory / "pki")
        self.certificate = directory / "client.crt"
        self.key = directory / "client.key"
        (directory / "keys").mkdir()
        self.material = KeyMaterial(directory / "keys")

    def new(self) -> ClientCertificate:
        certificate, key, _ = issue_client_certificate(
            self._certs.client_ca_cert,
            self._certs.client_ca_key,
            "u",
            (),
            datetime.timedelta(hours=1),
        )
        return ClientCertificate(certificate, key)

    def write(self, pair: ClientCertificate) -> None:
        self.certificate.write_bytes(pair.certificate)
        self.key.write_bytes(pair.key)

    def credentials(self, clock: FakeClock, inner: object = None) -> CertificateFileCredentials:
        return CertificateFileCredentials(
            inner if inner is not None else StaticCredentials(None),  # type: ignore[arg-type]
            self.certificate,
            self.key,
            owner=OWNER,
            clock=clock,
            material=self.material,
        )


@pytest.fixture
def pairs(tmp_path: Path) -> Pairs:
    return Pairs(tmp_path)


async def test_a_renewed_pair_is_taken_within_five_minutes(pairs: Pairs) -> None:
    first, second = pairs.new(), pairs.new()
    pairs.write(first)
    clock = FakeClock()
    credentials = pairs.credentials(clock)
    assert credentials.client_certificate == first
    assert credentials.refreshable  # a 401 reads the files again at once
    pairs.write(second)
    await clock.advance(REREAD_INTERVAL - 1)
    assert not credentials.stale()
    await clock.advance(1)
    assert credentials.stale()
    await credentials.refresh()
    assert credentials.client_certificate == second
    assert not credentials.stale()
    assert list(pairs.material.directory.iterdir()) == []  # checking the pair left nothing


async def test_half_a_renewal_keeps_the_previous_pair_and_is_retried_soon(pairs: Pairs) -> None:
    first, second = pairs.new(), pairs.new()
    pairs.write(first)
    clock = FakeClock()
    credentials = pairs.credentials(clock)
    pairs.certificate.write_bytes(second.certificate)  # the key is not written yet
    await clock.advance(REREAD_INTERVAL)
    await credentials.refresh()
    assert credentials.client_certificate == first
    await clock.advance(RETRY_INTERVAL - 1)
    assert not credentials.stale()
    await clock.advance(1)
    pairs.key.write_bytes(second.key)
    await credentials.refresh()
    assert credentials.client_certificate == second


async def test_a_vanished_file_keeps_the_previous_pair(pairs: Pairs) -> None:
    first = pairs.new()
    pairs.write(first)
    clock = FakeClock()
    credentials = pairs.credentials(clock)
    pairs.key.unlink()
    await credentials.refresh(force=True)
    assert credentials.client_certificate == first


async def test_a_forced_refresh_reads_at_once_and_refreshes_the_inner_source(
    pairs: Pairs,
) -> None:
    class Inner:
        def __init__(self) -> None:
            self.forced = 0
            self.client_certificate: ClientCertificate | None = None

        authorization = "Bearer t"
        refreshable = True

        def stale(self) -> bool:
            return False

        async def refresh(self, *, force: bool = False) -> None:
            self.forced += force

    first, second, handed_out = pairs.new(), pairs.new(), pairs.new()
    pairs.write(first)
    inner = Inner()
    credentials = pairs.credentials(FakeClock(), inner)
    assert credentials.authorization == "Bearer t"
    pairs.write(second)
    await credentials.refresh(force=True)
    assert inner.forced == 1
    assert credentials.client_certificate == second
    inner.client_certificate = handed_out  # an exec plugin's certificate comes first
    assert credentials.client_certificate == handed_out


def test_an_unusable_pair_at_start_is_a_clear_error(pairs: Pairs) -> None:
    first, second = pairs.new(), pairs.new()
    pairs.certificate.write_bytes(first.certificate)
    pairs.key.write_bytes(second.key)
    with pytest.raises(KubeconfigError, match="not a usable pair"):
        pairs.credentials(FakeClock())
    pairs.key.unlink()
    with pytest.raises(KubeconfigError, match=r"cannot read the client certificate .* of user"):
        pairs.credentials(FakeClock())


def test_the_key_stays_out_of_repr(pairs: Pairs) -> None:
    pair = pairs.new()
    pairs.write(pair)
    shown = repr(pairs.credentials(FakeClock()))
    assert "client.crt" in shown
    assert pair.key.decode().splitlines()[1] not in shown
