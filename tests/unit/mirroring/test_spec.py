from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.mirroring.errors import SpecError
from mirrorctl.mirroring.messages import field_path
from mirrorctl.mirroring.spec import MirrorDestinationSpec, parse_spec

STATIC_HEADER = {
    "vTEPDestinationIP": "192.0.2.10",
    "vTEPDestinationMac": "02:AA:BB:CC:DD:EE",
    "vxlanID": 4096,
}


def test_defaults() -> None:
    spec = parse_spec(None)
    assert spec == parse_spec({})
    assert spec.traffic_direction == "both"
    assert spec.udp_port is None
    assert spec.juniper_header is True
    assert spec.next_hop_mode == "dynamic"
    assert spec.static_next_hop_header is None
    assert spec.nic_assisted_mirroring is False
    assert spec.nic_assisted_vlan_id is None
    assert spec.external_analyzer is False
    assert spec.analyzer_ip is None


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"juniperHeader": True, "udpPort": 8099}, id="dynamic+header"),
        pytest.param({"juniperHeader": False}, id="dynamic-no-header"),
        pytest.param(
            {"nextHopMode": "static", "juniperHeader": False, "staticNextHopHeader": STATIC_HEADER},
            id="static-no-header",
        ),
        pytest.param({"externalAnalyzer": True, "analyzerIP": "198.51.100.7"}, id="external"),
        pytest.param({"externalAnalyzer": True, "analyzerIP": "2001:db8::7"}, id="external-v6"),
        pytest.param(
            {
                "externalAnalyzer": True,
                "analyzerIP": "198.51.100.7",
                "juniperHeader": False,
                "nextHopMode": "static",
                "staticNextHopHeader": STATIC_HEADER,
            },
            id="external-static",
        ),
        pytest.param({"udpPort": 1}, id="udp-min"),
        pytest.param({"udpPort": 65535}, id="udp-max"),
        pytest.param({"nicAssistedMirroring": True, "nicAssistedVlanID": 0}, id="vlan-0"),
        pytest.param({"nicAssistedVlanID": 4094}, id="vlan-max"),
        pytest.param({"trafficDirection": "ingress"}, id="ingress"),
        pytest.param({"trafficDirection": "egress"}, id="egress"),
        pytest.param({"udpPort": None, "juniperHeader": None}, id="nulls-are-defaults"),
        pytest.param({"fqName": ["default-domain", "md"], "somethingNew": 1}, id="unknown-ignored"),
        pytest.param({"analyzerIP": "10.0.0.1"}, id="ip-without-external-ignored"),
        pytest.param({"staticNextHopHeader": STATIC_HEADER}, id="header-without-static-ignored"),
    ],
)
def test_valid_specs(raw: dict[str, Any]) -> None:
    assert isinstance(parse_spec(raw), MirrorDestinationSpec)


