"""Bind addresses of the manager's HTTP endpoints."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BindAddress"]


@dataclass(frozen=True, slots=True)
class BindAddress:
    """A host and port to listen on; port 0 lets the kernel pick a free one."""

    host: str
    port: int

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port out of range: {self.port}")

    @classmethod
    def parse(cls, address: str) -> BindAddress:
        """Read ``"host:port"``, ``"[v6]:port"`` or ``":port"`` (every interface)."""
        host, sep, port = address.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"bind address must be host:port, got {address!r}")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return cls(host=host or "0.0.0.0", port=int(port))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"
