from __future__ import annotations

import orjson

from mirrorctl.mirroring.configure import build_configuration
from mirrorctl.mirroring.destination import parse_mirror_destination
from mirrorctl.mirroring.resolution import Receiver

from .builders import md

RECEIVER = Receiver(
    ip_address="10.128.0.200",
    mac_address="02:76:6c:25:f2:8c",
    routing_instance="default-domain:cn2:default-podnetwork:default-podnetwork",
)
STATIC = {
    "nextHopMode": "static",
    "juniperHeader": False,
    "staticNextHopHeader": {
        "vTEPDestinationIP": "192.0.2.10",
        "vTEPDestinationMac": "02:AA:BB:CC:DD:EE",
        "vxlanID": 4096,
    },
}


def test_seed_shaped_configuration() -> None:
    config = build_configuration(
        parse_mirror_destination(md("mirrordestinationprofile1")), RECEIVER
    )
    data = orjson.loads(config.to_json())
    assert data == {
        "analyzer_name": "mirrordestinationprofile1",
        "analyzer_ip_address": "10.128.0.200",
        "analyzer_macaddress": "02:76:6c:25:f2:8c",
        "ri": "default-domain:cn2:default-podnetwork:default-podnetwork",
        "udp_port": None,
        "juniper_header": True,
        "nh_mode": "dynamic",
        "static_nh_header": None,
        "nic_assisted_mirroring": False,
        "nic_assisted_mirroring_vlan": None,
        "traffic_direction": "both",
    }


def test_every_spec_field_is_carried() -> None:
    spec = {
        **STATIC,
        "udpPort": 9000,
        "trafficDirection": "ingress",
        "nicAssistedMirroring": True,
        "nicAssistedVlanID": 100,
    }
    config = build_configuration(parse_mirror_destination(md("m", spec)), RECEIVER)
    assert config.udp_port == 9000
    assert config.juniper_header is False
    assert config.nh_mode == "static"
    assert config.static_nh_header is not None
    assert config.static_nh_header.model_dump() == {
        "vtep_dst_ip_address": "192.0.2.10",
        "vtep_dst_mac_address": "02:aa:bb:cc:dd:ee",
        "vni": 4096,
    }
    assert config.nic_assisted_mirroring is True
    assert config.nic_assisted_mirroring_vlan == 100
    assert config.traffic_direction == "ingress"


def test_static_header_dropped_in_dynamic_mode() -> None:
    spec = {"staticNextHopHeader": STATIC["staticNextHopHeader"]}
    config = build_configuration(parse_mirror_destination(md("m", spec)), RECEIVER)
    assert config.static_nh_header is None


def test_external_analyzer_has_only_an_ip() -> None:
    d = parse_mirror_destination(
        md("ext", {"externalAnalyzer": True, "analyzerIP": "198.51.100.7"}, selector=None)
    )
    config = build_configuration(d, Receiver(ip_address="198.51.100.7"))
    assert (config.analyzer_ip_address, config.analyzer_macaddress, config.ri) == (
        "198.51.100.7",
        None,
        None,
    )
