"""A MirrorDestination's receiver chain: MirrorDestination -> analyzer pod -> interface -> VMI ->
MAC / routing instance -> IP, and which link is missing and why.

The verdict is always the one `resolve_destination` (the reconcilers' own resolution) gives;
the links only show the objects that verdict was reached from, found with the same lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.cli.explain_model import Link, Mark, ReceiverExplanation, ReceiverFacts
from mirrorctl.mirroring.addresses import is_unicast_mac
from mirrorctl.mirroring.contrail import vmi_mac, vmi_routing_instance
from mirrorctl.mirroring.destination import MirrorDestination
from mirrorctl.mirroring.errors import ContrailDataError
from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.mirroring.keys import ANALYZER_POD
from mirrorctl.mirroring.matching import pod_vmis
from mirrorctl.mirroring.report import RESOLVED_REASON, observation_of
from mirrorctl.mirroring.resolution import Receiver, Resolved, Unresolved
from mirrorctl.mirroring.status import ObjectReference, PodReference, State
from mirrorctl.reconcilers.resolve import DestinationOutcome, resolve_destination
from mirrorctl.reconcilers.view import MirroringView, object_key

__all__ = ["NOT_FOUND_REASON", "explain_receiver", "receiver_facts", "receiver_links"]

NOT_FOUND_REASON = "MirrorDestinationNotFound"


def _ref_key(ref: ObjectReference | PodReference | None) -> str | None:
    if ref is None:
        return None
    return f"{ref.namespace}/{ref.name}" if ref.namespace else ref.name


def receiver_facts(receiver: Receiver) -> ReceiverFacts:
    return ReceiverFacts(
        ip_address=receiver.ip_address,
        mac_address=receiver.mac_address,
        routing_instance=receiver.routing_instance,
        pod=_ref_key(receiver.pod),
        interface=receiver.interface,
        virtual_machine=_ref_key(receiver.virtual_machine),
        virtual_machine_interface=_ref_key(receiver.virtual_machine_interface),
        instance_ip=_ref_key(receiver.instance_ip),
    )


def _spec_summary(destination: MirrorDestination) -> str:
    spec = destination.spec
    parts = [f"{spec.next_hop_mode} next hop"]
    if spec.juniper_header:
        parts.append(f"Juniper header, UDP port {spec.udp_port or 'default (8099)'}")
    else:
        parts.append("no Juniper header")
    if spec.static_next_hop_header is not None and spec.next_hop_mode == "static":
        header = spec.static_next_hop_header
        parts.append(
            f"VXLAN {header.vxlan_id} to {header.vtep_destination_ip} "
            f"({header.vtep_destination_mac})"
        )
    if spec.nic_assisted_mirroring:
        parts.append(f"NIC-assisted (VLAN {spec.nic_assisted_vlan_id})")
    parts.append(f"traffic {spec.traffic_direction}")
    return ", ".join(parts)


def _resolved_links(receiver: Receiver, selector: str | None) -> list[Link]:
    facts = receiver_facts(receiver)
    vm = (
        Link("VirtualMachine", facts.virtual_machine, Mark.OK)
        if facts.virtual_machine
        else Link("VirtualMachine", None, Mark.NOTE, "not found (not needed for mirroring)")
    )
    source = (
        f"InstanceIP {facts.instance_ip}"
        if facts.instance_ip
        else "the pod's network-status (no usable InstanceIP)"
    )
    return [
        Link("analyzer pod", facts.pod, Mark.OK, f"labelled {ANALYZER_POD}={selector}"),
        Link("analyzer interface", facts.interface, Mark.OK),
        Link("VirtualMachineInterface", facts.virtual_machine_interface, Mark.OK),
        vm,
        Link("MAC address", facts.mac_address, Mark.OK),
        Link("routing instance", facts.routing_instance, Mark.OK),
        Link("IP address", facts.ip_address, Mark.OK, f"from {source}"),
    ]


def _unresolved_walk(
    view: MirroringView,
    pod_ref: PodReference,
    interface: str,
    mark: Mark,
    message: str,
    cluster_name: str | None,
) -> list[Link]:
    """The links after the chosen analyzer interface, up to the first one that does not hold
    (the one the resolution stopped at), which carries the resolution's own message."""
    links: list[Link] = []
    pod = view.pod(pod_ref.namespace, pod_ref.name)
    if pod is None:
        return [Link("analyzer pod", _ref_key(pod_ref), mark, message)]
    vmis = view.interfaces_of_pod(pod_ref.namespace, pod_ref.name)
    vmi = pod_vmis(pod, pod_interfaces(pod), vmis, cluster_name=cluster_name).get(interface)
    if vmi is None:
        return [Link("VirtualMachineInterface", None, mark, message)]
    links.append(Link("VirtualMachineInterface", object_key(vmi), Mark.OK))
    # In the resolution's order: unusable data first, then what has not arrived yet.
    try:
        mac = vmi_mac(vmi)
    except ContrailDataError:
        return [*links, Link("MAC address", None, mark, message)]
    if mac is not None and not is_unicast_mac(mac):
        return [*links, Link("MAC address", mac, mark, message)]
    try:
        routing_instance = vmi_routing_instance(vmi)
    except ContrailDataError:
        shown = Link("MAC address", mac, Mark.OK if mac else Mark.NOTE, "" if mac else "not yet")
        return [*links, shown, Link("routing instance", None, mark, message)]
    if mac is None:
        return [*links, Link("MAC address", None, mark, message)]
    links.append(Link("MAC address", mac, Mark.OK))
    if routing_instance is None:
        return [*links, Link("routing instance", None, mark, message)]
    links.append(Link("routing instance", routing_instance, Mark.OK))
    # Everything before the address holds, so the address is what the resolution lacks.
    return [*links, Link("IP address", None, mark, message)]


