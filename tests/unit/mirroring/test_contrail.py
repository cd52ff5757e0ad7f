from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.mirroring import keys
from mirrorctl.mirroring.contrail import (
    InstanceAddress,
    VmiSlot,
    describe,
    fq_name_text,
    instance_ip_address,
    kube_manager_pod,
    references,
    vmi_mac,
    vmi_routing_instance,
    vmi_slot,
)
from mirrorctl.mirroring.errors import ContrailDataError

from .builders import iip, vmi

NET_NS = "contrail-k8s-kubemanager-cluster-contrail"


@pytest.mark.parametrize(
    ("mac", "expected"),
    [
        ("02:76:6C:25:F2:8C", "02:76:6c:25:f2:8c"),
        (["02:00:00:00:00:01", "02:00:00:00:00:02"], "02:00:00:00:00:01"),
        (None, None),
        ([], None),
    ],
)
def test_vmi_mac(mac: Any, expected: str | None) -> None:
    assert vmi_mac(vmi("v", mac=mac)) == expected


@pytest.mark.parametrize(
    ("mac", "message"),
    [
        ("not-a-mac", "macAddress[0]: 'not-a-mac' is not a MAC address"),
        ("", "macAddress[0]: '' is not a MAC address"),
        ([7], "macAddress[0]: 7 is not a MAC address"),
        ("ü" * 600, "is not a MAC address"),
    ],
)
def test_vmi_mac_rejects(mac: Any, message: str) -> None:
    with pytest.raises(ContrailDataError) as caught:
        vmi_mac(vmi("v", mac=mac))
    assert caught.value.message.startswith("VirtualMachineInterface ns/v: spec.")
    assert message in caught.value.message
    assert len(caught.value.message) < 300
    assert caught.value.reason == "InvalidContrailData"


def test_vmi_mac_not_a_list() -> None:
    obj = vmi("v")
    obj["spec"]["virtualMachineInterfaceMacAddresses"] = {"macAddress": "02:00:00:00:00:01"}
    with pytest.raises(ContrailDataError, match="must be a list"):
        vmi_mac(obj)


def test_routing_instance_from_status() -> None:
    ri = ["default-domain", NET_NS, "default-podnetwork", "default-podnetwork"]
    assert vmi_routing_instance(vmi("v", routing_instance=ri)) == ":".join(ri)


def test_routing_instance_prefers_the_networks_primary() -> None:
    obj = vmi("v")
    primary = ["default-domain", NET_NS, "default-podnetwork", "default-podnetwork"]
    obj["status"] = {
        "routingInstanceReferences": [
            {"fqName": ["default-domain", "other", "service-ri"]},
            {"fqName": primary},
        ]
    }
    assert vmi_routing_instance(obj) == ":".join(primary)


def test_routing_instance_of_the_network_is_the_one_named_after_it() -> None:
    # A network has other routing instances besides its primary one (service chains, for
    # example); the primary is the one named after the network.
    obj = vmi("v", network="blue", network_namespace="ns")
    obj["status"] = {
        "routingInstanceReferences": [
            {"fqName": ["default-domain", "ns", "blue", "blue-service-chain"]},
            {"fqName": ["default-domain", "ns", "blue", "blue"]},
        ]
    }
    assert vmi_routing_instance(obj) == "default-domain:ns:blue:blue"


def test_routing_instance_falls_back_to_network_fq_name_plus_name() -> None:
    assert vmi_routing_instance(vmi("v", network="blue", network_namespace="ns")) == (
        "default-domain:ns:blue:blue"
    )


def test_routing_instance_missing() -> None:
    obj = vmi("v")
    del obj["spec"]["virtualNetworkReference"]
    assert vmi_routing_instance(obj) is None


@pytest.mark.parametrize(
    ("fq_name", "message"),
    [
        ([], "must be a non-empty list"),
        ("default-domain:a:b", "must be a non-empty list"),
        (["default-domain", ""], "fqName element '' is not a name"),
        (["default-domain", "a:b"], "fqName element 'a:b' is not a name"),
        (["default-domain", 3], "fqName element 3 is not a name"),
        (["default-domain", " x"], "fqName element ' x' is not a name"),
        (["x" * 600, "y" * 600], "fqName is 1201 characters long"),
    ],
)
def test_fq_name_rejects(fq_name: Any, message: str) -> None:
    with pytest.raises(ContrailDataError, match=message):
        fq_name_text(fq_name, where="VMI ns/v")


def test_routing_instance_invalid_status_reference() -> None:
    with pytest.raises(ContrailDataError, match=r"status\.routingInstanceReferences: fqName"):
        vmi_routing_instance(vmi("v", routing_instance=["default-domain", ""]))


@pytest.mark.parametrize(
    ("address", "family", "expected"),
    [
        ("10.0.0.5", "v4", InstanceAddress("10.0.0.5", "v4")),
        ("10.0.0.5", None, InstanceAddress("10.0.0.5", "v4")),
        ("FD00::5", "v6", InstanceAddress("fd00::5", "v6")),
        ("", None, None),
        (None, None, None),
    ],
)
def test_instance_ip_address(address: Any, family: str | None, expected: Any) -> None:
    assert instance_ip_address(iip("i", address, vmi_name="v", family=family)) == expected


