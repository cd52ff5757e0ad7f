from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.mirroring import interfaces, keys
from mirrorctl.mirroring.interfaces import PodInterface, pod_interfaces
from mirrorctl.mirroring.networks import MAX_NETWORKS

from .builders import pod

AN = keys.ANALYZER_INTERFACE
MD = keys.MIRROR_DESTINATION


def summary(p: dict[str, Any]) -> list[tuple[str, int, str | None, bool, str | None]]:
    return [
        (i.name, i.index, i.network, i.analyzer, i.mirror_destination)
        for i in pod_interfaces(p).interfaces
    ]


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        pytest.param(pod(), [("eth0", 0, None, False, None)], id="plain"),
        pytest.param(pod(host_network=True, annotations={MD: "md1"}), [], id="host-network"),
        pytest.param(
            pod(annotations={MD: "md1"}), [("eth0", 0, None, False, "md1")], id="source-default"
        ),
        pytest.param(
            pod(annotations={MD: "  md1 "}), [("eth0", 0, None, False, "md1")], id="trimmed"
        ),
        pytest.param(pod(annotations={MD: ""}), [("eth0", 0, None, False, None)], id="withdrawn"),
        pytest.param(
            pod(annotations={AN: "true"}), [("eth0", 0, None, True, None)], id="analyzer-default"
        ),
        pytest.param(
            pod(annotations={AN: "True"}), [("eth0", 0, None, True, None)], id="analyzer-case"
        ),
        pytest.param(
            pod(annotations={AN: "false"}), [("eth0", 0, None, False, None)], id="analyzer-false"
        ),
        pytest.param(
            pod(networks=[{"name": "net-a"}, {"name": "net-b", "namespace": "other"}]),
            [
                ("eth0", 0, None, False, None),
                ("eth1", 1, "ns/net-a", False, None),
                ("eth2", 2, "other/net-b", False, None),
            ],
            id="secondaries-by-position",
        ),
        pytest.param(
            pod(
                networks=[
                    {"name": "net-a", "interface": "mon0"},
                    {"name": "net-b", "cni-args": {MD: "md2"}},
                ]
            ),
            [
                ("eth0", 0, None, False, None),
                ("mon0", 1, "ns/net-a", False, None),
                ("eth2", 2, "ns/net-b", False, "md2"),
            ],
            id="named-interface-and-source-secondary",
        ),
        pytest.param(
            pod(networks=[{"name": "net-a", "cni-args": {AN: True}}]),
            [("eth0", 0, None, False, None), ("eth1", 1, "ns/net-a", True, None)],
            id="analyzer-secondary-bool",
        ),
        pytest.param(
            pod(networks=[{"name": "net-a", "cni-args": {AN: "true"}}]),
            [("eth0", 0, None, False, None), ("eth1", 1, "ns/net-a", True, None)],
            id="analyzer-secondary-string",
        ),
        pytest.param(
            pod(networks="net-a,other/net-b@data0"),
            [
                ("eth0", 0, None, False, None),
                ("eth1", 1, "ns/net-a", False, None),
                ("data0", 2, "other/net-b", False, None),
            ],
            id="short-form",
        ),
        pytest.param(
            pod(
                network_status=[
                    {"name": "ns/net-a", "interface": "net1"},
                    {"name": "pod-net", "interface": "if0", "default": True},
                ]
            ),
            [("if0", 0, None, False, None)],
            id="default-named-by-network-status",
        ),
        pytest.param(
            pod(annotations={MD: "md1"}, networks=[{"name": "net-a", "cni-args": {MD: "md1"}}]),
            [("eth0", 0, None, False, "md1"), ("eth1", 1, "ns/net-a", False, "md1")],
            id="two-interfaces-same-destination",
        ),
    ],
)
def test_interfaces(p: dict[str, Any], expected: list[Any]) -> None:
    result = pod_interfaces(p)
    assert result.problems == ()
    assert summary(p) == expected


