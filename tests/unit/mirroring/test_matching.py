from __future__ import annotations

from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.mirroring.matching import pod_vm, pod_vmis

from .builders import pod, vm, vmi


def test_matches_by_interface_annotation_then_index() -> None:
    p = pod("p", networks=[{"name": "a"}, {"name": "b", "interface": "mon0"}])
    vmis = [
        vmi("v0", pod_name="p", interface="eth0", index="0/3"),
        vmi("v1", pod_name="p", interface=None, index="1/3"),
        vmi("v2", pod_name="p", interface="mon0", index="2/3"),
        vmi("other-pod", pod_name="q", interface="eth0", index="0/1"),
        vmi("other-ns", pod_name="p", namespace="ns2", interface="eth0", index="0/1"),
    ]
    found = pod_vmis(p, pod_interfaces(p), vmis)
    assert {k: v["metadata"]["name"] for k, v in found.by_interface.items()} == {
        "eth0": "v0",
        "eth1": "v1",
        "mon0": "v2",
    }
    assert found.problems == ()


def test_interface_name_wins_over_index() -> None:
    p = pod("p", networks=[{"name": "a"}])
    found = pod_vmis(p, pod_interfaces(p), [vmi("v", interface="eth1", index="0/2")])
    assert found.get("eth1") is not None
    assert found.get("eth0") is None


def test_newest_vmi_wins_for_a_recreated_pod() -> None:
    p = pod("p")
    vmis = [
        vmi("new", created="2024-01-02T00:00:00Z"),
        vmi("old", created="2024-01-01T00:00:00Z"),
    ]
    for order in (vmis, list(reversed(vmis))):
        found = pod_vmis(p, pod_interfaces(p), order)
        assert found.by_interface["eth0"]["metadata"]["name"] == "new"


def test_deleting_vmis_are_skipped() -> None:
    p = pod("p")
    going = vmi("going")
    going["metadata"]["deletionTimestamp"] = "2024-01-03T00:00:00Z"
    assert pod_vmis(p, pod_interfaces(p), [going]).by_interface == {}


def test_cluster_name_filter() -> None:
    p = pod("p")
    assert pod_vmis(p, pod_interfaces(p), [vmi("v")], cluster_name="cluster").get("eth0")
    assert pod_vmis(p, pod_interfaces(p), [vmi("v")], cluster_name="other").get("eth0") is None


def test_unplaceable_and_malformed_vmis_are_problems() -> None:
    p = pod("p")
    vmis = [
        vmi("bad-index", interface=None, index="x"),
        vmi("stray", interface="eth7", index=None),
        vmi("nothing", interface=None, index=None),
    ]
    found = pod_vmis(p, pod_interfaces(p), vmis)
    assert found.by_interface == {}
    messages = sorted(e.message for e in found.problems)
    assert len(messages) == 3
    assert "VirtualMachineInterface ns/bad-index: annotation index='x'" in messages[0]
    assert "ns/nothing: interface None / index None matches no interface" in messages[1]
    assert "ns/stray: interface 'eth7' / index None matches no interface" in messages[2]


def test_pod_vm() -> None:
    p = pod("p")
    assert pod_vm(p, [vm("vm-q", pod_name="q"), vm("vm-p")])["metadata"]["name"] == "vm-p"  # type: ignore[index]
    assert pod_vm(p, [vm("vm-q", pod_name="q")]) is None
