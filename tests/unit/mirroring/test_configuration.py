from __future__ import annotations

from typing import Any

import orjson
import pytest

from mirrorctl.mirroring.configuration import (
    MirroringConfiguration,
    StaticNhHeader,
    configuration_matches,
    parse_configuration,
)

SEED_KEYS = ["analyzer_name", "analyzer_ip_address", "analyzer_macaddress", "ri"]
ALL_KEYS = [
    *SEED_KEYS,
    "udp_port",
    "juniper_header",
    "nh_mode",
    "static_nh_header",
    "nic_assisted_mirroring",
    "nic_assisted_mirroring_vlan",
    "traffic_direction",
]


def config(**changes: Any) -> MirroringConfiguration:
    base: dict[str, Any] = {
        "analyzer_name": "mirrordestinationprofile1",
        "analyzer_ip_address": "10.128.0.200",
        "analyzer_macaddress": "02:76:6c:25:f2:8c",
        "ri": "default-domain:ns:default-podnetwork:default-podnetwork",
        "udp_port": None,
        "juniper_header": True,
        "nh_mode": "dynamic",
        "static_nh_header": None,
        "nic_assisted_mirroring": False,
        "nic_assisted_mirroring_vlan": None,
        "traffic_direction": "both",
    }
    return MirroringConfiguration(**{**base, **changes})


def test_serialisation_is_compact_with_fixed_key_order() -> None:
    text = config().to_json()
    assert text.startswith(
        '{"analyzer_name":"mirrordestinationprofile1","analyzer_ip_address":"10.128.0.200",'
        '"analyzer_macaddress":"02:76:6c:25:f2:8c","ri":"default-domain:ns:default-podnetwork:'
        'default-podnetwork",'
    )
    assert " " not in text
    assert list(orjson.loads(text)) == ALL_KEYS


def test_serialisation_is_deterministic() -> None:
    assert config().to_json() == config().to_json()
    header = StaticNhHeader(
        vtep_dst_ip_address="192.0.2.1", vtep_dst_mac_address="02:00:00:00:00:09", vni=7
    )
    text = config(nh_mode="static", juniper_header=False, static_nh_header=header).to_json()
    assert (
        '"static_nh_header":{"vtep_dst_ip_address":"192.0.2.1","vtep_dst_mac_address":"02:00:00:00:00:09","vni":7}'
        in text
    )


def test_round_trip() -> None:
    c = config(udp_port=9000, nic_assisted_mirroring=True, nic_assisted_mirroring_vlan=12)
    assert parse_configuration(c.to_json()) == c


def _reordered_pretty(c: MirroringConfiguration) -> str:
    data = orjson.loads(c.to_json())
    return orjson.dumps(dict(reversed(list(data.items()))), option=orjson.OPT_INDENT_2).decode()


@pytest.mark.parametrize(
    ("existing", "matches"),
    [
        pytest.param(config().to_json(), True, id="identical"),
        pytest.param(_reordered_pretty(config()), True, id="reordered-and-indented"),
        pytest.param(None, False, id="absent"),
        pytest.param("", False, id="empty"),
        pytest.param("not json", False, id="garbage"),
        pytest.param("[]", False, id="not-an-object"),
        pytest.param(config(udp_port=8099).to_json(), False, id="value-differs"),
        pytest.param(
            config().to_json().replace('"juniper_header":true', '"juniper_header":1'),
            False,
            id="type-differs",
        ),
        pytest.param(config().to_json()[:-1] + ',"extra":1}', False, id="extra-key"),
        pytest.param(
            orjson.dumps(
                {k: v for k, v in orjson.loads(config().to_json()).items() if k != "ri"}
            ).decode(),
            False,
            id="missing-key",
        ),
    ],
)
def test_configuration_matches_on_parsed_value(existing: str | None, matches: bool) -> None:
    assert configuration_matches(existing, config()) is matches


@pytest.mark.parametrize("text", ["{", "{}", '{"analyzer_name": 1}', "null"])
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="not a mirroring configuration"):
        parse_configuration(text)


def test_a_configuration_remembers_its_verdicts_within_a_bound() -> None:
    desired = config()
    same, other = _reordered_pretty(desired), config(udp_port=8099).to_json()
    for _ in range(2):  # the second round answers from the remembered verdicts
        assert configuration_matches(same, desired) is True
        assert configuration_matches(other, desired) is False
    for port in range(100):
        assert configuration_matches(config(udp_port=port).to_json(), desired) is False
    assert len(desired._verdicts) <= 16
    assert configuration_matches(same, desired) is True
    assert config(udp_port=8099)._verdicts == {}  # each configuration has its own
    # Remembered verdicts are not part of the value: equality and hashing ignore them.
    assert desired == config()
    assert hash(desired) == hash(config())
