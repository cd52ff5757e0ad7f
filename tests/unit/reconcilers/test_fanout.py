"""Indexes and map functions: every change enqueues the keys it affects, and no others."""

from __future__ import annotations

import orjson

from mirrorctl.client.resources import PODS
from mirrorctl.mirroring import keys
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcilers.indexes import Indexes
from mirrorctl.reconcilers.keymap import KeyMap
from mirrorctl.reconcilers.settings import MirroringKeys, MirroringSettings
from tests.unit.mirroring import builders as b
from tests.unit.reconcilers.scenario import analyzer_pod, analyzer_setup, source_pod, source_setup
from tests.unit.reconcilers.world import R, World

VMI = R.virtual_machine_interfaces


def world_with_two_sources() -> World:
    world = World()
    analyzer_setup(world)
    source_setup(world, "s1")
    source_setup(world, "s2")
    source_setup(world, "other", destination="md2")
    world.put(R.mirror_destinations, b.md("md2", selector="elsewhere"))
    return world


def test_index_functions_read_what_they_must_and_survive_garbage() -> None:
    indexes = Indexes(KeyMap(), cluster_name="cluster")
    networks = [{"name": "blue", "cni-args": {keys.MIRROR_DESTINATION: "md2"}}]
    pod = source_pod("s", "md1", networks=networks)
    assert indexes.pod_destinations(pod) == ["md1", "md2"]
    assert indexes.pod_destinations(source_pod("h", "md1", host_network=True)) == []
    assert indexes.pod_destinations(source_pod("bad", None, networks="[oops")) == []
    assert indexes.pod_analyzer(analyzer_pod()) == ["sniffer"]
    assert indexes.destination_selector(b.md("m", selector="sniffer")) == ["sniffer"]
    assert indexes.destination_selector(b.md("m", selector=None)) == []
    assert indexes.owner_pod(b.vmi("v", pod_name="p")) == ["ns/p"]
    assert Indexes(KeyMap(), cluster_name="elsewhere").owner_pod(b.vmi("v")) == []
    iip = b.iip("i", "10.0.0.1", vmi_name="v", vmi_uid="u1")
    assert indexes.instance_ip_interfaces(iip) == ["name/v", "uid/u1"]
    guarded = indexes.guarded()
    garbage = {"metadata": "nonsense", "spec": ["x"]}
    assert all(fn(garbage) == [] for fn in guarded.values())


def test_an_analyzer_change_reaches_every_source_of_every_destination_selecting_it() -> None:
    world = world_with_two_sources()
    sources = {Request("s1", "ns"), Request("s2", "ns")}
    pod = world.obj(PODS, "ns/a")
    assert set(world.fanout.source_pod_for_pod(pod)) == sources
    assert set(world.fanout.source_pod_for_interface(world.obj(VMI, "ns/a-eth0"))) == sources
    iip = world.obj(R.instance_ips, "a-eth0-ip")
    assert set(world.fanout.source_pod_for_instance_ip(iip)) == sources
    assert world.fanout.destination_for_pod(pod) == [Request("md1")]
    assert world.fanout.destination_for_instance_ip(iip) == [Request("md1")]
    vm_map = world.fanout.destination_for_owned(R.virtual_machines)
    assert vm_map(world.obj(R.virtual_machines, "vm-a")) == [Request("md1")]


def test_a_destination_change_reaches_its_sources_only() -> None:
    world = world_with_two_sources()
    md1 = world.obj(R.mirror_destinations, "md1")
    assert set(world.fanout.source_pod_for_destination(md1)) == {
        Request("s1", "ns"),
        Request("s2", "ns"),
    }
    md2 = world.obj(R.mirror_destinations, "md2")
    assert world.fanout.source_pod_for_destination(md2) == [Request("other", "ns")]


def test_a_source_pod_maps_to_itself_and_the_destinations_it_names() -> None:
    world = world_with_two_sources()
    s1 = world.obj(PODS, "ns/s1")
    assert world.fanout.source_pod_for_pod(s1) == [Request("s1", "ns")]
    assert world.fanout.destination_for_pod(s1) == [Request("md1")]
    assert world.fanout.analyzer_pod_for_pod(s1) == []
    assert world.fanout.source_pod_for_interface(world.obj(VMI, "ns/s1-eth0")) == [
        Request("s1", "ns")
    ]


def test_an_unrelated_pod_maps_to_nothing() -> None:
    world = world_with_two_sources()
    plain = b.pod("plain")
    world.put(PODS, plain)
    world.put(VMI, b.vmi("plain-eth0", pod_name="plain"))
    vmi = world.obj(VMI, "ns/plain-eth0")
    assert world.fanout.source_pod_for_pod(plain) == []
    assert world.fanout.analyzer_pod_for_pod(plain) == []
    assert world.fanout.destination_for_pod(plain) == []
    assert world.fanout.source_pod_for_interface(vmi) == []
    assert world.fanout.analyzer_pod_for_interface(vmi) == []


