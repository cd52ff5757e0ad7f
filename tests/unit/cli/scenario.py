"""Analyzer pod ``ns/a`` (VM, eth0 VMI, InstanceIP) selected by MirrorDestination ``md1``, and
source pod ``ns/s`` whose eth0 asks to be mirrored to ``md1``."""

from __future__ import annotations

from typing import Any

from mirrorctl.client.resources import PODS
from mirrorctl.mirroring import keys
from tests.unit.cli.snapshot import R, Snapshot
from tests.unit.mirroring import builders as b

__all__ = ["ANALYZER_IP", "ANALYZER_MAC", "RI", "RI_TEXT", "analyzer", "source", "world"]

ANALYZER_IP = "10.0.0.5"
ANALYZER_MAC = "02:00:00:00:00:0a"
RI = ["default-domain", "k8s-contrail", "default-podnetwork", "default-podnetwork"]
RI_TEXT = ":".join(RI)


def analyzer(snapshot: Snapshot, *, ip: bool = True, vmi: bool = True) -> None:
    pod = b.pod(
        "a",
        labels={keys.ANALYZER_POD: "sniffer"},
        annotations={keys.ANALYZER_INTERFACE: "true"},
    )
    snapshot.put(PODS, pod)
    snapshot.put(R.virtual_machines, b.vm("vm-a", pod_name="a"))
    if vmi:
        snapshot.put(
            R.virtual_machine_interfaces,
            b.vmi("a-eth0", pod_name="a", mac=ANALYZER_MAC, routing_instance=RI),
        )
    if ip:
        snapshot.put(R.instance_ips, b.iip("a-eth0-ip", ANALYZER_IP, vmi_name="a-eth0"))


def source(snapshot: Snapshot, name: str = "s", destination: str = "md1", **options: Any) -> None:
    annotations = {keys.MIRROR_DESTINATION: destination, **options.pop("annotations", {})}
    snapshot.put(PODS, b.pod(name, annotations=annotations, created="2024-01-02T00:00:00Z"))
    snapshot.put(
        R.virtual_machine_interfaces,
        b.vmi(f"{name}-eth0", pod_name=name, mac="02:00:00:00:01:01", routing_instance=RI),
    )


def world(*, md_spec: dict[str, Any] | None = None, **analyzer_options: bool) -> Snapshot:
    snapshot = Snapshot()
    analyzer(snapshot, **analyzer_options)
    snapshot.put(R.mirror_destinations, b.md("md1", md_spec, selector="sniffer"))
    source(snapshot)
    return snapshot
