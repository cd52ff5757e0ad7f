from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.mirroring import keys
from mirrorctl.mirroring.destination import MirrorDestination, parse_mirror_destination
from mirrorctl.mirroring.resolution import Receiver, Resolved, Unresolved, resolve_receiver
from mirrorctl.mirroring.spec import parse_spec
from mirrorctl.mirroring.status import ObjectReference, PodReference, State

from .builders import iip, md, pod, vm, vmi

RI = ["default-domain", "cn2-ns", "default-podnetwork", "default-podnetwork"]
RI_TEXT = "default-domain:cn2-ns:default-podnetwork:default-podnetwork"


def destination(spec: dict[str, Any] | None = None) -> MirrorDestination:
    return parse_mirror_destination(md("md1", spec))


def analyzer_pod(**kw: Any) -> dict[str, Any]:
    kw.setdefault("annotations", {keys.ANALYZER_INTERFACE: "true"})
    return pod("analyzer-0", "mon", labels={keys.ANALYZER_POD: "analyzer"}, **kw)


def analyzer_vmi(**kw: Any) -> dict[str, Any]:
    kw.setdefault("routing_instance", RI)
    return vmi(
        "analyzer-0-eth0", pod_name="analyzer-0", namespace="mon", mac="02:AA:00:00:00:01", **kw
    )


def resolve(
    pods: list[dict[str, Any]],
    vmis: list[dict[str, Any]],
    iips: list[dict[str, Any]],
    vms: list[dict[str, Any]] | None = None,
    spec: dict[str, Any] | None = None,
) -> Resolved | Unresolved:
    return resolve_receiver(
        destination(spec), pods=pods, vmis=vmis, instance_ips=iips, vms=vms or []
    )


def test_external_analyzer_needs_no_lookup() -> None:
    outcome = resolve([], [], [], spec={"externalAnalyzer": True, "analyzerIP": "198.51.100.7"})
    assert outcome == Resolved(Receiver(ip_address="198.51.100.7"))


def test_fully_resolved_pod_analyzer() -> None:
    outcome = resolve(
        [analyzer_pod()],
        [analyzer_vmi()],
        [
            iip("v6", "fd00::9", vmi_name="analyzer-0-eth0", namespace="mon"),
            iip("v4", "10.128.0.200", vmi_name="analyzer-0-eth0", namespace="mon"),
        ],
        vms=[vm("vm-analyzer-0", pod_name="analyzer-0", namespace="mon")],
    )
    assert isinstance(outcome, Resolved)
    r = outcome.receiver
    assert (r.ip_address, r.mac_address, r.routing_instance) == (
        "10.128.0.200",
        "02:aa:00:00:00:01",
        RI_TEXT,
    )
    assert r.pod == PodReference(namespace="mon", name="analyzer-0", uid="uid-mon-analyzer-0")
    assert r.interface == "eth0"
    assert r.virtual_machine is not None
    assert r.virtual_machine.name == "vm-analyzer-0"
    assert r.virtual_machine_interface is not None
    assert r.virtual_machine_interface.name == "analyzer-0-eth0"
    assert r.instance_ip is not None
    assert r.instance_ip.name == "v4"
    assert outcome.state is State.SUCCESS
    assert outcome.notes == ()


def test_v6_used_when_no_v4() -> None:
    outcome = resolve(
        [analyzer_pod()],
        [analyzer_vmi()],
        [iip("v6", "fd00::9", vmi_name="analyzer-0-eth0", namespace="mon")],
    )
    assert isinstance(outcome, Resolved)
    assert outcome.receiver.ip_address == "fd00::9"


def test_v4_is_preferred_whatever_the_names() -> None:
    # The v6 InstanceIP sorts first by name: only the family can make the v4 one win.
    outcome = resolve(
        [analyzer_pod()],
        [analyzer_vmi()],
        [
            iip("zz-v4", "10.128.0.200", vmi_name="analyzer-0-eth0", namespace="mon"),
            iip("aa-v6", "fd00::9", vmi_name="analyzer-0-eth0", namespace="mon", family="v6"),
        ],
    )
    assert isinstance(outcome, Resolved)
    assert outcome.receiver.ip_address == "10.128.0.200"
    assert outcome.receiver.instance_ip is not None
    assert outcome.receiver.instance_ip.name == "zz-v4"


