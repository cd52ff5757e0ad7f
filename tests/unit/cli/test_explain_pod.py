from __future__ import annotations

from mirrorctl.cli.explain_dryrun import DryRun
from mirrorctl.cli.explain_model import (
    InterfaceExplanation,
    InterfaceState,
    Mark,
    PodExplanation,
    first_broken,
)
from mirrorctl.cli.explain_pod import PodExplainer
from mirrorctl.client.resources import PODS
from mirrorctl.mirroring import keys
from tests.unit.cli.converge import converge
from tests.unit.cli.scenario import ANALYZER_IP, ANALYZER_MAC, RI_TEXT, source, world
from tests.unit.cli.snapshot import R, Snapshot
from tests.unit.mirroring import builders as b


async def explain(snapshot: Snapshot, name: str = "s", namespace: str = "ns") -> PodExplanation:
    view = snapshot.view
    found = await PodExplainer(view, DryRun(view)).explain(namespace, name)
    assert found is not None
    return found


def eth0(pod: PodExplanation) -> InterfaceExplanation:
    (interface,) = (i for i in pod.interfaces if i.name == "eth0")
    return interface


async def test_a_request_the_controller_has_not_written_is_out_of_sync() -> None:
    pod = await explain(world())
    interface = eth0(pod)
    assert interface.state is InterfaceState.OUT_OF_SYNC
    assert "is mirrorctl running?" in interface.summary
    assert interface.on_vmi is not None
    assert interface.on_vmi.mirroring_configuration is None
    assert interface.expected is not None
    assert interface.expected.mirror_destination == "md1"
    assert interface.expected.mirroring_configuration["analyzer_ip_address"] == ANALYZER_IP
    assert [(w.kind, w.key) for w in pod.pending] == [("VirtualMachineInterface", "ns/s-eth0")]


async def test_mirrored_once_the_controller_wrote_the_configuration() -> None:
    snapshot = world()
    await converge(snapshot)
    pod = await explain(snapshot)
    interface = eth0(pod)
    assert interface.state is InterfaceState.MIRRORED
    assert pod.pending == ()
    assert pod.problems == ()
    assert interface.on_vmi == interface.expected
    assert interface.on_vmi is not None
    assert interface.on_vmi.mirroring_configuration["ri"] == RI_TEXT
    assert all(link.mark is Mark.OK for link in interface.links)
    kinds = [link.kind for link in interface.links]
    assert kinds[:3] == ["VirtualMachineInterface", "MirrorDestination", "analyzer pod"]
    assert interface.receiver is not None
    assert interface.receiver.receiver is not None
    facts = interface.receiver.receiver
    assert (facts.ip_address, facts.mac_address, facts.routing_instance) == (
        ANALYZER_IP,
        ANALYZER_MAC,
        RI_TEXT,
    )
    assert (facts.pod, facts.virtual_machine_interface, facts.instance_ip) == (
        "ns/a",
        "ns/a-eth0",
        "a-eth0-ip",
    )
    assert ANALYZER_IP in interface.summary
    assert pod.summary == "eth0 mirrored"


async def test_a_missing_mirror_destination_is_the_broken_link() -> None:
    snapshot = world()
    source(snapshot, "lost", destination="md-nowhere")
    await converge(snapshot)
    pod = await explain(snapshot, "lost")
    interface = eth0(pod)
    assert interface.state is InterfaceState.NOT_MIRRORED
    broken = first_broken(interface.links)
    assert broken is not None
    assert (broken.kind, broken.name, broken.mark) == (
        "MirrorDestination",
        "md-nowhere",
        Mark.MISSING,
    )
    assert "md-nowhere" in interface.summary
    assert "does not exist" in interface.summary
    # The controller keeps the label, never an annotation, and records why.
    assert interface.on_vmi is not None
    assert interface.on_vmi.mirror_destination == "md-nowhere"
    assert interface.on_vmi.mirroring_configuration is None
    assert pod.pending == ()
    assert [e.reason for e in pod.problems] == ["MirrorDestinationNotFound"]


async def test_an_analyzer_without_an_ip_stops_at_the_address() -> None:
    snapshot = world(ip=False)
    await converge(snapshot)
    interface = eth0(await explain(snapshot))
    assert interface.state is InterfaceState.NOT_MIRRORED
    marks = {link.kind: link.mark for link in interface.links}
    assert marks["MAC address"] is Mark.OK
    assert marks["routing instance"] is Mark.OK
    broken = first_broken(interface.links)
    assert broken is not None
    assert (broken.kind, broken.mark) == ("IP address", Mark.MISSING)
    assert interface.receiver is not None
    assert (interface.receiver.state, interface.receiver.reason) == (
        "Pending",
        "AnalyzerIPNotFound",
    )
    assert broken.detail == interface.receiver.message
    assert "InstanceIP" in broken.detail


async def test_an_analyzer_interface_without_its_vmi() -> None:
    snapshot = world(vmi=False)
    interface = eth0(await explain(snapshot))
    broken = first_broken(interface.links)
    assert broken is not None
    assert (broken.kind, broken.name, broken.mark) == (
        "VirtualMachineInterface",
        None,
        Mark.MISSING,
    )
    assert interface.receiver is not None
    assert interface.receiver.reason == "AnalyzerInterfaceNotFound"
    # The links before it name what was found.
    assert ("analyzer pod", "ns/a") in [(link.kind, link.name) for link in interface.links]


