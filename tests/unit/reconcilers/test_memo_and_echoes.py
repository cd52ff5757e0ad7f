"""The fan-out's savings: destination outcomes reused while their inputs keep their versions,
and our own writes' watch echoes told apart from other changes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mirrorctl.client.resources import PODS
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcilers.echoes import OwnWrites, ignore_echoes
from mirrorctl.reconcilers.notices import Notices
from mirrorctl.reconcilers.resolve import DestinationResolver, resolve_destination
from mirrorctl.reconcilers.source_pod import SourcePodReconciler
from mirrorctl.reconcilers.writer import ObjectWriter
from tests.unit.mirroring import builders as b
from tests.unit.reconcilers.scenario import ANALYZER_IP, RI, analyzer_setup, source_setup
from tests.unit.reconcilers.world import R, World

VMI = R.virtual_machine_interfaces


def _md(world: World, name: str = "md1") -> dict[str, Any]:
    obj = world.view.destination(name)
    assert obj is not None
    return obj


def test_an_outcome_is_reused_while_nothing_it_was_resolved_from_changes() -> None:
    world = World()
    analyzer_setup(world)
    resolver = DestinationResolver(world.view)
    first = resolver.resolve(_md(world))
    assert first.receiver is not None
    assert first.receiver.ip_address == ANALYZER_IP
    assert resolver.resolve(_md(world)) is first
    # Objects it never read do not matter.
    world.put(PODS, b.pod("unrelated"))
    assert resolver.resolve(_md(world)) is first


@pytest.mark.parametrize(
    "change",
    ["analyzer vmi mac", "instance ip address", "destination spec", "analyzer pod label"],
)
def test_any_changed_input_resolves_again(change: str) -> None:
    world = World()
    analyzer_setup(world)
    resolver = DestinationResolver(world.view)
    first = resolver.resolve(_md(world))
    if change == "analyzer vmi mac":
        world.put(VMI, b.vmi("a-eth0", pod_name="a", mac="02:00:00:00:00:ff", routing_instance=RI))
    elif change == "instance ip address":
        world.put(R.instance_ips, b.iip("a-eth0-ip", "10.0.0.77", vmi_name="a-eth0", family="v4"))
    elif change == "destination spec":
        world.put(R.mirror_destinations, b.md("md1", {"udpPort": 9999}, selector="sniffer"))
    else:
        pod = copy.deepcopy(world.obj(PODS, "ns/a"))
        pod["metadata"]["labels"] = {}
        world.put(PODS, pod)
    again = resolver.resolve(_md(world))
    assert again is not first
    assert again == resolve_destination(world.view, _md(world))
    assert again.configuration == resolve_destination(world.view, _md(world)).configuration


def test_a_notified_resolver_reads_the_inputs_again_only_when_told() -> None:
    world = World()
    analyzer_setup(world)
    resolver = DestinationResolver(world.view, notified=True)
    first = resolver.resolve(_md(world))
    world.put(R.instance_ips, b.iip("a-eth0-ip", "10.0.0.77", vmi_name="a-eth0", family="v4"))
    assert resolver.resolve(_md(world)) is first  # nobody said the inputs changed
    resolver.forget("md2")
    assert resolver.resolve(_md(world)) is first
    resolver.forget("md1")
    moved = resolver.resolve(_md(world))
    assert moved.receiver is not None
    assert moved.receiver.ip_address == "10.0.0.77"
    world.put(R.instance_ips, b.iip("a-eth0-ip", "10.0.0.78", vmi_name="a-eth0", family="v4"))
    resolver.forget_all()
    assert resolver.resolve(_md(world)).receiver.ip_address == "10.0.0.78"  # type: ignore[union-attr]
    # A destination's own change needs no notice: its resourceVersion tells.
    world.put(R.mirror_destinations, b.md("md1", {"udpPort": 9999}, selector="sniffer"))
    assert resolver.resolve(_md(world)).configuration != moved.configuration


def test_objects_without_a_resource_version_are_never_trusted_to_be_unchanged() -> None:
    world = World()
    analyzer_setup(world)
    vmi = copy.deepcopy(world.obj(VMI, "ns/a-eth0"))
    del vmi["metadata"]["resourceVersion"]
    world.stores[VMI].set("ns/a-eth0", vmi)
    resolver = DestinationResolver(world.view)
    first = resolver.resolve(_md(world))
    assert first.receiver is not None
    assert resolver.resolve(_md(world)) is not first


def test_an_invalid_destination_is_remembered_as_invalid_until_it_changes() -> None:
    world = World()
    analyzer_setup(world)
    world.put(R.mirror_destinations, b.md("md1", {"udpPort": "nope"}, selector="sniffer"))
    resolver = DestinationResolver(world.view)
    first = resolver.resolve(_md(world))
    assert first.destination is None
    assert first.configuration is None
    assert resolver.resolve(_md(world)) is first
    world.put(R.mirror_destinations, b.md("md1", selector="sniffer"))
    assert resolver.resolve(_md(world)).receiver is not None


def test_the_memo_is_bounded() -> None:
    world = World()
    analyzer_setup(world)
    world.put(R.mirror_destinations, b.md("md2", selector="sniffer"))
    resolver = DestinationResolver(world.view, limit=1)
    first = resolver.resolve(_md(world, "md1"))
    resolver.resolve(_md(world, "md2"))
    assert resolver.resolve(_md(world, "md1")) is not first


def _vmi(version: str, key: str = "x") -> dict[str, Any]:
    return {"metadata": {"namespace": "ns", "name": key, "resourceVersion": version}}


def test_only_the_update_a_write_left_behind_is_an_echo() -> None:
    writes = OwnWrites()
    writes.record(VMI, "ns/x", _vmi("7"))
    news = ignore_echoes(writes, VMI)
    assert not news.update(_vmi("6"), _vmi("7"))
    assert news.update(_vmi("7"), _vmi("8"))  # someone else's change after ours
    assert news.update(_vmi("5"), _vmi("6"))
    resync = _vmi("7")
    assert news.update(resync, resync)
    assert news.create(_vmi("7"))
    assert news.delete(_vmi("7"))
    assert ignore_echoes(writes, R.virtual_machines).update(_vmi("6"), _vmi("7"))
    assert news.update(_vmi("6", "y"), _vmi("7", "y"))


def test_own_writes_keep_the_latest_version_and_are_bounded() -> None:
    writes = OwnWrites(limit=2)
    writes.record(VMI, "ns/x", _vmi("7"))
    writes.record(VMI, "ns/x", _vmi("9"))
    assert not writes.is_echo(VMI, _vmi("7"))
    assert writes.is_echo(VMI, _vmi("9"))
    writes.record(VMI, "ns/y", _vmi("10", "y"))
    writes.record(VMI, "ns/z", _vmi("11", "z"))
    assert len(writes) == 2
    assert not writes.is_echo(VMI, _vmi("9"))
    with pytest.raises(ValueError, match="at least 1"):
        OwnWrites(limit=0)


def _labelled(version: str, **labels: str) -> dict[str, Any]:
    return {
        **_vmi(version),
        "spec": {"mac": "m"},
        "metadata": {**_vmi(version)["metadata"], "labels": labels},
    }


def test_an_echo_that_overtakes_the_reply_is_its_patch_applied_to_the_old_version() -> None:
    writes = OwnWrites()
    news = ignore_echoes(writes, VMI)
    patch = {"metadata": {"labels": {"mine": "new", "gone": None}}}
    before = _labelled("6", mine="old", gone="x", theirs="t")
    writes.sending(VMI, "ns/x", patch)
    assert not news.update(before, _labelled("7", mine="new", theirs="t"))
    # Anything more than the patch is news: another writer's key, our key set otherwise,
    # or a change elsewhere in the object.
    assert news.update(before, _labelled("7", mine="new", theirs="u"))
    assert news.update(before, _labelled("7", mine="other", theirs="t"))
    assert news.update(before, {**_labelled("7", mine="new", theirs="t"), "spec": {"mac": "n"}})
    writes.sent(VMI, "ns/x", patch)
    assert news.update(before, _labelled("7", mine="new", theirs="t"))  # answered: news
    assert before == _labelled("6", mine="old", gone="x", theirs="t")  # left unchanged
    assert patch == {"metadata": {"labels": {"mine": "new", "gone": None}}}


def test_only_the_patch_in_flight_counts() -> None:
    writes = OwnWrites()
    first, second = {"metadata": {"labels": {"mine": "1"}}}, {"metadata": {"labels": {"mine": "2"}}}
    writes.sending(VMI, "ns/x", first)
    writes.sending(VMI, "ns/x", second)
    writes.sent(VMI, "ns/x", first)  # an older reply does not end the newer patch
    assert writes.is_echo(VMI, _labelled("7", mine="2"), _labelled("6", mine="0"))
    assert not writes.is_echo(VMI, _labelled("7", mine="1"), _labelled("6", mine="0"))
    assert not writes.is_echo(VMI, _labelled("7", mine="2"))  # no old version: unknown
    writes.sent(VMI, "ns/x", second)
    assert not writes.is_echo(VMI, _labelled("7", mine="2"), _labelled("6", mine="0"))


async def test_the_source_writer_holds_its_patch_in_flight_then_records_its_reply() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world)
    await world.converge()
    writes = OwnWrites()
    writer = ObjectWriter(world, world.view.written, world.keymap, own_writes=writes)
    seen: list[bool] = []
    real_patch = world.patch

    async def patch(*args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(bool(writes._in_flight))
        return await real_patch(*args, **kwargs)

    world.patch = patch  # type: ignore[method-assign]
    source = SourcePodReconciler(world.view, writer, Notices(world))
    world.put(R.instance_ips, b.iip("a-eth0-ip", "10.0.0.77", vmi_name="a-eth0", family="v4"))
    await source.reconcile(Request(name="s", namespace="ns"))
    assert seen == [True]
    assert not writes._in_flight
    assert writes.is_echo(VMI, world.obj(VMI, "ns/s-eth0"))
    assert not writes.is_echo(VMI, world.obj(VMI, "ns/a-eth0"))


def test_an_event_is_judged_once_for_all_the_controllers_sharing_the_predicate() -> None:
    judged: list[object] = []

    class Counting(OwnWrites):
        def is_echo(self, res: Any, obj: Any, old: Any = None) -> bool:
            judged.append(obj)
            return super().is_echo(res, obj, old)

    writes = Counting()
    writes.record(VMI, "ns/x", _vmi("7"))
    news = ignore_echoes(writes, VMI)
    echo, other = _vmi("7"), _vmi("8")
    assert [news.update(_vmi("6"), echo) for _ in range(3)] == [False] * 3
    assert [news.update(echo, other) for _ in range(3)] == [True] * 3
    assert judged == [echo, other]
    assert not news.update(_vmi("6"), _vmi("7"))  # an equal object is another event
    assert len(judged) == 3


def test_a_status_patch_in_flight_leaves_the_old_version_untouched() -> None:
    writes = OwnWrites()
    patch = {"status": {"state": "Success"}}
    before = {**_vmi("6"), "status": {"state": "Pending"}}
    kept = copy.deepcopy(before)
    writes.sending(VMI, "ns/x", patch)
    assert writes.is_echo(VMI, {**_vmi("7"), "status": {"state": "Success"}}, before)
    assert not writes.is_echo(VMI, {**_vmi("7"), "status": {"state": "Failure"}}, before)
    assert before == kept