def test_vm_reference_falls_back_to_the_vmi_reference() -> None:
    outcome = resolve(
        [analyzer_pod()],
        [analyzer_vmi()],
        [iip("v4", "10.0.0.9", vmi_name="analyzer-0-eth0", namespace="mon")],
    )
    assert isinstance(outcome, Resolved)
    assert outcome.receiver.virtual_machine == ObjectReference(
        api_version="core.contrail.juniper.net/v1alpha1",
        kind="VirtualMachine",
        name="vm-analyzer-0",
    )


def test_ip_from_network_status_when_no_instance_ip() -> None:
    p = analyzer_pod(
        network_status=[
            {
                "name": "pod-net",
                "interface": "eth0",
                "ips": ["fd00::2", "10.0.0.2"],
                "default": True,
            }
        ]
    )
    outcome = resolve([p], [analyzer_vmi()], [])
    assert isinstance(outcome, Resolved)
    assert outcome.receiver.ip_address == "10.0.0.2"
    assert outcome.receiver.instance_ip is None
    assert outcome.notes == ("the analyzer IP 10.0.0.2 comes from the pod's network-status",)


def test_the_instance_ip_wins_over_the_network_status() -> None:
    # Spec 4.4: the network-status is only a fallback, even when it names another address.
    p = analyzer_pod(network_status=[{"interface": "eth0", "ips": ["10.0.0.2"], "default": True}])
    outcome = resolve(
        [p], [analyzer_vmi()], [iip("v4", "10.0.0.9", vmi_name="analyzer-0-eth0", namespace="mon")]
    )
    assert isinstance(outcome, Resolved)
    assert outcome.receiver.ip_address == "10.0.0.9"
    assert outcome.receiver.instance_ip is not None
    assert outcome.notes == ()


def test_the_network_status_fallback_skips_addresses_that_cannot_receive() -> None:
    p = analyzer_pod(
        network_status=[
            {"interface": "eth0", "ips": ["0.0.0.0", "224.0.0.5", "10.0.0.2"], "default": True}
        ]
    )
    outcome = resolve([p], [analyzer_vmi()], [])
    assert isinstance(outcome, Resolved)
    assert outcome.receiver.ip_address == "10.0.0.2"


def test_secondary_analyzer_interface() -> None:
    p = analyzer_pod(
        annotations={},
        networks=[{"name": "mon-net", "cni-args": {keys.ANALYZER_INTERFACE: "true"}}],
    )
    vmis = [
        analyzer_vmi(),
        vmi(
            "analyzer-0-eth1",
            pod_name="analyzer-0",
            namespace="mon",
            interface="eth1",
            index="1/2",
            mac="02:bb:00:00:00:01",
            network="mon-net",
            network_namespace="mon",
        ),
    ]
    iips = [
        iip("a", "10.0.0.1", vmi_name="analyzer-0-eth0", namespace="mon"),
        iip("b", "10.9.0.1", vmi_name="analyzer-0-eth1", namespace="mon"),
    ]
    outcome = resolve([p], vmis, iips)
    assert isinstance(outcome, Resolved)
    assert (outcome.receiver.interface, outcome.receiver.ip_address) == ("eth1", "10.9.0.1")
    assert outcome.receiver.routing_instance == "default-domain:mon:mon-net:mon-net"


