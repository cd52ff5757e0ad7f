"""Choosing a MirrorDestination's analyzer among the pods its selector matches."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mirrorctl.mirroring.errors import AnnotationError
from mirrorctl.mirroring.interfaces import PodInterface, PodInterfaces, pod_interfaces
from mirrorctl.mirroring.keys import ANALYZER_POD
from mirrorctl.mirroring.pods import created_at, is_live_pod, pod_identity

__all__ = ["AnalyzerCandidate", "AnalyzerSearch", "find_analyzer"]


@dataclass(frozen=True, slots=True)
class AnalyzerCandidate:
    pod: Mapping[str, Any]
    interfaces: PodInterfaces
    interface: PodInterface

    @property
    def namespace(self) -> str:
        return pod_identity(self.pod)[0]

    @property
    def name(self) -> str:
        return pod_identity(self.pod)[1]

    @property
    def uid(self) -> str | None:
        return pod_identity(self.pod)[2]

    @property
    def label(self) -> str:
        return f"{self.namespace}/{self.name} {self.interface.name}"

    def sort_key(self) -> tuple[str, str, str, int]:
        return (created_at(self.pod), self.namespace, self.name, self.interface.index)


@dataclass(frozen=True, slots=True)
class AnalyzerSearch:
    chosen: AnalyzerCandidate | None
    others: tuple[AnalyzerCandidate, ...]  # also matched, not used
    unmarked: tuple[str, ...]  # "ns/name" of selected pods that mark no analyzer interface
    problems: tuple[AnnotationError, ...]  # annotation faults of the selected pods

    def notes(self) -> tuple[str, ...]:
        """Sentences for the MirrorDestination's observation."""
        notes: list[str] = []
        if self.chosen is not None and self.chosen.interfaces.analyzer_mark_overridden:
            notes.append(
                f"pod {self.chosen.namespace}/{self.chosen.name} marks both its default and a "
                f"secondary interface as analyzer interface; the secondary "
                f"{self.chosen.interface.name} is used"
            )
        if self.others:
            listed = ", ".join(c.label for c in self.others)
            notes.append(
                f"{len(self.others)} other analyzer interface(s) match and are not used "
                f"(the oldest pod wins): {listed}"
            )
        return tuple(notes)


def find_analyzer(selector: str, pods: Iterable[Mapping[str, Any]]) -> AnalyzerSearch:
    """The analyzer for ``selector``: among live pods labelled ``analyzer-pod=<selector>``, the
    oldest pod's lowest-index analyzer interface. Deterministic for any input order."""
    candidates: list[AnalyzerCandidate] = []
    unmarked: list[str] = []
    problems: list[AnnotationError] = []
    for pod in pods:
        if not isinstance(pod, Mapping):
            continue
        metadata = pod.get("metadata")
        labels = metadata.get("labels") if isinstance(metadata, Mapping) else None
        if not isinstance(labels, Mapping) or labels.get(ANALYZER_POD) != selector:
            continue
        if not is_live_pod(pod):
            continue
        interfaces = pod_interfaces(pod)
        problems.extend(interfaces.problems)
        marked = interfaces.analyzer_interfaces
        if not marked:
            namespace, name, _ = pod_identity(pod)
            unmarked.append(f"{namespace}/{name}")
        candidates.extend(AnalyzerCandidate(pod, interfaces, i) for i in marked)
    candidates.sort(key=AnalyzerCandidate.sort_key)
    return AnalyzerSearch(
        chosen=candidates[0] if candidates else None,
        others=tuple(candidates[1:]),
        unmarked=tuple(sorted(unmarked)),
        problems=tuple(problems),
    )
