"""The three reconcilers' decisions over an in-memory cache: what they write, and when not."""

from __future__ import annotations

from datetime import timedelta

import orjson

from mirrorctl.client.resources import PODS
from mirrorctl.mirroring import keys
from mirrorctl.reconcile.request import Request
from tests.unit.mirroring import builders as b
from tests.unit.reconcilers.scenario import (
    ANALYZER_IP,
    ANALYZER_MAC,
    RI,
    analyzer_pod,
    analyzer_setup,
    self_requesting_analyzer_setup,
    source_pod,
    source_setup,
)
from tests.unit.reconcilers.world import R, World

VM, VMI = R.virtual_machines, R.virtual_machine_interfaces
RI_TEXT = "default-domain:k8s-contrail:default-podnetwork:default-podnetwork"


def configuration(world: World, key: str = "ns/s-eth0") -> dict[str, object] | None:
    text = world.annotations(VMI, key).get(keys.MIRRORING_CONFIGURATION)
    return None if text is None else orjson.loads(text)


def ready(world: World, name: str = "md1") -> dict[str, object]:
    conditions = world.status(name)["conditions"]
    assert isinstance(conditions, list)
    return dict(next(c for c in conditions if c["type"] == "Ready"))


async def test_a_resolved_destination_labels_and_configures_everything() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world)
    assert await world.converge() > 0

    assert world.labels(VM, "vm-a")[keys.ANALYZER_POD] == "sniffer"
    assert world.labels(VMI, "ns/a-eth0") == {"team": "net", keys.ANALYZER_INTERFACE: ""}
    assert world.labels(VMI, "ns/s-eth0") == {"app": "s", keys.MIRROR_DESTINATION: "md1"}
    assert world.annotations(VMI, "ns/s-eth0")["note"] == "keep"
    assert configuration(world) == {
        "analyzer_name": "md1",
        "analyzer_ip_address": ANALYZER_IP,
        "analyzer_macaddress": ANALYZER_MAC,
        "ri": RI_TEXT,
        "udp_port": None,
        "juniper_header": True,
        "nh_mode": "dynamic",
        "static_nh_header": None,
        "nic_assisted_mirroring": False,
        "nic_assisted_mirroring_vlan": None,
        "traffic_direction": "both",
    }
    status = world.status("md1")
    assert status["state"] == "Success"
    assert status["ipAddress"] == ANALYZER_IP
    assert status["macAddress"] == ANALYZER_MAC
    assert status["routingInstance"] == RI_TEXT
    assert status["sourceCount"] == 1
    assert status["observedGeneration"] == 1
    assert status["analyzerPodReference"] == {"namespace": "ns", "name": "a", "uid": "uid-ns-a"}
    assert status["virtualMachineInterfaceReference"]["kind"] == "VirtualMachineInterface"
    assert ready(world)["status"] == "True"
    assert [(e.kind, e.reason) for e in world.events] == [("MirrorDestination", "Resolved")]

    # Converged: reconciling everything again writes nothing and reports nothing.
    world.events.clear()
    assert await world.converge() == 0
    assert world.events == []


async def test_writes_touch_only_owned_keys() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world)
    await world.converge()
    for patch in world.patches:
        if patch.subresource == "status":
            continue
        for section in patch.body["metadata"].values():
            assert set(section) <= {
                keys.ANALYZER_POD,
                keys.ANALYZER_INTERFACE,
                keys.MIRROR_DESTINATION,
                keys.MIRRORING_CONFIGURATION,
            }


async def test_removing_the_request_removes_label_and_annotation() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world)
    await world.converge()
    world.put(PODS, source_pod(destination=None))
    await world.source.reconcile(Request("s", "ns"))
    assert world.labels(VMI, "ns/s-eth0") == {"app": "s"}
    assert world.annotations(VMI, "ns/s-eth0").get(keys.MIRRORING_CONFIGURATION) is None
    assert world.annotations(VMI, "ns/s-eth0")["note"] == "keep"
    await world.converge()
    assert world.status("md1")["sourceCount"] == 0


async def test_a_missing_destination_warns_once_and_keeps_only_the_label() -> None:
    world = World()
    source_setup(world, destination="nowhere")
    await world.converge()
    await world.converge()
    assert world.labels(VMI, "ns/s-eth0")[keys.MIRROR_DESTINATION] == "nowhere"
    assert configuration(world) is None
    assert [(e.kind, e.key, e.type, e.reason) for e in world.events] == [
        ("Pod", "ns/s", "Warning", "MirrorDestinationNotFound")
    ]
    # Created later: the annotation follows.
    analyzer_setup(world)
    world.put(R.mirror_destinations, b.md("nowhere", selector="sniffer"))
    await world.converge()
    assert configuration(world) is not None


