from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from mirrorctl.leaderelection import LeaderElectionRecord, micro_time


def test_micro_time_is_rfc3339_micro_in_utc() -> None:
    moment = datetime(2024, 5, 1, 14, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    assert micro_time(moment) == "2024-05-01T12:03:04.000005Z"
    assert micro_time(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2024-01-02T03:04:05.000000Z"


def test_round_trip_through_a_lease_spec() -> None:
    record = LeaderElectionRecord(
        holder_identity="a",
        lease_duration_seconds=15,
        acquire_time="2024-01-02T03:04:05.000000Z",
        renew_time="2024-01-02T03:04:07.000000Z",
        lease_transitions=3,
    )
    spec = record.to_spec()
    assert spec == {
        "holderIdentity": "a",
        "leaseDurationSeconds": 15,
        "acquireTime": "2024-01-02T03:04:05.000000Z",
        "renewTime": "2024-01-02T03:04:07.000000Z",
        "leaseTransitions": 3,
    }
    assert LeaderElectionRecord.from_spec(spec) == record


def test_a_released_record_has_no_holder_field() -> None:
    spec = LeaderElectionRecord(lease_duration_seconds=1, lease_transitions=2).to_spec()
    assert spec == {"leaseDurationSeconds": 1, "leaseTransitions": 2}


def test_missing_or_malformed_fields_read_as_unset() -> None:
    assert LeaderElectionRecord.from_spec({}) == LeaderElectionRecord()
    odd = {"holderIdentity": 5, "leaseDurationSeconds": "15", "leaseTransitions": True}
    assert LeaderElectionRecord.from_spec(odd) == LeaderElectionRecord()


def test_any_field_change_is_a_different_record() -> None:
    base = LeaderElectionRecord(holder_identity="a", lease_duration_seconds=15, renew_time="t1")
    assert base != LeaderElectionRecord(
        holder_identity="a", lease_duration_seconds=15, renew_time="t2"
    )
