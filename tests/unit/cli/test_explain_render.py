from __future__ import annotations

import orjson

from mirrorctl.cli.explain_destination import explain_destination
from mirrorctl.cli.explain_dryrun import DryRun
from mirrorctl.cli.explain_pod import PodExplainer
from mirrorctl.cli.explain_render import render_json, render_text
from mirrorctl.mirroring import keys
from tests.unit.cli.converge import converge
from tests.unit.cli.scenario import ANALYZER_IP, source, world
from tests.unit.cli.snapshot import Snapshot


async def _pod_text(snapshot: Snapshot, name: str, output: str = "text") -> str:
    view = snapshot.view
    found = await PodExplainer(view, DryRun(view)).explain("ns", name)
    assert found is not None
    return render_json(found) if output == "json" else render_text(found)


async def test_text_of_a_mirrored_pod() -> None:
    snapshot = world()
    await converge(snapshot)
    text = await _pod_text(snapshot, "s")
    lines = text.splitlines()
    assert lines[0] == "Pod ns/s"
    assert "eth0 (default network): MIRRORED" in lines
    assert f"label {keys.MIRROR_DESTINATION}=md1" in text
    assert ["analyzer_ip_address", ANALYZER_IP] in [line.split() for line in lines]
    chain = [line.split() for line in lines if line.startswith("    OK")]
    assert chain[1][:3] == ["OK", "MirrorDestination", "md1"]
    assert chain[-1][:4] == ["OK", "IP", "address", ANALYZER_IP]
    # The chain is a table: its kinds start in one column.
    starts = {line.index(line.split()[1]) for line in lines if line.startswith("    OK")}
    assert len(starts) == 1
    assert "Writes the controller would make" not in text


async def test_text_of_a_broken_chain_and_pending_writes() -> None:
    snapshot = world()
    source(snapshot, "lost", destination="md-nowhere")
    text = await _pod_text(snapshot, "lost")
    assert "eth0 (default network): NOT-MIRRORED" in text
    assert any(
        line.split()[:3] == ["MISSING", "MirrorDestination", "md-nowhere"]
        for line in text.splitlines()
    )
    assert "Events the controller records about this:" in text
    assert "MirrorDestinationNotFound" in text
    assert "Writes the controller would make now" in text  # the label is not there yet


async def test_json_is_the_whole_explanation() -> None:
    snapshot = world()
    await converge(snapshot)
    pod = orjson.loads(await _pod_text(snapshot, "s", "json"))
    assert pod["kind"] == "Pod"
    assert pod["namespace"] == "ns"
    (interface,) = pod["interfaces"]
    assert interface["state"] == "mirrored"
    assert interface["receiver"]["receiver"]["ip_address"] == ANALYZER_IP
    assert {link["mark"] for link in interface["links"]} == {"ok"}
    assert interface["on_vmi"]["mirroring_configuration"]["analyzer_name"] == "md1"


async def test_text_and_json_of_a_mirror_destination() -> None:
    snapshot = world(ip=False)
    await converge(snapshot)
    md = await explain_destination(snapshot.view, "md1")
    assert md is not None
    text = render_text(md)
    assert text.startswith("MirrorDestination md1 (generation 1)\n")
    assert "now            Pending (AnalyzerIPNotFound)" in text
    assert any(line.split()[:3] == ["MISSING", "IP", "address"] for line in text.splitlines())
    assert "ns/s  eth0  not-mirrored" in text
    data = orjson.loads(render_json(md))
    assert data["kind"] == "MirrorDestination"
    assert data["receiver"]["reason"] == "AnalyzerIPNotFound"
    assert data["sources"][0]["state"] == "not-mirrored"