async def test_a_pod_recreated_under_the_same_name_hears_of_its_problems_too() -> None:
    # Deleted and created again before its key is reconciled (a StatefulSet's pod): the new
    # pod is another object, and Events are about one object.
    world = World()
    source_setup(world, destination="nowhere")
    await world.converge()
    world.put(PODS, source_pod(destination="nowhere", uid="uid-ns-s-2"))
    await world.converge()
    assert [(e.key, e.reason) for e in world.events] == [
        ("ns/s", "MirrorDestinationNotFound"),
        ("ns/s", "MirrorDestinationNotFound"),
    ]


async def test_an_invalid_destination_fails_and_its_sources_lose_the_annotation() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world)
    await world.converge()
    assert configuration(world) is not None
    invalid = b.md("md1", {"nextHopMode": "static", "juniperHeader": True}, generation=2)
    invalid["status"] = world.status("md1")
    world.put(R.mirror_destinations, invalid)
    world.events.clear()
    await world.converge()
    status = world.status("md1")
    assert status["state"] == "Failure"
    assert status["observedGeneration"] == 2
    assert "staticNextHopHeader" in status["observation"]
    assert "ipAddress" not in status  # the stale receiver is gone from the status
    assert ready(world)["status"] == "False"
    assert ready(world)["reason"] == "InvalidSpec"
    assert [(e.type, e.reason) for e in world.events] == [("Warning", "InvalidSpec")]
    assert configuration(world) is None
    assert world.labels(VMI, "ns/s-eth0")[keys.MIRROR_DESTINATION] == "md1"


async def test_an_edit_that_leaves_the_destination_invalid_warns_of_the_new_problem() -> None:
    world = World()
    world.put(R.mirror_destinations, b.md("md1", {"nextHopMode": "static", "juniperHeader": False}))
    await world.converge()
    edited = b.md("md1", {"externalAnalyzer": True}, generation=2)
    edited["status"] = world.status("md1")
    world.put(R.mirror_destinations, edited)
    await world.converge()
    warnings = [(e.type, e.reason, e.message) for e in world.events]
    assert [w[:2] for w in warnings] == [("Warning", "InvalidSpec")] * 2
    assert "staticNextHopHeader" in warnings[0][2]
    assert "analyzerIP" in warnings[1][2]
    # Unchanged, it is not reported again.
    await world.converge()
    assert len(world.events) == 2


async def test_ready_keeps_its_transition_time_until_it_flips() -> None:
    world = World()
    analyzer_setup(world)
    await world.converge()
    since = ready(world)["lastTransitionTime"]
    world.clock += timedelta(hours=1)
    world.put(R.mirror_destinations, {**world.obj(R.mirror_destinations, "md1")})
    source_setup(world)  # sourceCount changes, Ready does not
    await world.converge()
    assert world.status("md1")["sourceCount"] == 1
    assert ready(world)["lastTransitionTime"] == since
    world.remove(PODS, analyzer_pod())
    world.clock += timedelta(hours=1)
    await world.converge()
    assert ready(world)["status"] == "False"
    assert ready(world)["lastTransitionTime"] == "2025-01-01T02:00:00Z"


async def test_a_gone_analyzer_pod_unlabels_what_remains_and_sources_lose_configuration() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world)
    await world.converge()
    world.events.clear()
    world.remove(PODS, analyzer_pod())
    await world.converge(extra_pods=("ns/a",))
    assert keys.ANALYZER_POD not in world.labels(VM, "vm-a")
    assert world.labels(VMI, "ns/a-eth0") == {"team": "net"}
    assert world.status("md1")["state"] == "Pending"
    assert ready(world)["reason"] == "AnalyzerPodNotFound"
    assert configuration(world) is None
    assert [(e.type, e.reason) for e in world.events] == [("Warning", "AnalyzerPodNotFound")]


async def test_a_finished_analyzer_pod_receives_nothing_and_finished_sources_do_not_count() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world)
    world.put(PODS, source_pod("done", phase="Succeeded"))
    world.put(PODS, source_pod("going", deleting=True))
    await world.converge()
    assert world.status("md1")["sourceCount"] == 1
    world.put(PODS, analyzer_pod(phase="Failed"))
    await world.converge()
    assert ready(world)["reason"] == "AnalyzerPodNotFound"
    assert configuration(world) is None


