"""Resolving a MirrorDestination to the receiver of its mirrored traffic (spec section 4)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mirrorctl.mirroring.addresses import is_unicast_ip, is_unicast_mac, normalize_ip
from mirrorctl.mirroring.analyzer import AnalyzerCandidate, find_analyzer
from mirrorctl.mirroring.contrail import (
    InstanceAddress,
    describe,
    instance_ip_address,
    references,
    vmi_mac,
    vmi_routing_instance,
)
from mirrorctl.mirroring.destination import MirrorDestination
from mirrorctl.mirroring.errors import ContrailDataError, MirroringError
from mirrorctl.mirroring.keys import ANALYZER_INTERFACE, ANALYZER_POD, ANALYZER_POD_SELECTOR
from mirrorctl.mirroring.matching import pod_vm, pod_vmis
from mirrorctl.mirroring.status import ObjectReference, PodReference, State, reference_to

__all__ = ["Receiver", "Resolution", "Resolved", "Unresolved", "resolve_receiver"]


@dataclass(frozen=True, slots=True)
class Receiver:
    """Where mirrored traffic goes. Only ``ip_address`` is known for an external analyzer."""

    ip_address: str
    mac_address: str | None = None
    routing_instance: str | None = None
    pod: PodReference | None = None
    interface: str | None = None
    virtual_machine: ObjectReference | None = None
    virtual_machine_interface: ObjectReference | None = None
    instance_ip: ObjectReference | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    receiver: Receiver
    notes: tuple[str, ...] = ()

    @property
    def state(self) -> State:
        return State.SUCCESS


@dataclass(frozen=True, slots=True)
class Unresolved:
    """Pending: something is missing and may still appear. Failure: something must be fixed."""

    state: State
    reason: str
    message: str
    notes: tuple[str, ...] = ()
    pod: PodReference | None = None
    interface: str | None = None

    @classmethod
    def from_error(cls, error: MirroringError, notes: tuple[str, ...] = ()) -> Unresolved:
        return cls(State.FAILURE, error.reason, error.message, notes)


Resolution = Resolved | Unresolved


@dataclass(frozen=True, slots=True)
class _InstanceIPs:
    best: tuple[InstanceAddress, Mapping[str, Any]] | None
    faults: tuple[ContrailDataError, ...]


def _instance_address(
    vmi: Mapping[str, Any], instance_ips: Iterable[Mapping[str, Any]]
) -> _InstanceIPs:
    """The VMI's best InstanceIP address (v4 first, then by name) and the faults of the others."""
    usable: list[tuple[tuple[int, str], InstanceAddress, Mapping[str, Any]]] = []
    faults: list[ContrailDataError] = []
    for iip in instance_ips:
        spec = iip.get("spec") if isinstance(iip, (dict, Mapping)) else None
        refs = spec.get("virtualMachineInterfaceReferences") if isinstance(spec, Mapping) else None
        if not references(refs, vmi):
            continue
        try:
            found = instance_ip_address(iip)
            if found is not None and not is_unicast_ip(found.address):
                raise ContrailDataError(
                    f"{describe(iip)}: spec.instanceIPAddress {found.address} is not unicast"
                )
        except ContrailDataError as err:
            faults.append(err)
            continue
        if found is not None:
            usable.append(((0 if found.family == "v4" else 1, describe(iip)), found, iip))
    best = min(usable, key=lambda u: u[0]) if usable else None
    return _InstanceIPs(best[1:] if best else None, tuple(faults))


def _status_address(candidate: AnalyzerCandidate) -> str | None:
    entry = candidate.interfaces.status_of(candidate.interface)
    if entry is None:
        return None
    addresses: list[str] = []
    for raw in entry.ips:
        try:
            address = normalize_ip(raw)
        except ValueError:
            continue
        if is_unicast_ip(address):
            addresses.append(address)
    v4 = [a for a in addresses if ":" not in a]
    preferred = v4 or addresses
    return preferred[0] if preferred else None