def test_an_object_carrying_our_keys_always_maps_to_its_pod() -> None:
    world = World()
    stale = b.vmi(
        "gone-eth0",
        pod_name="gone",
        labels={keys.MIRROR_DESTINATION: "md1", keys.ANALYZER_INTERFACE: ""},
    )
    world.put(VMI, stale)
    assert world.fanout.source_pod_for_interface(stale) == [Request("gone", "ns")]
    assert world.fanout.analyzer_pod_for_interface(stale) == [Request("gone", "ns")]
    vm = b.vm("vm-gone", pod_name="gone", labels={keys.ANALYZER_POD: "x"})
    assert world.fanout.analyzer_pod_for_machine(vm) == [Request("gone", "ns")]


def test_before_the_caches_sync_events_fall_back_safely() -> None:
    world = world_with_two_sources()
    world.unsynced = {PODS, R.mirror_destinations}
    vmi = world.obj(VMI, "ns/s1-eth0")
    # The pod cannot be checked: enqueue it rather than miss a needed change.
    assert world.fanout.source_pod_for_interface(vmi) == [Request("s1", "ns")]
    # Fan-out needs the caches; the pods it would reach are queued by their own initial list.
    assert world.fanout.source_pod_for_pod(world.obj(PODS, "ns/a")) == []
    assert world.fanout.destination_for_instance_ip(world.obj(R.instance_ips, "a-eth0-ip")) == []


async def test_custom_keys_end_to_end() -> None:
    custom = MirroringKeys(
        analyzer_pod="example.com/analyzer",
        analyzer_pod_selector="example.com/selector",
        analyzer_interface="example.com/analyzer-if",
        mirror_destination="example.com/mirror-to",
        mirroring_configuration="example.com/config",
    )
    world = World(MirroringSettings(keys=custom))
    networks = [{"name": "blue", "cni-args": {"example.com/mirror-to": "md1"}}]
    world.put(
        PODS,
        b.pod(
            "a",
            labels={"example.com/analyzer": "sniffer", keys.ANALYZER_POD: "not-ours"},
            annotations={"example.com/analyzer-if": "true"},
        ),
        b.pod("s", networks=networks, created="2024-01-02T00:00:00Z"),
    )
    world.put(R.virtual_machines, b.vm("vm-a", pod_name="a", labels={keys.ANALYZER_POD: "cn2"}))
    world.put(
        VMI,
        b.vmi("a-eth0", pod_name="a", routing_instance=["d", "n", "v", "v"]),
        b.vmi("s-eth0", pod_name="s"),
        b.vmi("s-eth1", pod_name="s", interface="eth1", index="1/2", mac="02:00:00:00:00:02"),
    )
    world.put(R.instance_ips, b.iip("a-ip", "10.0.0.5", vmi_name="a-eth0"))
    md = b.md("md1", selector=None)
    md["metadata"]["labels"] = {"example.com/selector": "sniffer"}
    world.put(R.mirror_destinations, md)
    await world.converge()
    assert world.status("md1")["state"] == "Success"
    assert world.labels(R.virtual_machines, "vm-a") == {
        keys.ANALYZER_POD: "cn2",  # someone else's, under the key we do not use
        "example.com/analyzer": "sniffer",
    }
    assert world.labels(VMI, "ns/a-eth0") == {"example.com/analyzer-if": ""}
    assert world.labels(VMI, "ns/s-eth0") == {}
    assert world.labels(VMI, "ns/s-eth1") == {"example.com/mirror-to": "md1"}
    config = orjson.loads(world.annotations(VMI, "ns/s-eth1")["example.com/config"])
    assert config["analyzer_ip_address"] == "10.0.0.5"
    assert keys.MIRRORING_CONFIGURATION not in world.annotations(VMI, "ns/s-eth1")
    assert await world.converge() == 0


async def test_pods_outside_the_namespace_scope_are_someone_elses() -> None:
    world = World(MirroringSettings(namespace="ns"))
    analyzer_setup(world)
    source_setup(world)
    theirs = {keys.MIRROR_DESTINATION: "md1", keys.ANALYZER_INTERFACE: ""}
    vmi = b.vmi("x-eth0", pod_name="x", namespace="other", labels=theirs)
    vm = b.vm("vm-x", pod_name="x", namespace="other", labels={keys.ANALYZER_POD: "sniffer"})
    world.put(VMI, vmi)
    world.put(R.virtual_machines, vm)
    world.put(R.instance_ips, b.iip("x-ip", "10.0.0.9", vmi_name="x-eth0", namespace="other"))
    assert world.fanout.source_pod_for_interface(vmi) == []
    assert world.fanout.analyzer_pod_for_interface(vmi) == []
    assert world.fanout.analyzer_pod_for_machine(vm) == []
    assert world.fanout.source_pod_for_instance_ip(world.obj(R.instance_ips, "x-ip")) == []
    await world.converge(extra_pods=("other/x",))
    await world.analyzer.reconcile(Request("x", "other"))
    await world.source.reconcile(Request("x", "other"))
    assert world.labels(VMI, "other/x-eth0") == theirs
    assert world.labels(R.virtual_machines, "vm-x") == {keys.ANALYZER_POD: "sniffer"}
    assert world.status("md1")["state"] == "Success"  # in scope, all converges
