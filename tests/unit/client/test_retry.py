from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from mirrorctl.client.retry import parse_retry_after, retry_delay

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        (" 0 ", 0.0),
        ("120", 120.0),
        ("Wed, 01 May 2024 12:00:30 GMT", 30.0),
        ("Wed, 01 May 2024 12:00:30 -0000", 30.0),
        ("Wed, 01 May 2024 11:59:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("-1", None),
        ("1.5", None),
        # Not delta-seconds (ASCII digits): a superscript two (isdigit(), but int() raises)
        # and an Arabic-Indic three (int() takes it).
        ("\u00b2", None),
        ("\u0663", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, NOW) == expected


def test_parse_retry_after_round_trips_an_http_date() -> None:
    when = datetime(2024, 5, 1, 12, 1, 0, tzinfo=UTC)
    assert parse_retry_after(format_datetime(when, usegmt=True), NOW) == 60.0


def test_too_many_requests_retries_any_verb_when_told_when() -> None:
    assert retry_delay(429, 4.0, idempotent=False) == 4.0
    assert retry_delay(429, 0.0, idempotent=True) == 0.0
    # Without Retry-After a 429 is a refusal (e.g. a PodDisruptionBudget), not overload.
    assert retry_delay(429, None, idempotent=True) is None


def test_server_errors_retry_only_when_asked_and_safe() -> None:
    assert retry_delay(503, 2.0, idempotent=True) == 2.0
    assert retry_delay(503, 2.0, idempotent=False) is None
    assert retry_delay(500, None, idempotent=True) is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 422])
def test_client_errors_never_retry(status: int) -> None:
    assert retry_delay(status, 1.0, idempotent=True) is None
