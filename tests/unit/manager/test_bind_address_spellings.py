"""Equal bind addresses compare equal however they are spelled, and different ones do not."""

from __future__ import annotations

import pytest

from mirrorctl.manager import BindAddress


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # Every interface, IPv4 and IPv6, however it is spelled (as in Go).
        (":8080", "0.0.0.0:8080"),
        (":8080", "[::]:8080"),
        ("[::]:8080", "[0:0:0:0:0:0:0:0]:8080"),
        ("[::1]:8080", "[0000:0000::0001]:8080"),
        ("[2001:DB8::1]:8080", "[2001:db8::1]:8080"),
        ("LocalHost:8080", "localhost:8080"),
        ("127.0.0.1:08080", "127.0.0.1:8080"),
    ],
)
def test_two_spellings_of_one_address_are_equal(one: str, other: str) -> None:
    assert BindAddress.parse(one) == BindAddress.parse(other)
    assert str(BindAddress.parse(one)) == str(BindAddress.parse(other))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (":8080", "127.0.0.1:8080"),
        ("[::1]:8080", "127.0.0.1:8080"),
        ("127.0.0.1:8080", "127.0.0.2:8080"),
        (":8080", ":8081"),
    ],
)
def test_different_addresses_stay_different(one: str, other: str) -> None:
    assert BindAddress.parse(one) != BindAddress.parse(other)


def test_a_constructed_address_is_canonical_too() -> None:
    assert BindAddress(host="0:0:0:0:0:0:0:0", port=1) == BindAddress.parse("[::]:1")
    assert BindAddress(host="0.0.0.0", port=1).host == ""
    assert str(BindAddress.parse("0.0.0.0:8080")) == ":8080"
