"""What the client reports per request (implemented by `mirrorctl.metrics.client`)."""

from __future__ import annotations

from typing import Protocol

__all__ = ["TRANSPORT_ERROR_CODE", "RequestObserver"]

# The `code` label client-go uses when no HTTP status came back.
TRANSPORT_ERROR_CODE = "<error>"


class RequestObserver(Protocol):
    def observe(self, method: str, code: int | str, host: str, seconds: float) -> None:
        """Record one finished request (`code` is the HTTP status or `TRANSPORT_ERROR_CODE`)."""
        ...
