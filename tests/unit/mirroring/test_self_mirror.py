from __future__ import annotations

import pytest

from mirrorctl.mirroring.resolution import Receiver
from mirrorctl.mirroring.self_mirror import is_self_mirror
from mirrorctl.mirroring.status import PodReference

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
