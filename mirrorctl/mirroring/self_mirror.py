"""The rule that an interface never mirrors to itself."""

from __future__ import annotations

from mirrorctl.mirroring.resolution import Receiver

__all__ = ["is_self_mirror"]


def is_self_mirror(
    receiver: Receiver, *, namespace: str, pod: str, interface: str, uid: str | None = None
) -> bool:
    """Whether the source interface ``namespace/pod interface`` is the receiver's own analyzer
    interface (it would mirror its copies back to itself, without end)."""
    analyzer = receiver.pod
    if analyzer is None or receiver.interface != interface:
        return False
    if uid is not None and analyzer.uid is not None:
        return uid == analyzer.uid
    return (analyzer.namespace, analyzer.name) == (namespace, pod)