PENDING_CASES = [
    pytest.param(
        [],
        [],
        [],
        "AnalyzerPodNotFound",
        "no running pod is labelled core.juniper.net/analyzer-pod=analyzer",
        id="no-pod",
    ),
    pytest.param(
        [analyzer_pod(annotations={})],
        [],
        [],
        "AnalyzerInterfaceNotMarked",
        "pod(s) mon/analyzer-0 are labelled core.juniper.net/analyzer-pod=analyzer but mark no "
        "analyzer interface",
        id="unmarked",
    ),
    pytest.param(
        [analyzer_pod()],
        [],
        [],
        "AnalyzerInterfaceNotFound",
        "waiting for the VirtualMachineInterface of analyzer pod mon/analyzer-0 interface eth0",
        id="no-vmi",
    ),
    pytest.param(
        [analyzer_pod()],
        [
            vmi(
                "analyzer-0-eth0",
                pod_name="analyzer-0",
                namespace="mon",
                mac=None,
                routing_instance=RI,
            )
        ],
        [],
        "AnalyzerMACNotFound",
        "waiting for the MAC address of VirtualMachineInterface mon/analyzer-0-eth0",
        id="no-mac",
    ),
    pytest.param(
        [analyzer_pod()],
        [analyzer_vmi()],
        [],
        "AnalyzerIPNotFound",
        "waiting for an InstanceIP of VirtualMachineInterface mon/analyzer-0-eth0",
        id="no-ip",
    ),
    pytest.param(
        [analyzer_pod()],
        [analyzer_vmi()],
        [iip("blank", "", vmi_name="analyzer-0-eth0", namespace="mon")],
        "AnalyzerIPNotFound",
        "waiting for an InstanceIP",
        id="instance-ip-without-address",
    ),
    pytest.param(
        [analyzer_pod()],
        [analyzer_vmi()],
        [iip("elsewhere", "10.0.0.1", vmi_name="another-vmi", namespace="mon")],
        "AnalyzerIPNotFound",
        "waiting for an InstanceIP",
        id="instance-ip-of-another-vmi",
    ),
]


@pytest.mark.parametrize(("pods", "vmis", "iips", "reason", "message"), PENDING_CASES)
def test_pending(pods: Any, vmis: Any, iips: Any, reason: str, message: str) -> None:
    outcome = resolve(pods, vmis, iips)
    assert isinstance(outcome, Unresolved)
    assert outcome.state is State.PENDING
    assert outcome.reason == reason
    assert message in outcome.message


def test_pending_without_routing_instance() -> None:
    v = analyzer_vmi(routing_instance=None)
    del v["spec"]["virtualNetworkReference"]
    outcome = resolve(
        [analyzer_pod()], [v], [iip("a", "10.0.0.1", vmi_name="analyzer-0-eth0", namespace="mon")]
    )
    assert isinstance(outcome, Unresolved)
    assert (outcome.state, outcome.reason) == (State.PENDING, "RoutingInstanceNotFound")
    assert outcome.pod is not None
    assert outcome.interface == "eth0"


FAILURE_CASES = [
    pytest.param(
        [
            vmi(
                "analyzer-0-eth0",
                pod_name="analyzer-0",
                namespace="mon",
                mac="garbage",
                routing_instance=RI,
            )
        ],
        [],
        "VirtualMachineInterface mon/analyzer-0-eth0: "
        "spec.virtualMachineInterfaceMacAddresses.macAddress[0]: 'garbage' is not a MAC address",
        id="non-mac",
    ),
    pytest.param(
        [
            vmi(
                "analyzer-0-eth0",
                pod_name="analyzer-0",
                namespace="mon",
                mac="ff:ff:ff:ff:ff:ff",
                routing_instance=RI,
            )
        ],
        [],
        "MAC ff:ff:ff:ff:ff:ff is not a unicast MAC address",
        id="broadcast-mac",
    ),
    pytest.param(
        [analyzer_vmi()],
        [iip("bad", "10.0.0.999", vmi_name="analyzer-0-eth0", namespace="mon")],
        "InstanceIP bad: spec.instanceIPAddress: '10.0.0.999' is not an IPv4 or IPv6 address",
        id="non-ip",
    ),
    pytest.param(
        [analyzer_vmi()],
        [iip("zero", "0.0.0.0", vmi_name="analyzer-0-eth0", namespace="mon")],
        "InstanceIP zero: spec.instanceIPAddress 0.0.0.0 is not unicast",
        id="unspecified-ip",
    ),
    pytest.param(
        [analyzer_vmi(routing_instance=["default-domain", "a:b"])],
        [],
        "fqName element 'a:b' is not a name",
        id="bad-routing-instance",
    ),
]


