"""When a failed response may be retried, and after how long (Retry-After)."""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime

__all__ = ["DEFAULT_TOO_MANY_REQUESTS_DELAY", "parse_retry_after", "retry_delay"]

# API Priority and Fairness always sends Retry-After; a proxy answering 429 may not.
DEFAULT_TOO_MANY_REQUESTS_DELAY = 1.0


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date).

    `now` is the wall-clock time (epoch seconds) an HTTP-date is measured from. Returns
    `None` for a missing or unparseable header; never a negative delay.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # HTTP-dates are always GMT; parsedate leaves "-0000" zones naive.
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


def retry_delay(status: int, retry_after: float | None, *, idempotent: bool) -> float | None:
    """How long to wait before retrying a response with `status`, or `None` not to retry.

    A 429 means the request was not served, so every verb may retry. A 5xx only retries when
    the server asked for it (Retry-After) and repeating the request cannot apply it twice.
    """
    if status == 429:
        return DEFAULT_TOO_MANY_REQUESTS_DELAY if retry_after is None else retry_after
    if status >= 500 and retry_after is not None and idempotent:
        return retry_after
    return None