@pytest.mark.parametrize(
    ("p", "expected", "problem"),
    [
        pytest.param(
            # A valid label value: still a request (labelled), though never a destination.
            pod(annotations={MD: "MD_1"}),
            [("eth0", 0, None, False, "MD_1")],
            "pod annotation: core.juniper.net/mirror-destination 'MD_1' is not a valid name",
            id="bad-destination-name",
        ),
        pytest.param(
            pod(networks=[{"name": "net-a", "cni-args": {MD: "Foo"}}]),
            [("eth0", 0, None, False, None), ("eth1", 1, "ns/net-a", False, "Foo")],
            "no MirrorDestination can have this name, so the interface is labelled",
            id="upper-case-destination-name",
        ),
        pytest.param(
            pod(annotations={MD: "md!1"}),
            [("eth0", 0, None, False, None)],
            "'md!1' is not a valid name",
            id="destination-name-not-a-label-value",
        ),
        pytest.param(
            pod(annotations={MD: "m" * 64}),
            [("eth0", 0, None, False, None)],
            "at most 63 are allowed",
            id="destination-too-long",
        ),
        pytest.param(
            pod(annotations={MD: "spiegel-ü"}),
            [("eth0", 0, None, False, None)],
            "'spiegel-ü' is not a valid name",
            id="destination-unicode",
        ),
        pytest.param(
            pod(annotations={AN: "yes"}),
            [("eth0", 0, None, False, None)],
            'pod annotation: core.juniper.net/analyzer-interface must be "true" or "false", '
            "got 'yes'",
            id="bad-flag",
        ),
        pytest.param(
            pod(annotations={MD: "md1"}, networks="[{"),
            [("eth0", 0, None, False, "md1")],
            "k8s.v1.cni.cncf.io/networks: is not valid JSON",
            id="broken-networks-keep-default",
        ),
        pytest.param(
            pod(networks=[{"name": "net-a", "cni-args": {MD: 5}}]),
            [("eth0", 0, None, False, None), ("eth1", 1, "ns/net-a", False, None)],
            "entry 1 (ns/net-a) cni-args: core.juniper.net/mirror-destination must be a "
            "MirrorDestination name",
            id="cni-arg-not-string",
        ),
        pytest.param(
            pod(networks=[{"name": "net-a", "interface": "eth2"}, {"name": "net-b"}]),
            [("eth0", 0, None, False, None), ("eth2", 1, "ns/net-a", False, None)],
            "entry 2 (ns/net-b) would be interface 'eth2', already used by entry 1",
            id="duplicate-interface",
        ),
        pytest.param(
            pod(networks=[{"name": "net-a", "interface": "eth0"}]),
            [("eth0", 0, None, False, None)],
            "already used by the default interface",
            id="secondary-named-like-default",
        ),
        pytest.param(
            pod(annotations={AN: "true"}, network_status="{oops"),
            [("eth0", 0, None, True, None)],
            "k8s.v1.cni.cncf.io/network-status: is not valid JSON",
            id="broken-network-status",
        ),
        pytest.param(
            pod(network_status=[{"interface": "a/b", "default": True}]),
            [("eth0", 0, None, False, None)],
            "'a/b' is not a valid interface name",
            id="bad-default-name-in-status",
        ),
    ],
)
def test_problems_are_reported_not_raised(
    p: dict[str, Any], expected: list[Any], problem: str
) -> None:
    result = pod_interfaces(p)
    assert summary(p) == expected
    assert len(result.problems) == 1, result.problems
    assert problem in result.problems[0].message


@pytest.mark.parametrize(
    "p",
    [
        {},
        {"metadata": None, "spec": None},
        {"metadata": {"annotations": "x"}},
        {"metadata": {"annotations": {keys.NETWORKS: 5}}},
    ],
)
def test_malformed_pods_never_crash(p: dict[str, Any]) -> None:
    assert [i.name for i in pod_interfaces(p).interfaces] == ["eth0"]