@pytest.mark.parametrize(("vmis", "iips", "message"), FAILURE_CASES)
def test_invalid_contrail_data_is_a_failure(vmis: Any, iips: Any, message: str) -> None:
    outcome = resolve([analyzer_pod()], vmis, iips)
    assert isinstance(outcome, Unresolved)
    assert outcome.state is State.FAILURE
    assert outcome.reason == "InvalidContrailData"
    assert message in outcome.message


def test_a_bad_instance_ip_is_skipped_when_another_is_usable() -> None:
    iips = [
        iip("bad", "nonsense", vmi_name="analyzer-0-eth0", namespace="mon"),
        iip("good", "10.0.0.4", vmi_name="analyzer-0-eth0", namespace="mon"),
    ]
    outcome = resolve([analyzer_pod()], [analyzer_vmi()], iips)
    assert isinstance(outcome, Resolved)
    assert outcome.receiver.ip_address == "10.0.0.4"
    assert outcome.notes == (
        "ignored InstanceIP bad: spec.instanceIPAddress: 'nonsense' is not an IPv4 or IPv6 address",
    )


def test_a_bad_instance_ip_falls_back_to_network_status() -> None:
    p = analyzer_pod(network_status=[{"interface": "eth0", "ips": ["10.0.0.8"], "default": True}])
    outcome = resolve(
        [p], [analyzer_vmi()], [iip("bad", "nonsense", vmi_name="analyzer-0-eth0", namespace="mon")]
    )
    assert isinstance(outcome, Resolved)
    assert outcome.receiver.ip_address == "10.0.0.8"
    assert outcome.notes[-1] == "the analyzer IP 10.0.0.8 comes from the pod's network-status"
    assert outcome.notes[0].startswith("ignored InstanceIP bad:")


def test_several_analyzers_named_in_notes() -> None:
    older = pod(
        "old",
        "mon",
        created="2023-01-01T00:00:00Z",
        labels={keys.ANALYZER_POD: "analyzer"},
        annotations={keys.ANALYZER_INTERFACE: "true"},
    )
    outcome = resolve(
        [analyzer_pod(), older],
        [analyzer_vmi(), vmi("old-eth0", pod_name="old", namespace="mon", routing_instance=RI)],
        [iip("o", "10.0.0.3", vmi_name="old-eth0", namespace="mon")],
    )
    assert isinstance(outcome, Resolved)
    assert outcome.receiver.pod is not None
    assert outcome.receiver.pod.name == "old"
    assert outcome.notes == (
        "1 other analyzer interface(s) match and are not used (the oldest pod wins): "
        "mon/analyzer-0 eth0",
    )


def test_hand_built_destination_without_analyzer_is_a_failure() -> None:
    d = MirrorDestination(name="md1", uid=None, generation=None, selector=None, spec=parse_spec({}))
    outcome = resolve_receiver(d, pods=[], vmis=[], instance_ips=[])
    assert isinstance(outcome, Unresolved)
    assert outcome.state is State.FAILURE


def test_garbage_objects_never_crash() -> None:
    junk: list[Any] = [
        {},
        {"metadata": None},
        {"metadata": {"labels": None}},
        {"spec": "x"},
        None,
        [],
    ]
    outcome = resolve_receiver(destination(), pods=junk, vmis=junk, instance_ips=junk, vms=junk)
    assert isinstance(outcome, Unresolved)
    outcome = resolve_receiver(
        destination(),
        pods=[analyzer_pod()],
        vmis=[*junk, analyzer_vmi()],
        instance_ips=junk,
        vms=junk,
    )
    assert isinstance(outcome, Unresolved)
    assert outcome.reason == "AnalyzerIPNotFound"