@pytest.mark.parametrize(
    ("address", "family", "message"),
    [
        ("10.0.0.500", None, "spec.instanceIPAddress: '10.0.0.500' is not an IPv4 or IPv6 address"),
        ("pod-ip", None, "spec.instanceIPAddress: 'pod-ip' is not an IPv4 or IPv6 address"),
        (10, None, "spec.instanceIPAddress: 10 is not an IP address (expected a string)"),
        ("10.0.0.5", "v6", "spec.instanceIPFamily is 'v6' but 10.0.0.5 is v4"),
    ],
)
def test_instance_ip_address_rejects(address: Any, family: str | None, message: str) -> None:
    with pytest.raises(ContrailDataError) as caught:
        instance_ip_address(iip("i", address, vmi_name="v", family=family))
    assert caught.value.message == f"InstanceIP i: {message}"


def test_references_by_uid_or_name() -> None:
    target = vmi("v", uid="u1")
    assert references([{"uid": "u1", "name": "other"}], target)
    assert not references([{"uid": "u2", "name": "v", "namespace": "ns"}], target)
    assert references([{"name": "v", "namespace": "ns"}], target)
    assert references([{"name": "v"}], target)
    assert not references([{"name": "v", "namespace": "other"}], target)
    assert not references(None, target)
    assert not references("v", target)
    assert not references([None, 3], target)


def test_kube_manager_pod() -> None:
    obj = vmi("v", pod_name="p1", namespace="ns1")
    assert kube_manager_pod(obj) == ("ns1", "p1")
    assert kube_manager_pod(obj, "cluster") == ("ns1", "p1")
    assert kube_manager_pod(obj, "another-cluster") is None
    del obj["metadata"]["annotations"][keys.KUBE_MANAGER_POD_NAME]
    assert kube_manager_pod(obj) is None


@pytest.mark.parametrize(
    ("interface", "index", "slot"),
    [
        ("eth0", "0/1", VmiSlot("eth0", 0)),
        ("eth2", " 2 / 3 ", VmiSlot("eth2", 2)),
        (None, "1/2", VmiSlot(None, 1)),
        ("eth1", None, VmiSlot("eth1", None)),
        (None, None, VmiSlot(None, None)),
    ],
)
def test_vmi_slot(interface: str | None, index: str | None, slot: VmiSlot) -> None:
    assert vmi_slot(vmi("v", interface=interface, index=index)) == slot


@pytest.mark.parametrize(
    ("interface", "index", "message"),
    [
        ("eth0", "1/1", "annotation index='1/1' is not 'position/total'"),
        ("eth0", "zero", "annotation index='zero'"),
        ("eth0", "0", "annotation index='0'"),
        ("eth0", "-1/2", "annotation index='-1/2'"),
        ("  ", "0/1", "annotation interface='  ' is not an interface name"),
    ],
)
def test_vmi_slot_rejects(interface: str, index: str, message: str) -> None:
    with pytest.raises(ContrailDataError, match=message):
        vmi_slot(vmi("v", interface=interface, index=index))


@pytest.mark.parametrize(
    ("obj", "text"),
    [
        (vmi("v"), "VirtualMachineInterface ns/v"),
        (iip("i", "10.0.0.1", vmi_name="v"), "InstanceIP i"),
        ({}, "object ?"),
    ],
)
def test_describe(obj: dict[str, Any], text: str) -> None:
    assert describe(obj) == text


@pytest.mark.parametrize(
    ("interface", "index", "message"),
    [
        ("eth0", 0, "annotation index=0 is not 'position/total'"),
        (["eth0"], "0/1", "annotation interface=\\['eth0'\\] is not an interface name"),
        ("", None, "annotation interface='' is not an interface name"),
    ],
)
def test_vmi_slot_rejects_values_of_other_types(interface: Any, index: Any, message: str) -> None:
    obj = vmi("v", interface="eth0", index="0/1")
    obj["metadata"]["annotations"].update({keys.VMI_INTERFACE: interface, keys.VMI_INDEX: index})
    if index is None:
        del obj["metadata"]["annotations"][keys.VMI_INDEX]
    for _ in range(2):  # well-formed values are remembered; malformed ones fail every time
        with pytest.raises(ContrailDataError, match=message):
            vmi_slot(obj)


def test_vmi_slot_does_not_keep_long_values() -> None:
    from mirrorctl.mirroring import contrail

    contrail._slot.cache_clear()
    long_name = "eth" + "0" * 10_000
    assert vmi_slot(vmi("v", interface=long_name, index="0/1")) == VmiSlot(long_name, 0)
    assert contrail._slot.cache_info().currsize == 0
    assert vmi_slot(vmi("v", interface="eth0", index="0/1")) == VmiSlot("eth0", 0)
    assert contrail._slot.cache_info().currsize == 1
