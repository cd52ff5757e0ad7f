"""`with_foreign_conditions`: what mirrorctl's status write keeps of other controllers'."""

from __future__ import annotations

from typing import Any

from mirrorctl.reconcilers.conditions import with_foreign_conditions

OURS = {"type": "Ready", "status": "True", "reason": "Resolved"}
OLD_OURS = {"type": "Ready", "status": "False", "reason": "Pending"}
AUDITED = {"type": "Audited", "status": "True"}
SCANNED = {"type": "Scanned", "status": "Unknown"}


def merged(stored: Any) -> tuple[dict[str, Any], bool]:
    current = {} if stored is None else {"state": "Pending", "conditions": stored}
    return with_foreign_conditions(current, {"state": "Success", "conditions": [OURS]}, ["Ready"])


def test_without_foreign_conditions_the_desired_status_is_unchanged() -> None:
    for stored in (None, [], [OLD_OURS], "not a list"):
        assert merged(stored) == ({"state": "Success", "conditions": [OURS]}, False)


def test_foreign_conditions_keep_their_place_and_ours_replace_ours() -> None:
    status, foreign = merged([AUDITED, OLD_OURS, SCANNED])
    assert foreign
    assert status == {"state": "Success", "conditions": [AUDITED, OURS, SCANNED]}


def test_our_condition_goes_last_when_it_was_not_there() -> None:
    status, _ = merged([AUDITED])
    assert status["conditions"] == [AUDITED, OURS]


def test_a_duplicate_of_ours_is_dropped_and_malformed_entries_are_kept() -> None:
    odd: list[Any] = ["junk", {"status": "True"}, {"type": ["Ready"]}]
    status, foreign = merged([OLD_OURS, *odd, OLD_OURS])
    assert foreign
    assert status["conditions"] == [OURS, *odd]


def test_a_condition_we_no_longer_set_is_removed() -> None:
    current = {"conditions": [OLD_OURS, AUDITED]}
    status, foreign = with_foreign_conditions(current, {"state": "Failure"}, ["Ready"])
    assert (status, foreign) == ({"state": "Failure", "conditions": [AUDITED]}, True)