async def test_of_several_analyzers_the_oldest_pod_is_the_receiver() -> None:
    world = World()
    analyzer_setup(world)
    older = b.pod(
        "old",
        labels={keys.ANALYZER_POD: "sniffer"},
        annotations={keys.ANALYZER_INTERFACE: "true"},
        created="2023-06-01T00:00:00Z",
    )
    world.put(PODS, older)
    world.put(VMI, b.vmi("old-eth0", pod_name="old", mac="02:00:00:00:00:0b", routing_instance=RI))
    world.put(R.instance_ips, b.iip("old-eth0-ip", "10.0.0.6", vmi_name="old-eth0"))
    source_setup(world)
    await world.converge()
    found = configuration(world)
    assert found is not None
    assert found["analyzer_ip_address"] == "10.0.0.6"


async def test_without_its_vm_the_receiver_names_the_vm_its_vmi_references() -> None:
    world = World()
    analyzer_setup(world)
    world.remove(VM, {"metadata": {"name": "vm-a"}})
    await world.converge()
    assert world.status("md1")["virtualMachineReference"]["name"] == "vm-a"


async def test_an_instance_ip_whose_family_contradicts_its_address_is_a_failure() -> None:
    world = World()
    analyzer_setup(world)
    world.put(R.instance_ips, b.iip("a-eth0-ip", ANALYZER_IP, vmi_name="a-eth0", family="v6"))
    await world.converge()
    assert world.status("md1")["state"] == "Failure"
    assert "instanceIPFamily" in world.status("md1")["observation"]


async def test_an_analyzer_that_stops_being_one_is_unlabelled() -> None:
    world = World()
    analyzer_setup(world)
    await world.converge()
    world.put(PODS, analyzer_pod(labels={}, annotations={}))
    await world.converge()
    assert keys.ANALYZER_POD not in world.labels(VM, "vm-a")
    assert keys.ANALYZER_INTERFACE not in world.labels(VMI, "ns/a-eth0")


async def test_only_the_newest_vm_of_an_analyzer_pod_is_labelled() -> None:
    # Spec 2: the label goes on the analyzer pod's VM; a VM left from an older incarnation of
    # the pod (same name) is not it, and loses the label it carried.
    world = World()
    older = b.vm("vm-a-old", pod_name="a", labels={keys.ANALYZER_POD: "sniffer", "x": "y"})
    older["metadata"]["creationTimestamp"] = "2023-01-01T00:00:00Z"
    world.put(VM, older)
    analyzer_setup(world)
    await world.converge()
    assert world.labels(VM, "vm-a")[keys.ANALYZER_POD] == "sniffer"
    assert world.labels(VM, "vm-a-old") == {"x": "y"}


async def test_the_marked_secondary_wins_over_eth0() -> None:
    world = World()
    networks = [{"name": "blue", "cni-args": {keys.ANALYZER_INTERFACE: "true"}}]
    analyzer_setup(world, pod=analyzer_pod(networks=networks))
    world.put(
        VMI,
        b.vmi(
            "a-eth1",
            pod_name="a",
            interface="eth1",
            index="1/2",
            mac="02:00:00:00:00:0b",
            network="blue",
            network_namespace="ns",
        ),
    )
    world.put(R.instance_ips, b.iip("a-eth1-ip", "10.1.0.7", vmi_name="a-eth1"))
    source_setup(world)
    await world.converge()
    assert keys.ANALYZER_INTERFACE not in world.labels(VMI, "ns/a-eth0")
    assert world.labels(VMI, "ns/a-eth1")[keys.ANALYZER_INTERFACE] == ""
    status = world.status("md1")
    assert status["analyzerInterface"] == "eth1"
    assert status["ipAddress"] == "10.1.0.7"
    assert status["routingInstance"] == "default-domain:ns:blue:blue"
    assert "secondary eth1 is used" in status["observation"]
    found = configuration(world)
    assert found is not None
    assert found["analyzer_ip_address"] == "10.1.0.7"


async def test_an_interface_never_mirrors_to_itself() -> None:
    world = World()
    self_requesting_analyzer_setup(world)
    await world.converge()
    assert world.labels(VMI, "ns/a-eth0")[keys.MIRROR_DESTINATION] == "md1"
    assert configuration(world, "ns/a-eth0") is None
    assert ("Pod", "SelfMirroring") in [(e.kind, e.reason) for e in world.events]
    assert world.status("md1")["sourceCount"] == 0


