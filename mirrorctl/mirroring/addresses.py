"""Parsing and normalising the IP and MAC addresses mirroring passes to the vRouter."""

from __future__ import annotations

import ipaddress
import re

from mirrorctl.mirroring.quoting import shown

__all__ = [
    "ip_family",
    "is_unicast_ip",
    "is_unicast_mac",
    "normalize_ip",
    "normalize_mac",
]

_MAC = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}")
_LIMITED_BROADCAST = ipaddress.IPv4Address("255.255.255.255")


def normalize_ip(value: object) -> str:
    """The canonical text of an IPv4 or IPv6 address; ValueError naming the bad value."""
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)} is not an IP address (expected a string)")
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        raise ValueError(f"{shown(value)} is not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id is not None:
        raise ValueError(f"{shown(value)} carries a zone; give the address without '%zone'")
    return address.compressed


def ip_family(value: str) -> str:
    """``v4`` or ``v6`` (InstanceIP's spelling) for a normalised address."""
    return "v4" if ipaddress.ip_address(value).version == 4 else "v6"


def is_unicast_ip(value: str) -> bool:
    """False for addresses traffic cannot be sent to: unspecified, multicast, limited broadcast."""
    address = ipaddress.ip_address(value)
    return not (address.is_unspecified or address.is_multicast or address == _LIMITED_BROADCAST)


def normalize_mac(value: object) -> str:
    """The lower-case, colon-separated text of a 48-bit MAC address; ValueError otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)} is not a MAC address (expected a string)")
    text = value.strip()
    if not _MAC.fullmatch(text):
        raise ValueError(
            f"{shown(value)} is not a MAC address: expected six hex octets separated by ':', "
            "e.g. 02:76:6c:25:f2:8c"
        )
    return text.replace("-", ":").lower()


def is_unicast_mac(value: str) -> bool:
    """False for the all-zero MAC and group (multicast/broadcast) MACs."""
    first = int(value[:2], 16)
    return value != "00:00:00:00:00:00" and not first & 1