@pytest.mark.parametrize(
    ("raw", "problems"),
    [
        pytest.param(
            {"nextHopMode": "static", "juniperHeader": False},
            ["spec.staticNextHopHeader: is required when nextHopMode is static"],
            id="static-without-header-object",
        ),
        pytest.param(
            {"nextHopMode": "static", "staticNextHopHeader": STATIC_HEADER},
            ["spec.juniperHeader: must be false when nextHopMode is static"],
            id="static-with-juniper-header-by-default",
        ),
        pytest.param(
            {"nextHopMode": "static"},
            ["spec.staticNextHopHeader: is required", "spec.juniperHeader: must be false"],
            id="static-both-problems",
        ),
        pytest.param(
            {"externalAnalyzer": True},
            ["spec.analyzerIP: is required when externalAnalyzer is true"],
            id="external-without-ip",
        ),
        pytest.param(
            {"externalAnalyzer": True, "analyzerIP": "198.51.100.7", "juniperHeader": False},
            ["spec.juniperHeader: an external analyzer has no MAC address"],
            id="external-dynamic-without-header",
        ),
        pytest.param({"udpPort": 0}, ["spec.udpPort: must be at least 1, got 0"], id="udp-0"),
        pytest.param(
            {"udpPort": 65536}, ["spec.udpPort: must be at most 65535, got 65536"], id="udp-big"
        ),
        pytest.param({"udpPort": "8099"}, ["spec.udpPort: must be an integer"], id="udp-str"),
        pytest.param({"udpPort": 80.5}, ["spec.udpPort: must be an integer"], id="udp-float"),
        pytest.param({"udpPort": True}, ["spec.udpPort: must be an integer"], id="udp-bool"),
        pytest.param(
            {"juniperHeader": "yes"}, ["spec.juniperHeader: must be true or false"], id="hdr-str"
        ),
        pytest.param(
            {"trafficDirection": "sideways"},
            ["spec.trafficDirection: must be one of 'ingress', 'egress' or 'both', got 'sideways'"],
            id="direction",
        ),
        pytest.param(
            {"nextHopMode": "fixed"},
            ["spec.nextHopMode: must be one of 'dynamic' or 'static', got 'fixed'"],
            id="mode",
        ),
        pytest.param(
            {"nicAssistedVlanID": 4095},
            ["spec.nicAssistedVlanID: must be at most 4094"],
            id="vlan-big",
        ),
        pytest.param(
            {"nicAssistedVlanID": -1}, ["spec.nicAssistedVlanID: must be at least 0"], id="vlan-neg"
        ),
        pytest.param(
            {"externalAnalyzer": True, "analyzerIP": "10.0.0.300"},
            ["spec.analyzerIP: '10.0.0.300' is not an IPv4 or IPv6 address"],
            id="ip-invalid",
        ),
        pytest.param(
            {"externalAnalyzer": True, "analyzerIP": "0.0.0.0"},
            ["spec.analyzerIP: 0.0.0.0 is not a unicast address"],
            id="ip-unspecified",
        ),
        pytest.param(
            {"externalAnalyzer": True, "analyzerIP": "239.1.1.1"},
            ["spec.analyzerIP: 239.1.1.1 is not a unicast address"],
            id="ip-multicast",
        ),
        pytest.param(
            {"externalAnalyzer": True, "analyzerIP": "ανάλυση"},
            ["spec.analyzerIP: 'ανάλυση' is not an IPv4 or IPv6 address"],
            id="ip-unicode",
        ),
        pytest.param(
            {"externalAnalyzer": True, "analyzerIP": "1" * 5000},
            ["spec.analyzerIP: '111111111"],
            id="ip-oversized",
        ),
        pytest.param(
            {
                "nextHopMode": "static",
                "juniperHeader": False,
                "staticNextHopHeader": {**STATIC_HEADER, "vxlanID": 0},
            },
            ["spec.staticNextHopHeader.vxlanID: must be at least 1, got 0"],
            id="vni-0",
        ),
        pytest.param(
            {
                "nextHopMode": "static",
                "juniperHeader": False,
                "staticNextHopHeader": {**STATIC_HEADER, "vxlanID": 16777216},
            },
            ["spec.staticNextHopHeader.vxlanID: must be at most 16777215"],
            id="vni-big",
        ),
        pytest.param(
            {
                "nextHopMode": "static",
                "juniperHeader": False,
                "staticNextHopHeader": {**STATIC_HEADER, "vTEPDestinationMac": "ff:ff:ff:ff:ff:ff"},
            },
            ["spec.staticNextHopHeader.vTEPDestinationMac: ff:ff:ff:ff:ff:ff is not a unicast MAC"],
            id="vtep-mac-broadcast",
        ),
        pytest.param(
            {
                "nextHopMode": "static",
                "juniperHeader": False,
                "staticNextHopHeader": {**STATIC_HEADER, "vTEPDestinationMac": "not-a-mac"},
            },
            ["spec.staticNextHopHeader.vTEPDestinationMac: 'not-a-mac' is not a MAC address"],
            id="vtep-mac-invalid",
        ),
        pytest.param(
            {
                "nextHopMode": "static",
                "juniperHeader": False,
                "staticNextHopHeader": {"vTEPDestinationIP": "192.0.2.1"},
            },
            [
                "spec.staticNextHopHeader.vTEPDestinationMac: is required",
                "spec.staticNextHopHeader.vxlanID: is required",
            ],
            id="header-incomplete",
        ),
        pytest.param(
            {"staticNextHopHeader": "tunnel"},
            ["spec.staticNextHopHeader: must be an object"],
            id="header-not-object",
        ),
        pytest.param(
            {"udpPort": 0, "trafficDirection": "x", "juniperHeader": 1},
            [
                "spec.trafficDirection: must be one of",
                "spec.udpPort: must be at least 1",
                "spec.juniperHeader: must be true or false",
            ],
            id="every-problem-reported",
        ),
    ],
)
def test_invalid_specs(raw: dict[str, Any], problems: list[str]) -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec(raw, name="md1")
    err = caught.value
    assert err.reason == "InvalidSpec"
    assert len(err.problems) == len(problems), err.problems
    for got, want in zip(err.problems, problems, strict=True):
        assert got.startswith(want), (got, want)
    assert err.message.startswith("MirrorDestination 'md1' is invalid: ")


def test_oversized_value_is_shown_truncated() -> None:
    with pytest.raises(SpecError) as caught:
        parse_spec({"externalAnalyzer": True, "analyzerIP": "1" * 5000})
    assert len(caught.value.message) < 300


@pytest.mark.parametrize("raw", [[], "spec", 3])
def test_spec_must_be_an_object(raw: object) -> None:
    with pytest.raises(SpecError, match="spec: must be an object"):
        parse_spec(raw)


def test_values_are_normalised() -> None:
    spec = parse_spec(
        {
            "externalAnalyzer": True,
            "analyzerIP": "2001:DB8:0::7",
            "juniperHeader": False,
            "nextHopMode": "static",
            "staticNextHopHeader": STATIC_HEADER,
        }
    )
    assert spec.analyzer_ip == "2001:db8::7"
    assert spec.static_next_hop_header is not None
    assert spec.static_next_hop_header.vtep_destination_mac == "02:aa:bb:cc:dd:ee"


def test_spec_is_frozen_and_round_trips_by_json_names() -> None:
    raw = {"nextHopMode": "static", "juniperHeader": False, "staticNextHopHeader": STATIC_HEADER}
    spec = parse_spec(raw)
    dumped = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped["staticNextHopHeader"]["vxlanID"] == 4096
    assert parse_spec(dumped) == spec
    with pytest.raises(ValueError, match="frozen"):
        spec.udp_port = 1


@pytest.mark.parametrize(
    ("prefix", "loc", "path"),
    [
        ("spec", ("udpPort",), "spec.udpPort"),
        ("spec", ("staticNextHopHeader", "vxlanID"), "spec.staticNextHopHeader.vxlanID"),
        ("items", (2, "name"), "items[2].name"),
        ("", ("a",), "a"),
        ("", (), "value"),
    ],
)
def test_field_path(prefix: str, loc: tuple[int | str, ...], path: str) -> None:
    assert field_path(prefix, loc) == path
