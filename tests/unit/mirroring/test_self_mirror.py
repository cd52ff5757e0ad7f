from __future__ import annotations

import pytest

from mirrorctl.mirroring.resolution import Receiver, Resolved, Unresolved
from mirrorctl.mirroring.self_mirror import analyzer_of, is_self_mirror
from mirrorctl.mirroring.status import PodReference, State

RECEIVER = Receiver(
    ip_address="10.0.0.1",
    pod=PodReference(namespace="mon", name="analyzer", uid="u1"),
    interface="eth1",
)


@pytest.mark.parametrize(
    ("namespace", "pod", "interface", "uid", "expected"),
    [
        ("mon", "analyzer", "eth1", None, True),
        ("mon", "analyzer", "eth1", "u1", True),
        ("mon", "analyzer", "eth0", None, False),  # another interface of the analyzer pod
        ("mon", "other", "eth1", None, False),
        ("other", "analyzer", "eth1", None, False),
        ("mon", "analyzer", "eth1", "u2", False),  # same name, a recreated pod
    ],
)
def test_is_self_mirror(
    namespace: str, pod: str, interface: str, uid: str | None, expected: bool
) -> None:
    assert (
        is_self_mirror(RECEIVER, namespace=namespace, pod=pod, interface=interface, uid=uid)
        is expected
    )


def test_external_receiver_is_never_self() -> None:
    assert not is_self_mirror(
        Receiver(ip_address="10.0.0.1"), namespace="mon", pod="analyzer", interface="eth1"
    )


def test_a_pending_outcome_that_chose_its_analyzer_names_the_same_interface() -> None:
    pending = Unresolved(
        State.PENDING,
        "AnalyzerIPNotFound",
        "waiting",
        pod=PodReference(namespace="mon", name="analyzer", uid="u1"),
        interface="eth1",
    )
    analyzer = analyzer_of(pending)
    assert is_self_mirror(analyzer, namespace="mon", pod="analyzer", interface="eth1", uid="u1")
    assert not is_self_mirror(analyzer, namespace="mon", pod="analyzer", interface="eth0")
    assert analyzer_of(Resolved(RECEIVER)) is RECEIVER


def test_an_outcome_without_a_chosen_analyzer_matches_nothing() -> None:
    unchosen = analyzer_of(Unresolved(State.PENDING, "AnalyzerPodNotFound", "none"))
    assert not is_self_mirror(unchosen, namespace="mon", pod="analyzer", interface="eth1")