async def test_no_analyzer_pod() -> None:
    snapshot = world()
    snapshot.put(R.mirror_destinations, b.md("md1", selector="nobody"))
    interface = eth0(await explain(snapshot))
    broken = first_broken(interface.links)
    assert broken is not None
    assert broken.kind == "analyzer pod"
    assert broken.name == f"{keys.ANALYZER_POD}=nobody"
    assert interface.receiver is not None
    assert interface.receiver.reason == "AnalyzerPodNotFound"


async def test_an_invalid_mirror_destination() -> None:
    snapshot = world(md_spec={"nextHopMode": "static"})
    interface = eth0(await explain(snapshot))
    broken = first_broken(interface.links)
    assert broken is not None
    assert (broken.kind, broken.mark) == ("MirrorDestination", Mark.INVALID)
    assert "staticNextHopHeader" in broken.detail
    assert interface.receiver is not None
    assert interface.receiver.state == "Failure"


async def test_a_configuration_gone_stale_is_to_be_removed() -> None:
    snapshot = world()
    await converge(snapshot)
    snapshot.remove(R.instance_ips, "a-eth0-ip")
    interface = eth0(await explain(snapshot))
    assert interface.state is InterfaceState.NOT_MIRRORED
    assert f"remove {keys.MIRRORING_CONFIGURATION}" in interface.summary
    assert interface.expected is not None
    assert interface.expected.mirroring_configuration is None


async def test_a_source_interface_without_its_vmi() -> None:
    snapshot = world()
    snapshot.remove(R.virtual_machine_interfaces, "ns/s-eth0")
    pod = await explain(snapshot)
    interface = eth0(pod)
    assert interface.vmi is None
    assert interface.on_vmi is None
    broken = first_broken(interface.links)
    assert broken is not None
    assert (broken.kind, broken.mark) == ("VirtualMachineInterface", Mark.MISSING)
    assert "kube-manager" in broken.detail


async def test_an_interface_never_mirrors_to_itself() -> None:
    snapshot = world()
    analyzer = b.pod(
        "a",
        labels={keys.ANALYZER_POD: "sniffer"},
        annotations={keys.ANALYZER_INTERFACE: "true", keys.MIRROR_DESTINATION: "md1"},
    )
    snapshot.put(PODS, analyzer)
    pod = await explain(snapshot, "a")
    interface = eth0(pod)
    assert interface.state is InterfaceState.NOT_MIRRORED
    broken = first_broken(interface.links)
    assert broken is not None
    assert broken.kind == "self-mirroring"
    assert "SelfMirroring" in [e.reason for e in pod.problems]
    assert interface.analyzer_for == ("md1",)


async def test_the_analyzer_pod() -> None:
    snapshot = world()
    before = eth0(await explain(snapshot, "a"))
    assert before.state is InterfaceState.OUT_OF_SYNC  # its VMI label is not written yet
    await converge(snapshot)
    pod = await explain(snapshot, "a")
    interface = eth0(pod)
    assert interface.state is InterfaceState.ANALYZER
    assert interface.analyzer_for == ("md1",)
    assert interface.on_vmi is not None
    assert interface.on_vmi.analyzer_interface
    assert pod.analyzer_label == "sniffer"
    assert pod.virtual_machine == "vm-a"


async def test_a_marked_interface_nobody_selects() -> None:
    snapshot = Snapshot()
    snapshot.put(PODS, b.pod("lone", annotations={keys.ANALYZER_INTERFACE: "true"}))
    interface = eth0(await explain(snapshot, "lone"))
    assert interface.state is InterfaceState.ANALYZER
    assert "no core.juniper.net/analyzer-pod label" in interface.summary


async def test_a_host_network_pod_has_no_interfaces() -> None:
    snapshot = Snapshot()
    pod = b.pod("h", annotations={keys.MIRROR_DESTINATION: "md1"}, host_network=True)
    snapshot.put(PODS, pod)
    explained = await explain(snapshot, "h")
    assert explained.host_network
    assert explained.interfaces == ()
    assert "hostNetwork" in explained.summary


async def test_a_pod_that_does_not_exist() -> None:
    view = Snapshot().view
    assert await PodExplainer(view, DryRun(view)).explain("ns", "ghost") is None


async def test_a_vmi_made_for_another_cluster_is_named_not_called_missing() -> None:
    snapshot = world()  # kube-manager made the VMIs for cluster "cluster"
    view = snapshot.view
    explainer = PodExplainer(view, DryRun(view, cluster_name="mine"), cluster_name="mine")
    found = await explainer.explain("ns", "s")
    assert found is not None
    link = eth0(found).links[0]
    assert (link.kind, link.mark) == ("VirtualMachineInterface", Mark.MISSING)
    assert "none of cluster 'mine'" in link.detail
    assert "ns/s-eth0 (cluster 'cluster')" in link.detail

    snapshot.remove(R.virtual_machine_interfaces, "ns/s-eth0")
    found = await explainer.explain("ns", "s")
    assert found is not None
    assert "has not made one of cluster 'mine'" in eth0(found).links[0].detail
