"""How many interfaces ask to be mirrored to a MirrorDestination: its status's ``sourceCount``."""

from __future__ import annotations

from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.mirroring.pods import is_live_pod, pod_identity
from mirrorctl.mirroring.self_mirror import AnalyzerInterface, is_self_mirror
from mirrorctl.reconcilers.view import MirroringView

__all__ = ["SourceCounts", "count_sources"]

# What of the analyzer interface the count depends on: its pod and interface name, not its
# addresses (a new analyzer IP, the very change a fan-out carries, leaves the count as it was).
_Chosen = tuple[str, str, str | None, str | None] | None


def count_sources(view: MirroringView, name: str, analyzer: AnalyzerInterface | None) -> int:
    """Interfaces of live pods that ask to be mirrored to ``name``. The ``analyzer`` interface
    (see `analyzer_of`) is never mirrored, so it does not count, resolved or not: the count
    must not change when a pending destination resolves."""
    count = 0
    for pod in view.source_pods(name):
        if not is_live_pod(pod):
            continue
        namespace, pod_name, uid = pod_identity(pod)
        for interface in pod_interfaces(pod).mirror_requests:
            if interface.mirror_destination != name:
                continue
            if analyzer is not None and is_self_mirror(
                analyzer, namespace=namespace, pod=pod_name, interface=interface.name, uid=uid
            ):
                continue
            count += 1
    return count


def _chosen(analyzer: AnalyzerInterface | None) -> _Chosen:
    if analyzer is None:
        return None
    pod = analyzer.pod
    if pod is None:
        return ("", "", None, analyzer.interface)
    return (pod.namespace, pod.name, pod.uid, analyzer.interface)


class SourceCounts:
    """`count_sources`, kept per destination while no cached pod changes.

    A destination is reconciled whenever its analyzer changes, and counting walks every one of
    its sources (5,000 of them take some 20 ms), though the count depends on pods only.
    mirrorctl never writes pods, so the pod cache's revision alone says when to count again.
    """

    def __init__(self, view: MirroringView) -> None:
        self._view = view
        self._counts: dict[str, tuple[int, _Chosen, int]] = {}

    def count(self, name: str, analyzer: AnalyzerInterface | None) -> int:
        revision = self._view.pods_revision()
        chosen = _chosen(analyzer)
        kept = self._counts.get(name)
        if kept is not None and kept[0] == revision and kept[1] == chosen:
            return kept[2]
        count = count_sources(self._view, name, analyzer)
        self._counts[name] = (revision, chosen, count)
        return count

    def forget(self, name: str) -> None:
        """Drop what is kept for ``name`` (the destination is gone)."""
        self._counts.pop(name, None)
