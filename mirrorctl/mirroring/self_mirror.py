"""The rule that an interface never mirrors to itself."""

from __future__ import annotations

from typing import Protocol

from mirrorctl.mirroring.resolution import Resolution, Resolved
from mirrorctl.mirroring.status import PodReference

__all__ = ["AnalyzerInterface", "analyzer_of", "is_self_mirror"]


class AnalyzerInterface(Protocol):
    """Names a destination's analyzer interface, when one has been chosen: a resolved
    `Receiver`, or an `Unresolved` outcome that chose the analyzer but is still missing
    something (its IP, MAC, ...)."""

    @property
    def pod(self) -> PodReference | None: ...

    @property
    def interface(self) -> str | None: ...


def analyzer_of(resolution: Resolution) -> AnalyzerInterface:
    """The analyzer interface ``resolution`` chose, resolved or not: it is the same interface
    before and after its last missing piece arrives, so whether another interface is it must
    not depend on the state."""
    return resolution.receiver if isinstance(resolution, Resolved) else resolution


def is_self_mirror(
    receiver: AnalyzerInterface,
    *,
    namespace: str,
    pod: str,
    interface: str,
    uid: str | None = None,
) -> bool:
    """Whether the source interface ``namespace/pod interface`` is the receiver's own analyzer
    interface (it would mirror its copies back to itself, without end)."""
    analyzer = receiver.pod
    if analyzer is None or receiver.interface != interface:
        return False
    if uid is not None and analyzer.uid is not None:
        return uid == analyzer.uid
    return (analyzer.namespace, analyzer.name) == (namespace, pod)