async def test_a_host_network_pod_is_ignored() -> None:
    world = World()
    analyzer_setup(world)
    world.put(PODS, source_pod("h", host_network=True))
    await world.converge()
    assert [p for p in world.patches if p.key.startswith("ns/h")] == []
    assert world.status("md1")["sourceCount"] == 0


async def test_a_host_network_analyzer_pod_is_ignored() -> None:
    # Spec 3: a hostNetwork pod has no VMI of its own and is ignored, as an analyzer too:
    # whatever VM or VMI is found under its name (a former incarnation's) gets none of our
    # keys, and it is never the receiver.
    world = World()
    analyzer_setup(world, pod=analyzer_pod(host_network=True))
    await world.converge()
    assert keys.ANALYZER_POD not in world.labels(VM, "vm-a")
    assert keys.ANALYZER_INTERFACE not in world.labels(VMI, "ns/a-eth0")
    assert world.status("md1")["state"] == "Pending"
    assert ready(world)["reason"] == "AnalyzerPodNotFound"


async def test_stale_keys_of_a_gone_pod_are_removed() -> None:
    world = World()
    world.put(
        VMI,
        b.vmi(
            "gone-eth0",
            pod_name="gone",
            labels={keys.MIRROR_DESTINATION: "md1", "x": "y"},
            annotations={keys.MIRRORING_CONFIGURATION: "{}"},
        ),
    )
    await world.converge(extra_pods=("ns/gone",))
    assert world.labels(VMI, "ns/gone-eth0") == {"x": "y"}
    assert keys.MIRRORING_CONFIGURATION not in world.annotations(VMI, "ns/gone-eth0")


async def test_a_stale_cache_neither_rewrites_nor_reannounces() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world)
    world.stale = True  # our writes do not reach the cache
    for _ in range(3):
        await world.destination.reconcile(Request("md1"))
        await world.source.reconcile(Request("s", "ns"))
        await world.analyzer.reconcile(Request("a", "ns"))
    kinds = [(p.kind, p.key, p.subresource) for p in world.patches]
    assert len(kinds) == len(set(kinds)), kinds
    assert [e.reason for e in world.events] == ["Resolved"]
    # The cache catching up changes nothing either.
    world.stale = False
    world.sync_cache()
    assert await world.converge() == 0


async def test_a_vmi_of_another_cluster_is_ignored() -> None:
    from mirrorctl.reconcilers.settings import MirroringSettings

    world = World(MirroringSettings(cluster_name="other"))
    analyzer_setup(world)
    source_setup(world)
    await world.converge()
    assert all(p.subresource == "status" for p in world.patches)
    assert world.status("md1")["state"] == "Pending"


async def test_analyzer_recreated_with_new_address_reconfigures_sources() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world)
    await world.converge()
    world.remove(R.instance_ips, {"metadata": {"name": "a-eth0-ip"}})
    world.put(R.instance_ips, b.iip("a-eth0-ip2", "10.0.0.99", vmi_name="a-eth0"))
    world.events.clear()
    await world.converge()
    found = configuration(world)
    assert found is not None
    assert found["analyzer_ip_address"] == "10.0.0.99"
    assert [e.reason for e in world.events] == ["ReceiverChanged"]


async def test_the_receivers_references_carry_their_fq_names() -> None:
    # CN2 objects carry their FQ name in spec; the status references keep it, on a trimmed
    # cache too (`mirrorctl run` trims).
    world = World()
    analyzer_setup(world)
    fq_names = {
        (VM, "vm-a"): ["default-domain", "vm-a"],
        (VMI, "ns/a-eth0"): ["default-domain", "ns", "a-eth0"],
        (R.instance_ips, "a-eth0-ip"): ["a-eth0-ip"],
    }
    for (res, key), fq_name in fq_names.items():
        obj = world.obj(res, key)
        world.put(res, {**obj, "spec": {**obj["spec"], "fqName": fq_name}})
    await world.converge()
    status = world.status("md1")
    assert status["virtualMachineReference"]["fqName"] == ["default-domain", "vm-a"]
    assert status["virtualMachineInterfaceReference"]["fqName"] == [
        "default-domain",
        "ns",
        "a-eth0",
    ]
    assert status["instanceIPReference"]["fqName"] == ["a-eth0-ip"]