def test_the_most_networks_a_pod_may_list_are_all_read() -> None:
    # Each entry's name is checked against the names taken before it (a lookup, not a scan).
    networks = [{"name": f"n{i}", "interface": f"net{i}"} for i in range(MAX_NETWORKS)]
    result = pod_interfaces(pod(networks=networks))
    assert [i.name for i in result.interfaces] == ["eth0"] + [f"net{i}" for i in range(64)]
    assert result.problems == ()


def test_too_many_networks_is_a_problem_not_a_parse() -> None:
    result = pod_interfaces(pod(networks=[{"name": f"n{i}"} for i in range(MAX_NETWORKS + 1)]))
    assert [i.name for i in result.interfaces] == ["eth0"]
    assert [p.message for p in result.problems] == [
        f"annotation {keys.NETWORKS}: lists {MAX_NETWORKS + 1} networks; mirrorctl reads at "
        f"most {MAX_NETWORKS}"
    ]


def test_analyzer_interface_explicit_secondary_wins() -> None:
    p = pod(
        annotations={AN: "true"}, networks=[{"name": "a"}, {"name": "b", "cni-args": {AN: "true"}}]
    )
    result = pod_interfaces(p)
    assert [i.name for i in result.analyzer_interfaces] == ["eth2"]
    assert result.analyzer_mark_overridden


def test_analyzer_interfaces_default_only() -> None:
    result = pod_interfaces(pod(annotations={AN: "true"}))
    assert [i.name for i in result.analyzer_interfaces] == ["eth0"]
    assert not result.analyzer_mark_overridden
    assert pod_interfaces(pod()).analyzer_interfaces == ()


def test_mirror_requests_and_lookup() -> None:
    p = pod(
        annotations={MD: "md1"}, networks=[{"name": "a"}, {"name": "b", "cni-args": {MD: "md2"}}]
    )
    result = pod_interfaces(p)
    assert [(i.name, i.mirror_destination) for i in result.mirror_requests] == [
        ("eth0", "md1"),
        ("eth2", "md2"),
    ]
    assert result.get("eth1") == PodInterface("eth1", 1, "ns/a", False, None)
    assert result.at(2) is not None
    assert result.at(2) == result.get("eth2")
    assert result.get("eth9") is None
    assert result.at(9) is None


def test_status_of_interfaces() -> None:
    p = pod(
        networks=[{"name": "a"}],
        network_status=[
            {"name": "pod-net", "interface": "eth0", "ips": ["10.0.0.5"], "default": True},
            {"name": "ns/a", "interface": "eth1", "ips": ["10.9.0.5"]},
        ],
    )
    result = pod_interfaces(p)
    eth0, eth1 = result.interfaces
    ips = {i.name: e.ips for i in (eth0, eth1) if (e := result.status_of(i)) is not None}
    assert ips == {"eth0": ("10.0.0.5",), "eth1": ("10.9.0.5",)}


def test_status_of_default_without_interface_name() -> None:
    p = pod(network_status=[{"name": "pod-net", "ips": ["10.0.0.5"], "default": True}])
    result = pod_interfaces(p)
    entry = result.status_of(result.interfaces[0])
    assert entry is not None
    assert entry.ips == ("10.0.0.5",)


def test_pods_with_the_same_annotations_share_one_parse_and_big_ones_are_not_kept() -> None:
    networks = [{"name": "blue", "cni-args": {keys.MIRROR_DESTINATION: "md1"}}]
    first = pod_interfaces(pod("one", networks=networks))
    before = interfaces._cached_interfaces.cache_info()
    second = pod_interfaces(pod("two", networks=networks))
    assert second is first
    assert interfaces._cached_interfaces.cache_info().hits == before.hits + 1
    assert pod_interfaces(pod("three", namespace="other", networks=networks)) is not first

    huge = [{"name": f"net-{i:04d}-{'x' * 100}"} for i in range(MAX_NETWORKS)]
    size = interfaces._cached_interfaces.cache_info().currsize
    parsed = pod_interfaces(pod("huge", networks=huge))
    assert len(parsed.interfaces) == MAX_NETWORKS + 1
    assert interfaces._cached_interfaces.cache_info().currsize == size
