from __future__ import annotations

from typing import Any

import orjson
import pytest

from mirrorctl.client.errors import (
    AlreadyExistsError,
    ApiError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    GoneError,
    InvalidError,
    NotFoundError,
    ServerError,
    TooManyRequestsError,
    UnauthorizedError,
    error_from_response,
    error_from_status,
)


def status(code: int, reason: str, message: str = "m", **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return body


@pytest.mark.parametrize(
    ("code", "reason", "cls"),
    [
        (400, "BadRequest", BadRequestError),
        (401, "Unauthorized", UnauthorizedError),
        (403, "Forbidden", ForbiddenError),
        (404, "NotFound", NotFoundError),
        (409, "Conflict", ConflictError),
        (409, "AlreadyExists", AlreadyExistsError),
        (410, "Expired", GoneError),
        (422, "Invalid", InvalidError),
        (429, "TooManyRequests", TooManyRequestsError),
        (500, "InternalError", ServerError),
        (503, "ServiceUnavailable", ServerError),
        (405, "MethodNotAllowed", ApiError),
    ],
)
def test_status_bodies_map_to_typed_errors(code: int, reason: str, cls: type[ApiError]) -> None:
    body = status(code, reason, f"{reason} happened")
    error = error_from_response(code, orjson.dumps(body))
    assert type(error) is cls
    assert (error.status, error.reason, error.message) == (code, reason, f"{reason} happened")
    assert error.body == body


def test_stale_write_conflict_is_not_already_exists() -> None:
    error = error_from_response(409, orjson.dumps(status(409, "Conflict")))
    assert isinstance(error, ConflictError)
    assert not isinstance(error, AlreadyExistsError)


def test_invalid_exposes_causes() -> None:
    causes = [{"reason": "FieldValueInvalid", "message": "bad", "field": "metadata.name"}]
    error = error_from_response(
        422, orjson.dumps(status(422, "Invalid", name="BAD_", kind="configmaps", causes=causes))
    )
    assert isinstance(error, InvalidError)
    assert error.causes == causes
    assert error.details["name"] == "BAD_"


def test_invalid_without_details_has_no_causes() -> None:
    error = error_from_response(422, orjson.dumps(status(422, "Invalid")))
    assert isinstance(error, InvalidError)
    assert error.causes == []


def test_retry_after_header_wins_over_status_details() -> None:
    body = orjson.dumps(status(429, "TooManyRequests", retryAfterSeconds=7))
    from_header = error_from_response(429, body, retry_after=2.0)
    from_body = error_from_response(429, body)
    assert isinstance(from_header, TooManyRequestsError)
    assert isinstance(from_body, TooManyRequestsError)
    assert from_header.retry_after == 2.0
    assert from_body.retry_after == 7.0


def test_server_error_keeps_retry_after() -> None:
    error = error_from_response(503, b"", retry_after=3.0)
    assert isinstance(error, ServerError)
    assert error.retry_after == 3.0


def test_http_status_wins_over_body_code() -> None:
    error = error_from_response(404, orjson.dumps(status(500, "NotFound")))
    assert isinstance(error, NotFoundError)


def test_non_status_bodies_still_map_by_http_status() -> None:
    error = error_from_response(403, b"<html>denied by proxy</html>")
    assert isinstance(error, ForbiddenError)
    assert error.reason == "Forbidden"
    assert error.message == "<html>denied by proxy</html>"
    empty = error_from_response(502, b"")
    assert isinstance(empty, ServerError)
    assert empty.reason == "Unknown"


def test_long_non_status_bodies_are_truncated() -> None:
    error = error_from_response(500, b"x" * 10_000)
    assert len(error.message) == 1024


def test_watch_error_status_uses_its_code() -> None:
    gone = error_from_status(status(410, "Expired", "too old resource version: 1 (5)"))
    assert isinstance(gone, GoneError)
    assert gone.message == "too old resource version: 1 (5)"
    assert isinstance(error_from_status({"kind": "Status"}), ServerError)


def test_str_names_status_reason_and_message() -> None:
    error = error_from_response(404, orjson.dumps(status(404, "NotFound", 'pods "x" not found')))
    assert str(error) == '404 NotFound: pods "x" not found'


def test_a_not_found_names_the_missing_object_only_when_the_status_does() -> None:
    missing = status(404, "NotFound", 'pods "x" not found', name="x", kind="pods")
    error = error_from_response(404, orjson.dumps(missing))
    assert isinstance(error, NotFoundError)
    assert error.object_name == "x"
    # What an apiserver answers for a path it does not serve (yet): no object is named.
    unserved = error_from_response(404, b"404 page not found")
    assert isinstance(unserved, NotFoundError)
    assert unserved.object_name is None
    nameless = error_from_status(status(404, "NotFound"))
    assert isinstance(nameless, NotFoundError)
    assert nameless.object_name is None
