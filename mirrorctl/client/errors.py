"""Typed API errors built from the apiserver's `Status` body."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

__all__ = [
    "AlreadyExistsError",
    "ApiError",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "GoneError",
    "InvalidError",
    "NotFoundError",
    "ServerError",
    "TooManyRequestsError",
    "UnauthorizedError",
    "error_from_response",
    "error_from_status",
]

# Enough of a non-Status body (an HTML proxy page, a panic trace) to diagnose, not to flood logs.
_MAX_TEXT = 1024


class ApiError(Exception):
    """A failed request; `body` is the parsed `Status` (or `None` when the body was not one)."""

    def __init__(
        self, status: int, reason: str, message: str, body: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message
        self.body = body

    @property
    def details(self) -> dict[str, Any]:
        details = (self.body or {}).get("details")
        return details if isinstance(details, dict) else {}


class BadRequestError(ApiError):
    pass


class UnauthorizedError(ApiError):
    pass


class ForbiddenError(ApiError):
    pass


class NotFoundError(ApiError):
    """404: an object that does not exist, or a path the apiserver does not serve at all."""

    @property
    def object_name(self) -> str | None:
        """The object the apiserver says does not exist, named in its `Status` details.

        None for a 404 that names no object: the path itself is not served (a resource the
        server does not know, or a custom resource whose handler a starting apiserver has not
        installed yet, to which it answers a bare ``404 page not found``). That says nothing
        about whether any object exists.
        """
        name = self.details.get("name")
        return name if isinstance(name, str) and name else None


class ConflictError(ApiError):
    """409: a stale resourceVersion on write (reason ``Conflict``) or a name taken on create."""


class AlreadyExistsError(ConflictError):
    pass


class GoneError(ApiError):
    """410: the requested resourceVersion is older than what etcd still holds."""


class InvalidError(ApiError):
    """422: the object failed validation; `causes` lists the offending fields."""

    @property
    def causes(self) -> list[dict[str, Any]]:
        causes = self.details.get("causes")
        return [c for c in causes if isinstance(c, dict)] if isinstance(causes, list) else []


class TooManyRequestsError(ApiError):
    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        body: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, reason, message, body)
        self.retry_after = retry_after


class ServerError(ApiError):
    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        body: dict[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, reason, message, body)
        self.retry_after = retry_after


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    410: GoneError,
    422: InvalidError,
}


# The reasons client-go assumes when a body carries none (a proxy's page, an empty reply).
_DEFAULT_REASON: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Gone",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


def _status_retry_after(body: Mapping[str, Any] | None) -> float | None:
    details = (body or {}).get("details")
    if isinstance(details, dict):
        seconds = details.get("retryAfterSeconds")
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
            return float(seconds)
    return None


def error_from_status(
    body: Mapping[str, Any], status: int | None = None, retry_after: float | None = None
) -> ApiError:
    """The error for a `Status` object; `status` (HTTP) wins over the body's `code`."""
    code = body.get("code")
    if status is None:
        status = code if isinstance(code, int) and not isinstance(code, bool) else 500
    reason = body.get("reason")
    message = body.get("message")
    reason_s = (
        reason if isinstance(reason, str) and reason else _DEFAULT_REASON.get(status, "Unknown")
    )
    message_s = message if isinstance(message, str) else ""
    raw = dict(body)
    if retry_after is None:
        retry_after = _status_retry_after(body)
    if status == 429:
        return TooManyRequestsError(status, reason_s, message_s, raw, retry_after)
    if status >= 500:
        return ServerError(status, reason_s, message_s, raw, retry_after)
    if status == 409 and reason_s == "AlreadyExists":
        return AlreadyExistsError(status, reason_s, message_s, raw)
    cls = _BY_STATUS.get(status, ApiError)
    return cls(status, reason_s, message_s, raw)


def error_from_response(status: int, data: bytes, retry_after: float | None = None) -> ApiError:
    """The error for a non-2xx HTTP response, whatever its body holds."""
    parsed: Any = None
    try:
        parsed = orjson.loads(data) if data else None
    except orjson.JSONDecodeError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("kind") == "Status":
        return error_from_status(parsed, status, retry_after)
    text = data[:_MAX_TEXT].decode("utf-8", "replace").strip()
    synthetic: dict[str, Any] = {"kind": "Status", "code": status, "message": text}
    return error_from_status(synthetic, status, retry_after)