def _resolve_pod(
    candidate: AnalyzerCandidate,
    notes: tuple[str, ...],
    vmis: Iterable[Mapping[str, Any]],
    instance_ips: Iterable[Mapping[str, Any]],
    vms: Iterable[Mapping[str, Any]],
    cluster_name: str | None,
) -> Resolution:
    pod_ref = PodReference(namespace=candidate.namespace, name=candidate.name, uid=candidate.uid)
    where = f"pod {candidate.namespace}/{candidate.name} interface {candidate.interface.name}"

    def pending(reason: str, message: str) -> Unresolved:
        return Unresolved(State.PENDING, reason, message, notes, pod_ref, candidate.interface.name)

    def failure(error: ContrailDataError) -> Unresolved:
        return Unresolved(
            State.FAILURE, error.reason, error.message, notes, pod_ref, candidate.interface.name
        )

    matched = pod_vmis(candidate.pod, candidate.interfaces, vmis, cluster_name=cluster_name)
    vmi = matched.get(candidate.interface.name)
    if vmi is None:
        return pending(
            "AnalyzerInterfaceNotFound",
            f"waiting for the VirtualMachineInterface of analyzer {where} (CN2 kube-manager "
            "creates it)",
        )
    try:
        mac = vmi_mac(vmi)
        if mac is not None and not is_unicast_mac(mac):
            raise ContrailDataError(f"{describe(vmi)}: MAC {mac} is not a unicast MAC address")
        routing_instance = vmi_routing_instance(vmi)
    except ContrailDataError as err:
        return failure(err)
    if mac is None:
        return pending("AnalyzerMACNotFound", f"waiting for the MAC address of {describe(vmi)}")
    if routing_instance is None:
        return pending(
            "RoutingInstanceNotFound",
            f"waiting for the routing instance (or virtual network) of {describe(vmi)}",
        )
    found = _instance_address(vmi, instance_ips)
    instance_ip: ObjectReference | None = None
    if found.best is not None:
        ip_address = found.best[0].address
        instance_ip = reference_to(found.best[1])
        notes = (*notes, *(f"ignored {fault.message}" for fault in found.faults))
    else:
        fallback = _status_address(candidate)
        if fallback is None and found.faults:
            return failure(found.faults[0])
        if fallback is None:
            return pending(
                "AnalyzerIPNotFound",
                f"waiting for an InstanceIP of {describe(vmi)} (or an address in the pod's "
                "network-status)",
            )
        ip_address = fallback
        notes = (
            *notes,
            *(f"ignored {fault.message}" for fault in found.faults),
            f"the analyzer IP {ip_address} comes from the pod's network-status",
        )
    vm = pod_vm(candidate.pod, vms, cluster_name=cluster_name)
    vm_ref = reference_to(vm) if vm is not None else _first_reference(vmi)
    return Resolved(
        Receiver(
            ip_address=ip_address,
            mac_address=mac,
            routing_instance=routing_instance,
            pod=pod_ref,
            interface=candidate.interface.name,
            virtual_machine=vm_ref,
            virtual_machine_interface=reference_to(vmi),
            instance_ip=instance_ip,
        ),
        notes,
    )


def _first_reference(vmi: Mapping[str, Any]) -> ObjectReference | None:
    spec = vmi.get("spec")
    refs = spec.get("virtualMachineReferences") if isinstance(spec, (dict, Mapping)) else None
    if not isinstance(refs, list) or not refs or not isinstance(refs[0], Mapping):
        return None
    try:
        return ObjectReference.model_validate(refs[0])
    except ValueError:
        return None


def resolve_receiver(
    destination: MirrorDestination,
    *,
    pods: Iterable[Mapping[str, Any]],
    vmis: Iterable[Mapping[str, Any]],
    instance_ips: Iterable[Mapping[str, Any]],
    vms: Iterable[Mapping[str, Any]] = (),
    cluster_name: str | None = None,
) -> Resolution:
    """The receiver of a valid MirrorDestination from raw cluster objects (any order)."""
    spec = destination.spec
    if spec.external_analyzer and spec.analyzer_ip is not None:
        return Resolved(Receiver(ip_address=spec.analyzer_ip))
    selector = destination.selector
    if spec.external_analyzer or selector is None:
        # parse_mirror_destination rejects both; kept total for hand-built destinations.
        return Unresolved(
            State.FAILURE,
            "InvalidSpec",
            f"MirrorDestination {destination.name!r} names no analyzer: set label "
            f"{ANALYZER_POD_SELECTOR}, or spec.externalAnalyzer with spec.analyzerIP",
        )
    search = find_analyzer(selector, pods)
    notes = search.notes()
    if search.chosen is None:
        if search.unmarked:
            return Unresolved(
                State.PENDING,
                "AnalyzerInterfaceNotMarked",
                f"pod(s) {', '.join(search.unmarked)} are labelled {ANALYZER_POD}={selector} but "
                f"mark no analyzer interface: annotate the pod with {ANALYZER_INTERFACE}: "
                f'"true", or set it in the cni-args of a network',
                tuple(str(p) for p in search.problems),
            )
        return Unresolved(
            State.PENDING,
            "AnalyzerPodNotFound",
            f"no running pod is labelled {ANALYZER_POD}={selector}",
        )
    return _resolve_pod(search.chosen, notes, vmis, instance_ips, vms, cluster_name)
