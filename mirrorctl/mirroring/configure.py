"""Building a source interface's mirroring configuration from its destination and receiver."""

from __future__ import annotations

from mirrorctl.mirroring.configuration import MirroringConfiguration, StaticNhHeader
from mirrorctl.mirroring.destination import MirrorDestination
from mirrorctl.mirroring.resolution import Receiver

__all__ = ["build_configuration"]


def build_configuration(
    destination: MirrorDestination, receiver: Receiver
) -> MirroringConfiguration:
    """Contrail's mirror action for every source interface of ``destination``."""
    spec = destination.spec
    header = spec.static_next_hop_header if spec.next_hop_mode == "static" else None
    return MirroringConfiguration(
        analyzer_name=destination.name,
        analyzer_ip_address=receiver.ip_address,
        analyzer_macaddress=receiver.mac_address,
        ri=receiver.routing_instance,
        udp_port=spec.udp_port,
        juniper_header=spec.juniper_header,
        nh_mode=spec.next_hop_mode,
        static_nh_header=(
            StaticNhHeader(
                vtep_dst_ip_address=header.vtep_destination_ip,
                vtep_dst_mac_address=header.vtep_destination_mac,
                vni=header.vxlan_id,
            )
            if header is not None
            else None
        ),
        nic_assisted_mirroring=spec.nic_assisted_mirroring,
        nic_assisted_mirroring_vlan=spec.nic_assisted_vlan_id,
        traffic_direction=spec.traffic_direction,
    )
