"""``mirrorctl explain md NAME``: a MirrorDestination's receiver chain, its status as stored and
as the controller computes it now, and each source interface that asks for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.cli.explain_dryrun import DryRun
from mirrorctl.cli.explain_model import (
    DestinationExplanation,
    InterfaceState,
    SourceInterface,
    StoredStatus,
)
from mirrorctl.cli.explain_pod import PodExplainer
from mirrorctl.mirroring.destination import analyzer_display
from mirrorctl.mirroring.pods import pod_identity
from mirrorctl.mirroring.self_mirror import analyzer_of
from mirrorctl.mirroring.status import READY
from mirrorctl.reconcilers.source_count import count_sources
from mirrorctl.reconcilers.view import MirroringView

__all__ = ["explain_destination", "stored_status"]


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def stored_status(obj: Mapping[str, Any]) -> StoredStatus | None:
    status = obj.get("status")
    if not isinstance(status, Mapping) or not status:
        return None
    conditions = status.get("conditions")
    ready = next(
        (
            c
            for c in (conditions if isinstance(conditions, list) else [])
            if isinstance(c, Mapping) and c.get("type") == READY
        ),
        {},
    )
    return StoredStatus(
        state=_str(status.get("state")),
        reason=_str(ready.get("reason")),
        observed_generation=_int(status.get("observedGeneration")),
        ip_address=_str(status.get("ipAddress")),
        mac_address=_str(status.get("macAddress")),
        routing_instance=_str(status.get("routingInstance")),
        source_count=_int(status.get("sourceCount")),
    )


async def explain_destination(
    view: MirroringView, name: str, *, cluster_name: str | None = None
) -> DestinationExplanation | None:
    """None when the MirrorDestination does not exist."""
    obj = view.destination(name)
    if obj is None:
        return None
    dry_run = DryRun(view, cluster_name=cluster_name)
    pods = PodExplainer(view, dry_run, cluster_name=cluster_name)
    outcome, receiver = pods.receiver(name)
    run = await dry_run.destination(name)
    sources: list[SourceInterface] = []
    for pod in sorted(view.source_pods(name), key=pod_identity):
        namespace, pod_name, _ = pod_identity(pod)
        explained = await pods.explain(namespace, pod_name)
        for interface in explained.interfaces if explained is not None else ():
            if interface.mirror_destination == name:
                sources.append(
                    SourceInterface(
                        pod=f"{namespace}/{pod_name}",
                        interface=interface.name,
                        vmi=interface.vmi,
                        state=interface.state,
                        summary=interface.summary,
                    )
                )
    count = count_sources(view, name, analyzer_of(outcome.resolution) if outcome else None)
    status_current = not any(w.subresource == "status" for w in run.writes)
    mirrored = sum(1 for s in sources if s.state is InterfaceState.MIRRORED)
    summary = f"{receiver.state} ({receiver.reason}); {mirrored} of {count} source interface(s) "
    summary += "mirrored"
    if not status_current:
        summary += "; the stored status is behind (is mirrorctl running?)"
    metadata = obj.get("metadata")
    generation = metadata.get("generation") if isinstance(metadata, Mapping) else None
    return DestinationExplanation(
        name=name,
        generation=_int(generation),
        analyzer=analyzer_display(obj),
        receiver=receiver,
        source_count=count,
        sources=tuple(sources),
        status=stored_status(obj),
        status_current=status_current,
        events=run.events,
        pending=run.writes,
        summary=summary,
    )
