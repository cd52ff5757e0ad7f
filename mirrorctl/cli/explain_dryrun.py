"""The controller's own reconcilers, run once over what the cache holds, with their writes and
Events captured instead of sent: what they would do now is what ``explain`` reports as not yet
converged, so it cannot disagree with the controller."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mirrorctl.cli.explain_model import PlannedWrite, RecordedEvent
from mirrorctl.client.json_codec import dumps
from mirrorctl.client.patch import PatchType
from mirrorctl.client.resource import Resource
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcilers.analyzer_pod import AnalyzerPodReconciler
from mirrorctl.reconcilers.destination import DestinationReconciler
from mirrorctl.reconcilers.notices import Notices
from mirrorctl.reconcilers.source_pod import SourcePodReconciler
from mirrorctl.reconcilers.view import MirroringView, object_key
from mirrorctl.reconcilers.writer import ObjectWriter
from mirrorctl.reconcilers.written import WrittenObjects

__all__ = ["DryRun", "DryRunResult"]


@dataclass(frozen=True, slots=True)
class DryRunResult:
    writes: tuple[PlannedWrite, ...]
    events: tuple[RecordedEvent, ...]


class _Capture:
    """Stands in for the client (`Patcher`) and the Event recorder (`Recorder`)."""

    def __init__(self) -> None:
        self.writes: list[PlannedWrite] = []
        self.events: list[RecordedEvent] = []

    async def patch_raw(
        self,
        resource: Resource,
        name: str,
        body: Any,
        namespace: str | None = None,
        *,
        patch_type: PatchType = PatchType.MERGE,
        subresource: str | None = None,
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> bytes:
        key = f"{namespace}/{name}" if namespace else name
        self.writes.append(PlannedWrite(resource.kind, key, subresource, body))
        # What the writer remembers stays in its own throwaway memory, never in the view.
        metadata = {"name": name, "namespace": namespace} if namespace else {"name": name}
        return dumps({"metadata": metadata})

    def event(
        self,
        obj: Mapping[str, Any],
        type_: str,
        reason: str,
        message: str,
        *,
        field_path: str | None = None,
    ) -> None:
        kind = obj.get("kind")
        self.events.append(
            RecordedEvent(str(kind or "object"), object_key(obj), type_, reason, message)
        )

    def result(self) -> DryRunResult:
        return DryRunResult(tuple(self.writes), tuple(self.events))


class DryRun:
    """One fresh set of reconcilers per question, so nothing one run remembers (standing
    notices, written objects) colours the next."""

    def __init__(self, view: MirroringView, *, cluster_name: str | None = None) -> None:
        self._view = view
        self._cluster_name = cluster_name

    def _writer(self, capture: _Capture) -> ObjectWriter:
        return ObjectWriter(capture, WrittenObjects(), self._view.keymap)

    async def pod(self, namespace: str, name: str) -> DryRunResult:
        """What the analyzer-pod and source-pod reconcilers would write for the pod."""
        capture = _Capture()
        request = Request(name=name, namespace=namespace)
        cluster = self._cluster_name
        writer = self._writer(capture)
        analyzer = AnalyzerPodReconciler(self._view, writer, Notices(capture), cluster_name=cluster)
        source = SourcePodReconciler(self._view, writer, Notices(capture), cluster_name=cluster)
        await analyzer.reconcile(request)
        await source.reconcile(request)
        return capture.result()

    async def destination(self, name: str) -> DryRunResult:
        """What the MirrorDestination reconciler would write (its status) and announce."""
        capture = _Capture()
        reconciler = DestinationReconciler(
            self._view, self._writer(capture), capture, cluster_name=self._cluster_name
        )
        await reconciler.reconcile(Request(name=name))
        return capture.result()
