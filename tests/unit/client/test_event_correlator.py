from __future__ import annotations

import itertools
from typing import Any

from mirrorctl.client.event_correlator import (
    AGGREGATED_MESSAGE_PREFIX,
    CorrelationSettings,
    EventCorrelator,
    WriteKind,
)

_names = itertools.count()


def event(
    message: str = "pulled",
    *,
    reason: str = "Synced",
    name: str = "pod-a",
    uid: str = "u1",
    stamp: str = "2024-05-01T12:00:00Z",
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{name}.{next(_names):x}", "namespace": "ns"},
        "involvedObject": {
            "kind": "Pod",
            "apiVersion": "v1",
            "namespace": "ns",
            "name": name,
            "uid": uid,
        },
        "reason": reason,
        "message": message,
        "type": "Normal",
        "source": {"component": "mirrorctl", "host": "h"},
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
        "reportingComponent": "mirrorctl",
        "reportingInstance": "h",
    }


def test_first_occurrence_is_created_as_is() -> None:
    correlator = EventCorrelator()
    new = event()
    decision = correlator.correlate(new, 0.0)
    assert decision.kind is WriteKind.CREATE
    assert decision.event == new
    assert decision.patch is None


def test_repeats_patch_the_first_event_with_a_count() -> None:
    correlator = EventCorrelator()
    first = correlator.correlate(event(stamp="2024-05-01T12:00:00Z"), 0.0)
    second_input = event(stamp="2024-05-01T12:00:05Z")
    second = correlator.correlate(second_input, 5.0)
    third = correlator.correlate(event(stamp="2024-05-01T12:00:09Z"), 9.0)
    assert second.kind is WriteKind.PATCH
    assert second.event["metadata"]["name"] == first.event["metadata"]["name"]
    assert second.patch == {
        "count": 2,
        "lastTimestamp": "2024-05-01T12:00:05Z",
        "message": "pulled",
    }
    # The full event (the fallback when the patch finds it expired) carries the series.
    assert second.event["count"] == 2
    assert second.event["firstTimestamp"] == "2024-05-01T12:00:00Z"
    assert third.patch is not None
    assert third.patch["count"] == 3
    # The caller's dict is left alone.
    assert second_input["count"] == 1


def test_other_message_reason_or_object_is_a_new_event() -> None:
    correlator = EventCorrelator()
    assert correlator.correlate(event("a"), 0.0).kind is WriteKind.CREATE
    assert correlator.correlate(event("b"), 1.0).kind is WriteKind.CREATE
    assert correlator.correlate(event("a", reason="Other"), 2.0).kind is WriteKind.CREATE
    assert correlator.correlate(event("a", uid="u2"), 3.0).kind is WriteKind.CREATE
    assert correlator.correlate(event("a"), 4.0).kind is WriteKind.PATCH


def test_repeat_after_the_dedup_window_starts_a_new_event() -> None:
    correlator = EventCorrelator(CorrelationSettings(dedup_window=100.0))
    correlator.correlate(event(), 0.0)
    assert correlator.correlate(event(), 100.0).kind is WriteKind.PATCH
    # The window runs from the latest repeat.
    assert correlator.correlate(event(), 200.0).kind is WriteKind.PATCH
    assert correlator.correlate(event(), 300.5).kind is WriteKind.CREATE


def test_many_similar_messages_collapse_into_one_aggregated_event() -> None:
    correlator = EventCorrelator(CorrelationSettings(max_similar=3))
    assert correlator.correlate(event("m1"), 0.0).event["message"] == "m1"
    assert correlator.correlate(event("m2"), 1.0).event["message"] == "m2"
    third = correlator.correlate(event("m3"), 2.0)
    assert third.kind is WriteKind.CREATE
    assert third.event["message"] == AGGREGATED_MESSAGE_PREFIX + "m3"
    fourth = correlator.correlate(event("m4"), 3.0)
    assert fourth.kind is WriteKind.PATCH
    assert fourth.event["metadata"]["name"] == third.event["metadata"]["name"]
    assert fourth.patch == {
        "count": 2,
        "lastTimestamp": "2024-05-01T12:00:00Z",
        "message": AGGREGATED_MESSAGE_PREFIX + "m4",
    }


def test_aggregation_window_restarts() -> None:
    correlator = EventCorrelator(CorrelationSettings(max_similar=2, aggregate_window=60.0))
    correlator.correlate(event("m1"), 0.0)
    assert correlator.correlate(event("m2"), 61.0).event["message"] == "m2"
    assert (
        correlator.correlate(event("m3"), 62.0)
        .event["message"]
        .startswith(AGGREGATED_MESSAGE_PREFIX)
    )


