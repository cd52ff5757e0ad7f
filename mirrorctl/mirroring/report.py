"""The status mirrorctl writes on a MirrorDestination for a resolution outcome."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError

from mirrorctl.mirroring.destination import analyzer_display
from mirrorctl.mirroring.quoting import OBSERVATION_MAX, bounded
from mirrorctl.mirroring.resolution import Resolution, Resolved
from mirrorctl.mirroring.status import READY, Condition, MirrorDestinationStatus, State

__all__ = ["destination_status", "observation_of", "rfc3339"]

RESOLVED_REASON = "Resolved"


def rfc3339(moment: datetime) -> str:
    """Kubernetes' metav1.Time text: UTC, second precision, ``Z``."""
    if moment.tzinfo is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def observation_of(outcome: Resolution) -> str:
    """One human paragraph: what happened, then the notes."""
    if isinstance(outcome, Resolved):
        receiver = outcome.receiver
        if receiver.pod is None:
            head = f"mirroring to the external analyzer {receiver.ip_address}"
        else:
            head = (
                f"mirroring to {receiver.ip_address} (pod {receiver.pod.namespace}/"
                f"{receiver.pod.name} interface {receiver.interface}, MAC {receiver.mac_address}, "
                f"routing instance {receiver.routing_instance})"
            )
    else:
        head = outcome.message
    return "; ".join((head, *outcome.notes))


def _previous_ready(obj: Mapping[str, Any]) -> Condition | None:
    status = obj.get("status")
    conditions = status.get("conditions") if isinstance(status, Mapping) else None
    if not isinstance(conditions, list):
        return None
    for raw in conditions:
        if isinstance(raw, Mapping) and raw.get("type") == READY:
            try:
                return Condition.model_validate(raw)
            except ValidationError:
                return None
    return None


def destination_status(
    obj: Mapping[str, Any], outcome: Resolution, *, source_count: int, now: datetime
) -> MirrorDestinationStatus:
    """The full status for raw MirrorDestination ``obj``. The Ready condition keeps its previous
    lastTransitionTime unless its status flips, so an unchanged outcome yields an unchanged
    status (and no write)."""
    metadata = obj.get("metadata")
    generation = metadata.get("generation") if isinstance(metadata, Mapping) else None
    generation = generation if isinstance(generation, int) else None
    observation = bounded(observation_of(outcome), OBSERVATION_MAX)
    ready: Literal["True", "False"] = "True" if outcome.state is State.SUCCESS else "False"
    previous = _previous_ready(obj)
    since = (
        previous.last_transition_time
        if previous is not None and previous.status == ready and previous.last_transition_time
        else rfc3339(now)
    )
    condition = Condition(
        type=READY,
        status=ready,
        reason=RESOLVED_REASON if isinstance(outcome, Resolved) else outcome.reason,
        message=observation,
        observed_generation=generation,
        last_transition_time=since,
    )
    common: dict[str, Any] = {
        "state": outcome.state,
        "observation": observation,
        "observed_generation": generation,
        "conditions": (condition,),
        "analyzer": analyzer_display(obj),
        "source_count": source_count,
    }
    if isinstance(outcome, Resolved):
        receiver = outcome.receiver
        return MirrorDestinationStatus(
            **common,
            analyzer_pod_reference=receiver.pod,
            analyzer_interface=receiver.interface,
            virtual_machine_reference=receiver.virtual_machine,
            virtual_machine_interface_reference=receiver.virtual_machine_interface,
            instance_ip_reference=receiver.instance_ip,
            ip_address=receiver.ip_address,
            mac_address=receiver.mac_address,
            routing_instance=receiver.routing_instance,
        )
    return MirrorDestinationStatus(
        **common, analyzer_pod_reference=outcome.pod, analyzer_interface=outcome.interface
    )
