"""Event correlation as client-go does it: aggregate similar events, count repeats, limit spam.

Pure bookkeeping on monotonic time given by the caller; the recorder does the writes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeVar

__all__ = [
    "AGGREGATED_MESSAGE_PREFIX",
    "CorrelationSettings",
    "Decision",
    "EventCorrelator",
    "WriteKind",
]

AGGREGATED_MESSAGE_PREFIX = "(combined from similar events): "

_K = TypeVar("_K")
_V = TypeVar("_V")


class WriteKind(Enum):
    CREATE = "create"
    PATCH = "patch"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class CorrelationSettings:
    """Defaults follow client-go: 10 distinct messages, each within 10 minutes of the last,
    collapse into one aggregated event; per object a burst of 25 events, then one per 5
    minutes."""

    max_similar: int = 10
    aggregate_window: float = 600.0
    # Repeats patch the existing Event while it can still exist (the apiserver's event TTL).
    dedup_window: float = 3600.0
    spam_burst: int = 25
    spam_qps: float = 1.0 / 300.0
    max_entries: int = 4096


@dataclass(frozen=True, slots=True)
class Decision:
    """What to write: the full `event` to create (also the fallback when a patch finds the
    Event gone), or `patch` for the existing Event named in `event`."""

    kind: WriteKind
    event: dict[str, Any] = field(default_factory=dict)
    patch: dict[str, Any] | None = None


@dataclass(slots=True)
class _Seen:
    name: str
    count: int
    first_timestamp: str
    last_seen: float


@dataclass(slots=True)
class _Similar:
    last_seen: float
    messages: set[str]


@dataclass(slots=True)
class _Bucket:
    tokens: float
    last: float


def _object_key(event: dict[str, Any]) -> tuple[str, ...]:
    source = event.get("source") or {}
    ref = event.get("involvedObject") or {}
    return (
        str(source.get("component", "")),
        str(source.get("host", "")),
        str(ref.get("kind", "")),
        str(ref.get("namespace", "")),
        str(ref.get("name", "")),
        str(ref.get("uid", "")),
        str(ref.get("apiVersion", "")),
    )


def _similar_key(event: dict[str, Any]) -> tuple[str, ...]:
    return (
        *_object_key(event),
        str(event.get("type", "")),
        str(event.get("reason", "")),
        str(event.get("reportingComponent", "")),
        str(event.get("reportingInstance", "")),
    )


def _touch(cache: OrderedDict[_K, _V], key: _K, value: _V, limit: int) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > limit:
        cache.popitem(last=False)


class EventCorrelator:
    """Turns each freshly built Event into a create, a count-bumping patch, or a drop."""

    __slots__ = ("_buckets", "_seen", "_settings", "_similar")

    def __init__(self, settings: CorrelationSettings | None = None) -> None:
        self._settings = settings or CorrelationSettings()
        self._similar: OrderedDict[tuple[str, ...], _Similar] = OrderedDict()
        self._seen: OrderedDict[tuple[str, ...], _Seen] = OrderedDict()
        self._buckets: OrderedDict[tuple[str, ...], _Bucket] = OrderedDict()

    def correlate(self, event: dict[str, Any], now: float) -> Decision:
        """`event` is a new core/v1 Event (count 1, first = last timestamp); `now` is
        monotonic seconds."""
        settings = self._settings
        event, dedup_key = self._aggregate(event, now)
        seen = self._seen.get(dedup_key)
        if seen is not None and now - seen.last_seen <= settings.dedup_window:
            seen.count += 1
            seen.last_seen = now
            self._seen.move_to_end(dedup_key)
            event = {
                **event,
                "metadata": {**event["metadata"], "name": seen.name},
                "count": seen.count,
                "firstTimestamp": seen.first_timestamp,
            }
            decision = Decision(
                WriteKind.PATCH,
                event,
                {
                    "count": seen.count,
                    "lastTimestamp": event.get("lastTimestamp"),
                    "message": event.get("message"),
                },
            )
        else:
            _touch(
                self._seen,
                dedup_key,
                _Seen(
                    name=str(event["metadata"]["name"]),
                    count=int(event.get("count") or 1),
                    first_timestamp=str(event.get("firstTimestamp", "")),
                    last_seen=now,
                ),
                settings.max_entries,
            )
            decision = Decision(WriteKind.CREATE, event)
        # Repeats are counted even when spam-limited, so the next write shows the true count.
        if not self._allow(_object_key(event), now):
            return Decision(WriteKind.DROP, event)
        return decision

    def _aggregate(
        self, event: dict[str, Any], now: float
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The event to record and the key its repeats are counted under."""
        settings = self._settings
        key = _similar_key(event)
        message = str(event.get("message", ""))
        similar = self._similar.get(key)
        # A rolling window, as client-go's: measured from the last similar event, so a steady
        # stream stays on its aggregated Event rather than starting over every window.
        if similar is None or now - similar.last_seen > settings.aggregate_window:
            similar = _Similar(last_seen=now, messages=set())
        similar.last_seen = now
        if len(similar.messages) < settings.max_similar:
            # Past the limit the set only has to stay there: it grows no more.
            similar.messages.add(message)
        _touch(self._similar, key, similar, settings.max_entries)
        if len(similar.messages) < settings.max_similar:
            # As client-go's event key, the field (a container) is part of what is "the same
            # event"; aggregation, as there, ignores it.
            field_path = str((event.get("involvedObject") or {}).get("fieldPath", ""))
            return event, (*key, field_path, message)
        # From here on every new message lands on one Event (counted under the key without
        # the message) whose text is the latest message.
        return {**event, "message": AGGREGATED_MESSAGE_PREFIX + message}, key

    def _allow(self, key: tuple[str, ...], now: float) -> bool:
        settings = self._settings
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = _Bucket(tokens=float(settings.spam_burst), last=now)
        else:
            bucket.tokens = min(
                float(settings.spam_burst),
                bucket.tokens + (now - bucket.last) * settings.spam_qps,
            )
            bucket.last = now
        _touch(self._buckets, key, bucket, settings.max_entries)
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True
