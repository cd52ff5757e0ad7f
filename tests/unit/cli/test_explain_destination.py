from __future__ import annotations

from mirrorctl.cli.explain_destination import explain_destination
from mirrorctl.cli.explain_model import DestinationExplanation, InterfaceState, Mark
from mirrorctl.cli.explain_render import render_text
from mirrorctl.client.resources import PODS
from mirrorctl.mirroring import keys
from tests.unit.cli.converge import converge
from tests.unit.cli.scenario import ANALYZER_IP, source, world
from tests.unit.cli.snapshot import R, Snapshot
from tests.unit.mirroring import builders as b


async def explain(snapshot: Snapshot, name: str = "md1") -> DestinationExplanation:
    found = await explain_destination(snapshot.view, name)
    assert found is not None
    return found


async def test_before_the_controller_ran() -> None:
    md = await explain(world())
    assert md.receiver.state == "Success"
    assert md.status is None
    assert not md.status_current
    assert [(w.kind, w.key, w.subresource) for w in md.pending] == [
        ("MirrorDestination", "md1", "status")
    ]
    assert [e.reason for e in md.events] == ["Resolved"]
    assert [(s.pod, s.interface, s.state) for s in md.sources] == [
        ("ns/s", "eth0", InterfaceState.OUT_OF_SYNC)
    ]
    assert "behind" in md.summary


async def test_converged() -> None:
    snapshot = world()
    source(snapshot, "t")
    await converge(snapshot)
    md = await explain(snapshot)
    assert md.status_current
    assert md.pending == ()
    assert md.events == ()
    assert md.status is not None
    assert (md.status.state, md.status.reason, md.status.ip_address) == (
        "Success",
        "Resolved",
        ANALYZER_IP,
    )
    assert md.source_count == 2 == md.status.source_count
    assert {s.pod for s in md.sources} == {"ns/s", "ns/t"}
    assert all(s.state is InterfaceState.MIRRORED for s in md.sources)
    assert md.summary == "Success (Resolved); 2 of 2 source interface(s) mirrored"
    assert md.analyzer == "sniffer"
    assert md.generation == 1


async def test_pending_without_an_analyzer_ip() -> None:
    snapshot = world(ip=False)
    await converge(snapshot)
    md = await explain(snapshot)
    assert (md.receiver.state, md.receiver.reason) == ("Pending", "AnalyzerIPNotFound")
    assert md.receiver.links[-1].kind == "IP address"
    assert md.receiver.links[-1].mark is Mark.MISSING
    assert md.status is not None
    assert md.status.state == "Pending"
    assert md.status_current
    assert [s.state for s in md.sources] == [InterfaceState.NOT_MIRRORED]


async def test_an_external_analyzer() -> None:
    snapshot = Snapshot()
    spec = {"externalAnalyzer": True, "analyzerIP": "192.0.2.9"}
    snapshot.put(R.mirror_destinations, b.md("ext", spec, selector=None))
    md = await explain(snapshot, "ext")
    assert [(link.kind, link.name) for link in md.receiver.links] == [
        ("MirrorDestination", "ext"),
        ("external analyzer", "192.0.2.9"),
    ]
    assert md.analyzer == "192.0.2.9"
    assert md.source_count == 0


async def test_a_mirror_destination_that_does_not_exist() -> None:
    assert await explain_destination(Snapshot().view, "ghost") is None


async def test_pending_count_leaves_out_the_analyzers_own_request_as_the_status_does() -> None:
    snapshot = world(ip=False)
    # The analyzer's interface also asks to be mirrored to md1: never a source.
    snapshot.put(
        PODS,
        b.pod(
            "a",
            labels={keys.ANALYZER_POD: "sniffer"},
            annotations={keys.ANALYZER_INTERFACE: "true", keys.MIRROR_DESTINATION: "md1"},
        ),
    )
    await converge(snapshot)
    md = await explain(snapshot)
    assert md.receiver.state == "Pending"
    assert md.status is not None
    assert md.source_count == 1 == md.status.source_count
    # The table lists the analyzer's own request too; the summary line says why it is not counted.
    assert len(md.sources) == 2
    assert "2 interface(s) ask for it, 1 counted as sources" in render_text(md)
