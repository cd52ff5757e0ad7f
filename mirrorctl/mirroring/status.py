"""The MirrorDestination status model (CN2's state/observation plus Kubernetes conditions)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from mirrorctl.mirroring.aliases import json_field
from mirrorctl.mirroring.contrail import FQ_NAME_MAX

__all__ = [
    "READY",
    "Condition",
    "MirrorDestinationStatus",
    "ObjectReference",
    "PodReference",
    "State",
    "reference_to",
]

READY = "Ready"


class State(StrEnum):
    PENDING = "Pending"
    SUCCESS = "Success"
    FAILURE = "Failure"


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, populate_by_name=True, extra="ignore", serialize_by_alias=True
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON object the apiserver stores (camelCase, unset fields left out)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class ObjectReference(_Model):
    api_version: str | None = json_field("apiVersion", None)
    kind: str | None = None
    namespace: str | None = None
    name: str
    uid: str | None = None
    fq_name: tuple[str, ...] | None = json_field("fqName", None)


class PodReference(_Model):
    namespace: str
    name: str
    uid: str | None = None


class Condition(_Model):
    type: str
    status: Literal["True", "False", "Unknown"]
    reason: str | None = None
    message: str | None = None
    observed_generation: int | None = json_field("observedGeneration", None)
    last_transition_time: str | None = json_field("lastTransitionTime", None)


class MirrorDestinationStatus(_Model):
    state: State
    observation: str = ""
    observed_generation: int | None = json_field("observedGeneration", None)
    conditions: tuple[Condition, ...] = ()
    analyzer: str | None = None
    analyzer_pod_reference: PodReference | None = json_field("analyzerPodReference", None)
    analyzer_interface: str | None = json_field("analyzerInterface", None)
    virtual_machine_reference: ObjectReference | None = json_field("virtualMachineReference", None)
    virtual_machine_interface_reference: ObjectReference | None = json_field(
        "virtualMachineInterfaceReference", None
    )
    instance_ip_reference: ObjectReference | None = json_field("instanceIPReference", None)
    ip_address: str | None = json_field("ipAddress", None)
    mac_address: str | None = json_field("macAddress", None)
    routing_instance: str | None = json_field("routingInstance", None)
    source_count: int = json_field("sourceCount", 0)

    def condition(self, type_: str) -> Condition | None:
        return next((c for c in self.conditions if c.type == type_), None)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def reference_to(obj: Mapping[str, Any]) -> ObjectReference:
    """A reference to a raw object (with its Contrail FQ name when it carries one)."""
    metadata = obj.get("metadata")
    meta: Mapping[str, Any] = metadata if isinstance(metadata, Mapping) else {}
    spec = obj.get("spec")
    fq_name = spec.get("fqName") if isinstance(spec, Mapping) else None
    valid_fq = (
        isinstance(fq_name, list)
        and all(isinstance(p, str) for p in fq_name)
        # Copied into the MirrorDestination's status: runaway data must not make it too
        # large to write (the reference still names the object).
        and len(":".join(fq_name)) <= FQ_NAME_MAX
    )
    return ObjectReference(
        api_version=_str(obj.get("apiVersion")),
        kind=_str(obj.get("kind")),
        namespace=_str(meta.get("namespace")),
        name=_str(meta.get("name")) or "",
        uid=_str(meta.get("uid")),
        fq_name=tuple(fq_name) if valid_fq and fq_name else None,
    )
