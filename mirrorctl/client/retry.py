"""When a failed response may be retried, and after how long (Retry-After)."""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime

__all__ = ["parse_retry_after", "retry_delay"]


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
    if text.isascii() and text.isdigit():  # delta-seconds are ASCII digits; int() takes more
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

    Only a server that says when to come back (Retry-After) is retried, as client-go does: an
    overloaded apiserver always says so, while a 429 without it is a refusal that waiting
    will not change (an eviction blocked by a PodDisruptionBudget). A 429 was not served, so
    every verb may repeat; a 5xx only repeats when doing the request twice is harmless.
    """
    if retry_after is None:
        return None
    if status == 429 or (status >= 500 and idempotent):
        return retry_after
    return None
