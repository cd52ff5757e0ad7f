from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mirrorctl.mirroring.quoting import OBSERVATION_MAX
from mirrorctl.mirroring.report import destination_status, observation_of, rfc3339
from mirrorctl.mirroring.resolution import Receiver, Resolved, Unresolved
from mirrorctl.mirroring.status import READY, ObjectReference, PodReference, State

from .builders import md

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)
RESOLVED = Resolved(
    Receiver(
        ip_address="10.0.0.1",
        mac_address="02:00:00:00:00:01",
        routing_instance="a:b:c:c",
        pod=PodReference(namespace="mon", name="analyzer", uid="u"),
        interface="eth0",
        virtual_machine=ObjectReference(name="vm-1"),
        virtual_machine_interface=ObjectReference(namespace="mon", name="vmi-1"),
        instance_ip=ObjectReference(name="iip-1"),
    ),
    ("note one",),
)
PENDING = Unresolved(State.PENDING, "AnalyzerIPNotFound", "waiting for an InstanceIP")


def test_rfc3339() -> None:
    assert rfc3339(T0) == "2024-05-01T12:00:00Z"
    assert (
        rfc3339(datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2))))
        == "2024-05-01T12:00:00Z"
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        rfc3339(datetime(2024, 5, 1))


def test_success_status() -> None:
    status = destination_status(md("md1", generation=4), RESOLVED, source_count=3, now=T0).to_dict()
    assert status == {
        "state": "Success",
        "observation": (
            "mirroring to 10.0.0.1 (pod mon/analyzer interface eth0, MAC 02:00:00:00:00:01, "
            "routing instance a:b:c:c); note one"
        ),
        "observedGeneration": 4,
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "Resolved",
                "message": status["observation"],
                "observedGeneration": 4,
                "lastTransitionTime": "2024-05-01T12:00:00Z",
            }
        ],
        "analyzer": "analyzer",
        "analyzerPodReference": {"namespace": "mon", "name": "analyzer", "uid": "u"},
        "analyzerInterface": "eth0",
        "virtualMachineReference": {"name": "vm-1"},
        "virtualMachineInterfaceReference": {"namespace": "mon", "name": "vmi-1"},
        "instanceIPReference": {"name": "iip-1"},
        "ipAddress": "10.0.0.1",
        "macAddress": "02:00:00:00:00:01",
        "routingInstance": "a:b:c:c",
        "sourceCount": 3,
    }


def test_pending_status_keeps_partial_receiver() -> None:
    pending = Unresolved(
        State.PENDING,
        "AnalyzerIPNotFound",
        "waiting",
        pod=PodReference(namespace="mon", name="a"),
        interface="eth0",
    )
    status = destination_status(md(), pending, source_count=0, now=T0)
    assert status.state is State.PENDING
    assert status.analyzer_pod_reference == PodReference(namespace="mon", name="a")
    assert status.ip_address is None
    ready = status.condition("Ready")
    assert ready is not None
    assert (ready.status, ready.reason, ready.message) == ("False", "AnalyzerIPNotFound", "waiting")


def test_failure_status_for_an_invalid_object() -> None:
    failure = Unresolved(
        State.FAILURE, "InvalidSpec", "MirrorDestination 'md1' is invalid: spec.udpPort: ..."
    )
    status = destination_status(md(spec={"udpPort": 0}), failure, source_count=2, now=T0)
    assert status.state is State.FAILURE
    assert status.observation.startswith("MirrorDestination 'md1' is invalid")
    assert status.source_count == 2


def test_transition_time_kept_while_ready_does_not_flip() -> None:
    first = destination_status(md(), PENDING, source_count=0, now=T0).to_dict()
    again = destination_status(md(status=first), PENDING, source_count=0, now=T1).to_dict()
    assert again == first  # unchanged outcome, unchanged status: nothing to write
    other_reason = Unresolved(State.PENDING, "AnalyzerPodNotFound", "no pod")
    still_false = destination_status(md(status=first), other_reason, source_count=0, now=T1)
    ready = still_false.condition("Ready")
    assert ready is not None
    assert ready.last_transition_time == "2024-05-01T12:00:00Z"
    flipped = destination_status(md(status=first), RESOLVED, source_count=0, now=T1)
    ready = flipped.condition("Ready")
    assert ready is not None
    assert ready.last_transition_time == "2024-05-01T12:05:00Z"


def test_malformed_previous_status_is_ignored() -> None:
    for previous in (
        {"conditions": "x"},
        {"conditions": [{"type": "Ready", "status": "Maybe"}]},
        "junk",
    ):
        status = destination_status(md(status=previous), PENDING, source_count=0, now=T1)  # type: ignore[arg-type]
        ready = status.condition("Ready")
        assert ready is not None
        assert ready.last_transition_time == "2024-05-01T12:05:00Z"


def test_observation_of_external() -> None:
    assert observation_of(Resolved(Receiver(ip_address="192.0.2.1"))) == (
        "mirroring to the external analyzer 192.0.2.1"
    )


def test_observation_is_bounded_however_many_faults_it_lists() -> None:
    faults = tuple(f"pod ns/p{i}: annotation {'x' * 50} is not valid" for i in range(500))
    outcome = Unresolved(State.PENDING, "AnalyzerInterfaceNotMarked", "no pod marked", faults)
    status = destination_status(md(), outcome, source_count=0, now=T0)
    assert len(status.observation) == OBSERVATION_MAX
    assert status.observation.startswith("no pod marked; pod ns/p0: ")
    assert status.observation.endswith(" more characters)")
    ready = status.condition(READY)
    assert ready is not None
    assert ready.message == status.observation