def test_spam_filter_is_a_per_object_token_bucket() -> None:
    correlator = EventCorrelator(CorrelationSettings(spam_burst=3, spam_qps=0.5))
    kinds = [correlator.correlate(event(f"m{i}"), 0.0).kind for i in range(4)]
    assert kinds == [WriteKind.CREATE, WriteKind.CREATE, WriteKind.CREATE, WriteKind.DROP]
    # Another object has its own bucket.
    assert correlator.correlate(event(name="pod-b"), 0.0).kind is WriteKind.CREATE
    assert correlator.correlate(event("m5"), 1.0).kind is WriteKind.DROP
    assert correlator.correlate(event("m6"), 2.0).kind is WriteKind.CREATE


def test_spam_limited_repeats_still_count() -> None:
    correlator = EventCorrelator(CorrelationSettings(spam_burst=1, spam_qps=0.1))
    correlator.correlate(event(), 0.0)
    assert correlator.correlate(event(), 1.0).kind is WriteKind.DROP
    later = correlator.correlate(event(), 11.0)
    assert later.kind is WriteKind.PATCH
    assert later.patch is not None
    assert later.patch["count"] == 3


def test_default_spam_limits_match_client_go() -> None:
    correlator = EventCorrelator()
    kinds = [correlator.correlate(event(f"m{i}", reason=f"r{i}"), 0.0).kind for i in range(26)]
    assert kinds.count(WriteKind.DROP) == 1
    assert kinds[-1] is WriteKind.DROP
    assert correlator.correlate(event("x", reason="y"), 299.0).kind is WriteKind.DROP
    assert correlator.correlate(event("x", reason="y"), 300.0).kind is WriteKind.PATCH


def test_caches_are_bounded() -> None:
    correlator = EventCorrelator(CorrelationSettings(max_entries=2))
    correlator.correlate(event("a"), 0.0)
    correlator.correlate(event("b"), 0.0)
    correlator.correlate(event("c"), 0.0)
    # "a" was evicted, so its repeat starts over.
    assert correlator.correlate(event("a"), 1.0).kind is WriteKind.CREATE
    assert correlator.correlate(event("c"), 1.0).kind is WriteKind.PATCH


def test_distinct_messages_of_one_aggregate_are_not_all_kept() -> None:
    # Past max_similar distinct messages the aggregate only needs to know it is past it;
    # a controller putting an error text or a timestamp in each message must not grow the
    # set for every event of the window (client-go bounds it the same way).
    correlator = EventCorrelator(CorrelationSettings(max_similar=3))
    for i in range(1000):
        correlator.correlate(event(f"failed at step {i}"), float(i) / 100)
    (similar,) = correlator._similar.values()
    assert len(similar.messages) <= 3
    # Still one aggregated Event, counting every message (the spam filter drops the write).
    last = correlator.correlate(event("failed at step 1000"), 10.0).event
    assert (last["message"], last["count"]) == (
        AGGREGATED_MESSAGE_PREFIX + "failed at step 1000",
        999,
    )


def test_the_aggregation_window_rolls_with_each_similar_event() -> None:
    # As client-go's "10 times in a 10 minute rolling interval": the window is measured from
    # the last similar event, so a steady stream of messages stays on the aggregated Event
    # instead of starting anew (with fresh, separate Events) every window.
    correlator = EventCorrelator(CorrelationSettings(max_similar=2, aggregate_window=60.0))
    correlator.correlate(event("m1"), 0.0)
    aggregated = correlator.correlate(event("m2"), 30.0)
    assert aggregated.event["message"] == AGGREGATED_MESSAGE_PREFIX + "m2"
    for number, now in ((3, 60.0), (4, 90.0), (5, 120.0)):
        decision = correlator.correlate(event(f"m{number}"), now)
        assert decision.kind is WriteKind.PATCH
        assert decision.event["metadata"]["name"] == aggregated.event["metadata"]["name"]
        assert decision.event["message"] == AGGREGATED_MESSAGE_PREFIX + f"m{number}"


def test_the_same_message_about_another_field_is_a_new_event() -> None:
    # client-go's event key holds involvedObject.fieldPath: the same message about two
    # containers of a pod is two Events, not one Event counted twice that names only the
    # first container.
    correlator = EventCorrelator()
    first = event("restarted")
    first["involvedObject"]["fieldPath"] = "spec.containers{a}"
    second = event("restarted")
    second["involvedObject"]["fieldPath"] = "spec.containers{b}"
    assert correlator.correlate(first, 0.0).kind is WriteKind.CREATE
    decision = correlator.correlate(second, 1.0)
    assert decision.kind is WriteKind.CREATE
    assert decision.event["involvedObject"]["fieldPath"] == "spec.containers{b}"
