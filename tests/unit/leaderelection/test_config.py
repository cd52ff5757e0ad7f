from __future__ import annotations

import socket

import pytest

from mirrorctl.leaderelection import JITTER_FACTOR, LeaderElectionConfig


def test_defaults_follow_client_go() -> None:
    cfg = LeaderElectionConfig(name="lock", namespace="ns")
    assert (cfg.lease_duration, cfg.renew_deadline, cfg.retry_period) == (15.0, 10.0, 2.0)
    assert cfg.release_on_cancel is False
    assert cfg.lease_duration_seconds == 15


def test_default_identity_is_hostname_plus_unique_suffix() -> None:
    a = LeaderElectionConfig(name="lock", namespace="ns")
    b = LeaderElectionConfig(name="lock", namespace="ns")
    assert a.identity.startswith(socket.gethostname() + "_")
    assert a.identity != b.identity


def test_lease_duration_seconds_rounds_up() -> None:
    cfg = LeaderElectionConfig(
        name="l", namespace="ns", lease_duration=1.5, renew_deadline=1.0, retry_period=0.3
    )
    assert cfg.lease_duration_seconds == 2


@pytest.mark.parametrize(
    ("lease", "renew", "retry", "message"),
    [
        (10.0, 10.0, 2.0, "lease_duration must be greater than renew_deadline"),
        (10.0, 12.0, 2.0, "lease_duration must be greater than renew_deadline"),
        (15.0, 2.4, 2.0, "renew_deadline must be greater than retry_period"),
        (15.0, 10.0, 10.0 / JITTER_FACTOR, "renew_deadline must be greater than retry_period"),
        (0.0, -1.0, 0.1, "lease_duration must be a positive"),
        (15.0, 10.0, 0.0, "retry_period must be a positive"),
        (float("inf"), 10.0, 2.0, "lease_duration must be a positive"),
        (15.0, float("nan"), 2.0, "renew_deadline must be a positive"),
    ],
)
def test_invalid_timings_are_rejected(
    lease: float, renew: float, retry: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        LeaderElectionConfig(
            name="l", namespace="ns", lease_duration=lease, renew_deadline=renew, retry_period=retry
        )


def test_just_valid_timings_are_accepted() -> None:
    cfg = LeaderElectionConfig(
        name="l", namespace="ns", lease_duration=2.0, renew_deadline=1.5, retry_period=0.3
    )
    assert cfg.renew_deadline > cfg.retry_period * JITTER_FACTOR


@pytest.mark.parametrize(
    ("name", "namespace", "identity"), [("", "ns", "me"), ("l", "", "me"), ("l", "ns", "")]
)
def test_empty_names_are_rejected(name: str, namespace: str, identity: str) -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        LeaderElectionConfig(name=name, namespace=namespace, identity=identity)


def test_config_is_frozen() -> None:
    cfg = LeaderElectionConfig(name="l", namespace="ns")
    with pytest.raises(AttributeError):
        cfg.name = "other"  # type: ignore[misc]
