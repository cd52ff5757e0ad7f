"""What ``mirrorctl explain`` reports: plain frozen records, rendered for a person or as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = [
    "DestinationExplanation",
    "InterfaceExplanation",
    "InterfaceState",
    "Link",
    "Mark",
    "OwnedKeys",
    "PlannedWrite",
    "PodExplanation",
    "ReceiverExplanation",
    "ReceiverFacts",
    "RecordedEvent",
    "SourceInterface",
    "StoredStatus",
    "first_broken",
]


class Mark(StrEnum):
    OK = "ok"
    MISSING = "missing"  # not there (yet): mirroring waits for it
    INVALID = "invalid"  # there but unusable: someone must fix it
    NOTE = "note"  # worth knowing, blocks nothing


@dataclass(frozen=True, slots=True)
class Link:
    """One link of a chain: what it is, which object or value, and whether it holds."""

    kind: str
    name: str | None
    mark: Mark
    detail: str = ""

    @property
    def broken(self) -> bool:
        return self.mark in (Mark.MISSING, Mark.INVALID)


def first_broken(links: tuple[Link, ...]) -> Link | None:
    return next((link for link in links if link.broken), None)


@dataclass(frozen=True, slots=True)
class PlannedWrite:
    """A write the controller would make now (the cluster has not converged on it)."""

    kind: str
    key: str
    subresource: str | None
    patch: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An Event the controller records about an object in this state."""

    kind: str
    key: str
    type: str
    reason: str
    message: str


@dataclass(frozen=True, slots=True)
class ReceiverFacts:
    """Where a resolved MirrorDestination sends copies (only the IP for an external one)."""

    ip_address: str
    mac_address: str | None
    routing_instance: str | None
    pod: str | None
    interface: str | None
    virtual_machine: str | None
    virtual_machine_interface: str | None
    instance_ip: str | None


@dataclass(frozen=True, slots=True)
class ReceiverExplanation:
    """A MirrorDestination's receiver chain, resolved by the controller's own code."""

    destination: str
    found: bool
    state: str | None  # Success | Pending | Failure; None when the destination does not exist
    reason: str
    message: str
    receiver: ReceiverFacts | None
    links: tuple[Link, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OwnedKeys:
    """The keys mirrorctl owns on a VMI (spec section 2)."""

    mirror_destination: str | None
    mirroring_configuration: Any  # the parsed JSON, or the raw text when it is not JSON
    analyzer_interface: bool


class InterfaceState(StrEnum):
    MIRRORED = "mirrored"  # the VMI carries the configuration the controller computes
    NOT_MIRRORED = "not-mirrored"  # asked for, but a link of the chain is missing or invalid
    OUT_OF_SYNC = "out-of-sync"  # the controller would change the VMI now
    ANALYZER = "analyzer"  # receives copies (or is marked to), asks for none
    NOT_REQUESTED = "not-requested"


@dataclass(frozen=True, slots=True)
class InterfaceExplanation:
    name: str
    index: int
    network: str | None  # None: the default pod network
    mirror_destination: str | None  # what the pod asks for on this interface
    analyzer_mark: bool
    vmi: str | None
    state: InterfaceState
    summary: str
    links: tuple[Link, ...]
    receiver: ReceiverExplanation | None
    on_vmi: OwnedKeys | None  # what the VMI carries now
    expected: OwnedKeys | None  # what the controller computes for it
    analyzer_for: tuple[str, ...]  # MirrorDestinations whose copies this interface receives


@dataclass(frozen=True, slots=True)
class PodExplanation:
    namespace: str
    name: str
    uid: str | None
    host_network: bool
    analyzer_label: str | None
    virtual_machine: str | None
    interfaces: tuple[InterfaceExplanation, ...]
    problems: tuple[RecordedEvent, ...]
    pending: tuple[PlannedWrite, ...]
    summary: str
    kind: str = "Pod"


@dataclass(frozen=True, slots=True)
class StoredStatus:
    """What the MirrorDestination's status says now (written by the controller earlier)."""

    state: str | None
    reason: str | None
    observed_generation: int | None
    ip_address: str | None
    mac_address: str | None
    routing_instance: str | None
    source_count: int | None


@dataclass(frozen=True, slots=True)
class SourceInterface:
    pod: str
    interface: str
    vmi: str | None
    state: InterfaceState
    summary: str


@dataclass(frozen=True, slots=True)
class DestinationExplanation:
    name: str
    generation: int | None
    analyzer: str | None  # the selector value, or the external analyzer's IP
    receiver: ReceiverExplanation
    source_count: int  # what the controller counts (live pods, self-mirroring excluded)
    sources: tuple[SourceInterface, ...]
    status: StoredStatus | None
    status_current: bool  # the stored status is what the controller computes now
    events: tuple[RecordedEvent, ...]
    pending: tuple[PlannedWrite, ...]
    summary: str
    kind: str = "MirrorDestination"
