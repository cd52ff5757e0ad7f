"""Bind addresses of the manager's HTTP endpoints."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

__all__ = ["BindAddress"]


def _canonical_host(host: str) -> str:
    """One spelling per host, so that equal addresses compare equal: every interface (an
    empty host, ``0.0.0.0`` or ``::``) as the empty host, an IP literal in its compressed form
    (``0:0:0:0:0:0:0:1`` is ``::1``), a name in lower case (DNS ignores case)."""
    if not host:
        return ""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host.lower()
    return "" if ip.is_unspecified else str(ip)


@dataclass(frozen=True, slots=True)
class BindAddress:
    """A host and port to listen on; port 0 lets the kernel pick a free one. Equal addresses
    are equal however they were spelled (see `parse`).

    As Go's listeners do, an empty host and an unspecified address (``0.0.0.0``, ``::``) mean
    every interface, IPv4 and IPv6 alike: a probe of an IPv6-only cluster's pod reaches the
    default ``0.0.0.0:8081`` too.
    """

    host: str
    port: int

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port out of range: {self.port}")
        object.__setattr__(self, "host", _canonical_host(self.host))

    @classmethod
    def parse(cls, address: str) -> BindAddress:
        """Read ``"host:port"``, ``"[v6]:port"`` or ``":port"`` (every interface)."""
        host, sep, port = address.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"bind address must be host:port, got {address!r}")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return cls(host=host, port=int(port))

    @property
    def every_interface(self) -> bool:
        return not self.host

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"