def receiver_links(
    view: MirroringView,
    obj: Mapping[str, Any],
    outcome: DestinationOutcome,
    *,
    cluster_name: str | None = None,
) -> tuple[Link, ...]:
    metadata = obj.get("metadata")
    name = str(metadata.get("name")) if isinstance(metadata, Mapping) else "?"
    resolution = outcome.resolution
    destination = outcome.destination
    if destination is None:
        return (Link("MirrorDestination", name, Mark.INVALID, observation_of(resolution)),)
    links = [Link("MirrorDestination", name, Mark.OK, _spec_summary(destination))]
    if isinstance(resolution, Resolved):
        receiver = resolution.receiver
        if receiver.pod is None:
            links.append(Link("external analyzer", receiver.ip_address, Mark.OK, "no pod lookup"))
        else:
            links.extend(_resolved_links(receiver, destination.selector))
        return tuple(links)
    mark = Mark.INVALID if resolution.state is State.FAILURE else Mark.MISSING
    links.extend(_unresolved_links(view, destination, resolution, mark, cluster_name))
    return tuple(links)


def _unresolved_links(
    view: MirroringView,
    destination: MirrorDestination,
    resolution: Unresolved,
    mark: Mark,
    cluster_name: str | None,
) -> list[Link]:
    if destination.spec.external_analyzer:
        return [Link("external analyzer", destination.spec.analyzer_ip, mark, resolution.message)]
    selector = f"{ANALYZER_POD}={destination.selector}"
    if resolution.pod is None or resolution.interface is None:
        return [Link("analyzer pod", selector, mark, resolution.message)]
    return [
        Link("analyzer pod", _ref_key(resolution.pod), Mark.OK, f"labelled {selector}"),
        Link("analyzer interface", resolution.interface, Mark.OK),
        *_unresolved_walk(
            view, resolution.pod, resolution.interface, mark, resolution.message, cluster_name
        ),
    ]


def explain_receiver(
    view: MirroringView, name: str, *, cluster_name: str | None = None
) -> tuple[DestinationOutcome | None, ReceiverExplanation]:
    """The outcome the reconcilers compute for MirrorDestination ``name`` (None if it does not
    exist) and its explanation."""
    obj = view.destination(name)
    if obj is None:
        message = f"MirrorDestination {name!r} does not exist"
        link = Link(
            "MirrorDestination", name, Mark.MISSING, "does not exist: create it, or fix the name"
        )
        return None, ReceiverExplanation(
            name, False, None, NOT_FOUND_REASON, message, None, (link,)
        )
    outcome = resolve_destination(view, obj, cluster_name=cluster_name)
    resolution = outcome.resolution
    receiver = outcome.receiver
    return outcome, ReceiverExplanation(
        destination=name,
        found=True,
        state=resolution.state.value,
        reason=RESOLVED_REASON if isinstance(resolution, Resolved) else resolution.reason,
        message=observation_of(resolution),
        receiver=receiver_facts(receiver) if receiver is not None else None,
        links=receiver_links(view, obj, outcome, cluster_name=cluster_name),
        notes=resolution.notes,
    )
