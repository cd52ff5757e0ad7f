"""`status.sourceCount` counts the same source interfaces whatever the destination's state."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mirrorctl.client.resources import PODS
from mirrorctl.mirroring.self_mirror import AnalyzerInterface
from mirrorctl.mirroring.status import PodReference
from mirrorctl.reconcilers import source_count
from mirrorctl.reconcilers.source_count import SourceCounts
from mirrorctl.reconcilers.view import MirroringView
from tests.unit.reconcilers.scenario import (
    analyzer_setup,
    self_requesting_analyzer_setup,
    source_setup,
)
from tests.unit.reconcilers.world import R, World


@dataclass(frozen=True)
class _Analyzer:
    pod: PodReference | None
    interface: str | None


async def test_the_analyzers_own_request_is_not_counted_while_pending() -> None:
    # The analyzer interface also asks to be mirrored to its own destination: it can never be
    # a source, so it must not count before resolution either (the count would drop by one
    # the moment the analyzer's IP arrives).
    world = World()
    self_requesting_analyzer_setup(world)
    iip = world.obj(R.instance_ips, "a-eth0-ip")
    world.remove(R.instance_ips, iip)
    source_setup(world)
    await world.converge()
    pending = world.status("md1")
    assert (pending["state"], pending["sourceCount"]) == ("Pending", 1)

    world.put(R.instance_ips, iip)
    await world.converge()
    resolved = world.status("md1")
    assert (resolved["state"], resolved["sourceCount"]) == ("Success", 1)


async def test_the_count_is_kept_while_no_pod_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fan-out reconciles the destination for its analyzer's new address, and counting walks
    # every source; with the pods unchanged the count is kept, and any pod change recounts.
    counted: list[str] = []
    real = source_count.count_sources

    def counting(view: MirroringView, name: str, analyzer: AnalyzerInterface | None) -> int:
        counted.append(name)
        return real(view, name, analyzer)

    monkeypatch.setattr(source_count, "count_sources", counting)
    world = World()
    analyzer_setup(world)
    for name in ("s1", "s2"):
        source_setup(world, name)
    await world.converge()
    assert world.status("md1")["sourceCount"] == 2
    before = len(counted)

    iip = world.obj(R.instance_ips, "a-eth0-ip")
    world.put(R.instance_ips, {**iip, "spec": {**iip["spec"], "instanceIPAddress": "10.9.9.9"}})
    await world.converge()
    assert world.status("md1")["ipAddress"] == "10.9.9.9"
    assert world.status("md1")["sourceCount"] == 2
    assert len(counted) == before  # reconciled, not recounted

    source_setup(world, "s3")
    await world.converge()
    assert world.status("md1")["sourceCount"] == 3
    world.remove(PODS, world.obj(PODS, "ns/s1"))
    await world.converge()
    assert world.status("md1")["sourceCount"] == 2
    assert len(counted) > before


async def test_another_analyzer_interface_is_counted_again() -> None:
    # The kept count leaves the analyzer's own interface out: another choice of interface must
    # recount, though no pod changed since.
    world = World()
    self_requesting_analyzer_setup(world)
    source_setup(world)
    counts = SourceCounts(world.view)
    revision = world.view.pods_revision()
    analyzer = PodReference(namespace="ns", name="a")
    assert counts.count("md1", _Analyzer(analyzer, "eth0")) == 1
    assert counts.count("md1", _Analyzer(analyzer, "net1")) == 2
    assert counts.count("md1", _Analyzer(None, None)) == 2
    assert counts.count("md1", None) == 2
    assert counts.count("md1", _Analyzer(analyzer, "eth0")) == 1
    assert world.view.pods_revision() == revision
