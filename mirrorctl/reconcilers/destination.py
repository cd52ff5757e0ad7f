"""The MirrorDestination reconciler: validates, resolves the receiver and reports it in status."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from mirrorctl.client.events import Recorder
from mirrorctl.mirroring.report import destination_status
from mirrorctl.mirroring.self_mirror import analyzer_of
from mirrorctl.mirroring.status import READY, MirrorDestinationStatus, State
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcile.result import Result
from mirrorctl.reconcilers.conditions import with_foreign_conditions
from mirrorctl.reconcilers.merge_patch import merge_patch
from mirrorctl.reconcilers.notices import NORMAL, WARNING
from mirrorctl.reconcilers.resolve import DestinationResolver
from mirrorctl.reconcilers.source_count import SourceCounts
from mirrorctl.reconcilers.view import MirroringView
from mirrorctl.reconcilers.writer import ObjectWriter

__all__ = ["DestinationReconciler"]

# What a user hears about: the state, why, where copies go, and what must be fixed.
_Summary = tuple[object, object, object, object, object, object]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _summary(status: Mapping[str, Any]) -> _Summary:
    conditions = status.get("conditions")
    ready = next(
        (
            c
            for c in (conditions if isinstance(conditions, list) else [])
            if isinstance(c, Mapping) and c.get("type") == READY
        ),
        {},
    )
    state = status.get("state")
    return (
        state,
        ready.get("reason"),
        status.get("ipAddress"),
        status.get("macAddress"),
        status.get("routingInstance"),
        # A failure that changes (a spec edited into another invalid one) is a new problem.
        status.get("observation") if state == State.FAILURE.value else None,
    )


class DestinationReconciler:
    """Key: a MirrorDestination. Writes its status (state, observation, Ready condition,
    resolved receiver, source count) by merge patch of the status subresource when, and only
    when, it differs from the stored one, and records an Event on every transition. Other
    controllers' conditions are kept (`with_foreign_conditions`)."""

    def __init__(
        self,
        view: MirroringView,
        writer: ObjectWriter,
        recorder: Recorder,
        *,
        cluster_name: str | None = None,
        now: Callable[[], datetime] | None = None,
        resolver: DestinationResolver | None = None,
    ) -> None:
        self._view = view
        self._writer = writer
        self._recorder = recorder
        self._now = now or _utcnow
        self._resolver = resolver or DestinationResolver(view, cluster_name=cluster_name)
        self._counts = SourceCounts(view)

    async def reconcile(self, request: Request) -> Result:
        obj = self._view.destination(request.name)
        if obj is None:
            self._counts.forget(request.name)
            return Result()
        outcome = self._resolver.resolve(obj)
        status = destination_status(
            obj,
            outcome.resolution,
            source_count=self._counts.count(request.name, analyzer_of(outcome.resolution)),
            now=self._now(),
        )
        stored = obj.get("status")
        current: Mapping[str, Any] = stored if isinstance(stored, Mapping) else {}
        desired, foreign = with_foreign_conditions(current, status.to_dict(), (READY,))
        if desired == current:
            return Result()
        patch: dict[str, Any] = {"status": merge_patch(current, desired)}
        if foreign and "conditions" in patch["status"]:
            # Optimistic lock: a condition added since the cache saw the object is not lost.
            patch["metadata"] = {"resourceVersion": obj["metadata"]["resourceVersion"]}
        written = await self._writer.patch_status(
            self._view.resources.mirror_destinations, obj, patch
        )
        if written:
            self._announce(obj, current, desired, status)
        return Result()

    def _announce(
        self,
        obj: Mapping[str, Any],
        before: Mapping[str, Any],
        after: Mapping[str, Any],
        status: MirrorDestinationStatus,
    ) -> None:
        old, new = _summary(before), _summary(after)
        if old == new:
            return
        state = status.state
        reason = str(new[1])
        if state is State.SUCCESS:
            reason = "ReceiverChanged" if old[0] == State.SUCCESS.value else "Resolved"
            self._recorder.event(obj, NORMAL, reason, status.observation)
        elif state is State.FAILURE:
            self._recorder.event(obj, WARNING, reason, status.observation)
        else:
            # Pending after Success means the sources just lost their configuration.
            kind = WARNING if old[0] == State.SUCCESS.value else NORMAL
            self._recorder.event(obj, kind, reason, status.observation)
