from __future__ import annotations

import pytest

from mirrorctl.mirroring.addresses import (
    ip_family,
    is_unicast_ip,
    is_unicast_mac,
    normalize_ip,
    normalize_mac,
)


@pytest.mark.parametrize(
    ("raw", "canonical", "family"),
    [
        ("10.0.0.1", "10.0.0.1", "v4"),
        (" 10.0.0.1 ", "10.0.0.1", "v4"),
        ("FD00:0:0::1", "fd00::1", "v6"),
        ("::ffff:10.0.0.1", "::ffff:a00:1", "v6"),
    ],
)
def test_normalize_ip(raw: str, canonical: str, family: str) -> None:
    assert normalize_ip(raw) == canonical
    assert ip_family(canonical) == family


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("10.0.0.300", "not an IPv4 or IPv6 address"),
        ("", "not an IPv4 or IPv6 address"),
        ("host.example", "not an IPv4 or IPv6 address"),
        ("10.0.0.0/8", "not an IPv4 or IPv6 address"),
        ("010.0.0.1", "not an IPv4 or IPv6 address"),
        ("fe80::1%eth0", "zone"),
        (42, "expected a string"),
        (None, "expected a string"),
        ("x" * 500, r"\.\.\."),  # an oversized value is shown truncated
    ],
)
def test_normalize_ip_rejects(raw: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize_ip(raw)


@pytest.mark.parametrize(
    ("address", "unicast"),
    [
        ("10.0.0.1", True),
        ("fd00::1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("224.0.0.1", False),
        ("ff02::1", False),
        ("255.255.255.255", False),
    ],
)
def test_is_unicast_ip(address: str, unicast: bool) -> None:
    assert is_unicast_ip(address) is unicast


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("02:76:6C:25:F2:8C", "02:76:6c:25:f2:8c"),
        ("02-76-6c-25-f2-8c", "02:76:6c:25:f2:8c"),
        (" 02:76:6c:25:f2:8c", "02:76:6c:25:f2:8c"),
    ],
)
def test_normalize_mac(raw: str, canonical: str) -> None:
    assert normalize_mac(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "02:76:6c:25:f2",
        "02:76:6c:25:f2:8c:00",
        "02:76-6c:25:f2:8c",
        "zz:76:6c:25:f2:8c",
        "0276.6c25.f28c",
        7,
    ],
)
def test_normalize_mac_rejects(raw: object) -> None:
    with pytest.raises(ValueError, match="MAC address"):
        normalize_mac(raw)


@pytest.mark.parametrize(
    ("mac", "unicast"),
    [
        ("02:00:00:00:00:01", True),
        ("00:00:00:00:00:00", False),
        ("ff:ff:ff:ff:ff:ff", False),
        ("01:00:5e:00:00:01", False),
    ],
)
def test_is_unicast_mac(mac: str, unicast: bool) -> None:
    assert is_unicast_mac(mac) is unicast
