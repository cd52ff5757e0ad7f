"""A small mirroring setup on a `World`: analyzer pod ``ns/a`` (VM, eth0 VMI, InstanceIP),
MirrorDestination ``md1`` selecting it, and source pod ``ns/s`` (eth0 VMI) mirrored to it."""

from __future__ import annotations

from typing import Any

from mirrorctl.client.resources import PODS
from mirrorctl.mirroring import keys
from tests.unit.mirroring import builders as b
from tests.unit.reconcilers.world import R, World

__all__ = [
    "ANALYZER_IP",
    "ANALYZER_MAC",
    "RI",
    "analyzer_pod",
    "analyzer_setup",
    "source_pod",
    "source_setup",
]

ANALYZER_IP = "10.0.0.5"
ANALYZER_MAC = "02:00:00:00:00:0a"
RI = ["default-domain", "k8s-contrail", "default-podnetwork", "default-podnetwork"]


def analyzer_pod(**overrides: Any) -> dict[str, Any]:
    options: dict[str, Any] = {
        "labels": {keys.ANALYZER_POD: "sniffer"},
        "annotations": {keys.ANALYZER_INTERFACE: "true"},
        "created": "2024-01-01T00:00:00Z",
    }
    options.update(overrides)
    return b.pod("a", **options)


def analyzer_setup(world: World, *, pod: dict[str, Any] | None = None) -> None:
    world.put(PODS, pod or analyzer_pod())
    world.put(R.virtual_machines, b.vm("vm-a", pod_name="a"))
    world.put(
        R.virtual_machine_interfaces,
        b.vmi(
            "a-eth0",
            pod_name="a",
            mac=ANALYZER_MAC,
            routing_instance=RI,
            labels={"team": "net"},
            annotations={"owner": "cn2"},
        ),
    )
    world.put(R.instance_ips, b.iip("a-eth0-ip", ANALYZER_IP, vmi_name="a-eth0", family="v4"))
    world.put(R.mirror_destinations, b.md("md1", selector="sniffer"))


def self_requesting_analyzer_setup(world: World) -> None:
    """`analyzer_setup` with an analyzer whose own interface also asks to be mirrored to
    md1, its own destination."""
    analyzer_setup(
        world,
        pod=analyzer_pod(
            annotations={keys.ANALYZER_INTERFACE: "true", keys.MIRROR_DESTINATION: "md1"}
        ),
    )


def source_pod(name: str = "s", destination: str | None = "md1", **options: Any) -> dict[str, Any]:
    annotations = dict(options.pop("annotations", {}))
    if destination is not None:
        annotations[keys.MIRROR_DESTINATION] = destination
    return b.pod(name, annotations=annotations, created="2024-01-02T00:00:00Z", **options)


def source_setup(world: World, name: str = "s", destination: str | None = "md1") -> None:
    world.put(PODS, source_pod(name, destination))
    world.put(
        R.virtual_machine_interfaces,
        b.vmi(
            f"{name}-eth0",
            pod_name=name,
            mac="02:00:00:00:01:01",
            routing_instance=RI,
            labels={"app": name},
            annotations={"note": "keep"},
        ),
    )
