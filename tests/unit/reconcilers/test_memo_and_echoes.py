"""The fan-out's savings: destination outcomes reused while their inputs keep their versions,
and our own writes' watch echoes told apart from other changes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mirrorctl.client.resources import PODS
from mirrorctl.mirroring import keys
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcilers.echoes import OwnWrites, ignore_echoes
from mirrorctl.reconcilers.notices import Notices
from mirrorctl.reconcilers.resolve import DestinationResolver, resolve_destination
from mirrorctl.reconcilers.source_pod import SourcePodReconciler
from mirrorctl.reconcilers.writer import ObjectWriter
from mirrorctl.reconcilers.written import WrittenObjects
from tests.unit.mirroring import builders as b
from tests.unit.reconcilers.scenario import ANALYZER_IP, RI, analyzer_setup, source_setup
from tests.unit.reconcilers.world import R, World

VMI = R.virtual_machine_interfaces
MD = R.mirror_destinations
MIRROR_LABEL = keys.MIRROR_DESTINATION
CONFIGURATION = keys.MIRRORING_CONFIGURATION


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


def _labelled(version: str, key: str = "x", **labels: str) -> dict[str, Any]:
    return {
        **_vmi(version, key),
        "spec": {"mac": "m"},
        "metadata": {**_vmi(version, key)["metadata"], "labels": labels},
    }


MINE = {"metadata": {"labels": {"mine": "new"}}}


def _wrote(writes: OwnWrites, base: str, result: str, key: str = "x") -> None:
    """Record that MINE, computed from version ``base``, made version ``result``."""
    writes.record(VMI, f"ns/{key}", _labelled(base, key), MINE, _labelled(result, key, mine="new"))


def test_only_the_update_a_write_left_behind_is_an_echo() -> None:
    writes = OwnWrites()
    _wrote(writes, "6", "7")
    news = ignore_echoes(writes, VMI)
    assert not news.update(_labelled("6"), _labelled("7", mine="new"))
    assert news.update(_labelled("7", mine="new"), _labelled("8", mine="new"))  # after ours
    assert news.update(_labelled("5"), _labelled("6"))
    resync = _labelled("7", mine="new")
    assert news.update(resync, resync)
    assert news.create(resync)
    assert news.delete(resync)
    assert ignore_echoes(writes, R.virtual_machines).update(_labelled("6"), resync)
    assert news.update(_labelled("6", "y"), _labelled("7", "y", mine="new"))


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def test_an_echo_too_deep_to_compare_is_taken_as_news() -> None:
    # A custom resource may nest 10,000 levels; comparing that exceeds Python's recursion
    # limit, which must cost a redundant reconcile, not the event.
    writes = OwnWrites()
    _wrote(writes, "6", "7")
    old, new = _labelled("6"), _labelled("7", mine="new")
    old["spec"]["junk"], new["spec"]["junk"] = _nested(5000), _nested(5000)
    assert ignore_echoes(writes, VMI).update(old, new)


def test_an_echo_after_another_writers_version_is_news() -> None:
    # Our patch was computed from 6, but the apiserver applied it to 6.5, another writer's
    # version the cache showed first: a reconcile may have read 6.5, without our write.
    writes = OwnWrites()
    _wrote(writes, "6", "8")
    news = ignore_echoes(writes, VMI)
    assert news.update(_labelled("7", theirs="t"), _labelled("8", theirs="t", mine="new"))


def test_a_relisted_echo_that_carries_another_change_is_news() -> None:
    # After a relist the informer reports 6 -> 8 at once, though 7 (another writer's) came
    # between: the update carries more than our patch.
    writes = OwnWrites()
    _wrote(writes, "6", "8")
    news = ignore_echoes(writes, VMI)
    assert news.update(_labelled("6"), _labelled("8", theirs="t", mine="new"))
    assert news.update(_labelled("6"), {**_labelled("8", mine="new"), "spec": {"mac": "n"}})
    assert not news.update(_labelled("6"), _labelled("8", mine="new"))


def test_own_writes_keep_the_latest_write_and_are_bounded() -> None:
    writes = OwnWrites(limit=2)
    _wrote(writes, "6", "7")
    _wrote(writes, "8", "9")
    assert not writes.is_echo(VMI, _labelled("7", mine="new"), _labelled("6"))
    assert writes.is_echo(VMI, _labelled("9", mine="new"), _labelled("8"))
    _wrote(writes, "1", "10", "y")
    _wrote(writes, "1", "11", "z")
    assert len(writes) == 2
    assert not writes.is_echo(VMI, _labelled("9", mine="new"), _labelled("8"))
    with pytest.raises(ValueError, match="at least 1"):
        OwnWrites(limit=0)


def test_an_echo_that_overtakes_the_reply_is_its_patch_applied_to_the_old_version() -> None:
    writes = OwnWrites()
    news = ignore_echoes(writes, VMI)
    patch = {"metadata": {"labels": {"mine": "new", "gone": None}}}
    before = _labelled("6", mine="old", gone="x", theirs="t")
    writes.sending(VMI, "ns/x", before, patch)
    assert not news.update(before, _labelled("7", mine="new", theirs="t"))
    # Anything more than the patch is news: another writer's key, our key set otherwise,
    # or a change elsewhere in the object.
    assert news.update(before, _labelled("7", mine="new", theirs="u"))
    assert news.update(before, _labelled("7", mine="other", theirs="t"))
    assert news.update(before, {**_labelled("7", mine="new", theirs="t"), "spec": {"mac": "n"}})
    # So is the patch applied to a version it was not computed from.
    other = _labelled("6b", mine="old", gone="x", theirs="t")
    assert news.update(other, _labelled("7", mine="new", theirs="t"))
    writes.sent(VMI, "ns/x", patch)
    assert news.update(before, _labelled("7", mine="new", theirs="t"))  # answered: news
    assert before == _labelled("6", mine="old", gone="x", theirs="t")  # left unchanged
    assert patch == {"metadata": {"labels": {"mine": "new", "gone": None}}}


def test_only_the_patch_in_flight_counts() -> None:
    writes = OwnWrites()
    first, second = {"metadata": {"labels": {"mine": "1"}}}, {"metadata": {"labels": {"mine": "2"}}}
    base = _labelled("6", mine="0")
    writes.sending(VMI, "ns/x", base, first)
    writes.sending(VMI, "ns/x", base, second)
    writes.sent(VMI, "ns/x", first)  # an older reply does not end the newer patch
    assert writes.is_echo(VMI, _labelled("7", mine="2"), base)
    assert not writes.is_echo(VMI, _labelled("7", mine="1"), base)
    assert not writes.is_echo(VMI, _labelled("7", mine="2"))  # no old version: unknown
    writes.sent(VMI, "ns/x", second)
    assert not writes.is_echo(VMI, _labelled("7", mine="2"), base)


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
    before = world.obj(VMI, "ns/s-eth0")
    await source.reconcile(Request(name="s", namespace="ns"))
    assert seen == [True]
    assert not writes._in_flight
    assert writes.is_echo(VMI, world.obj(VMI, "ns/s-eth0"), before)
    assert not writes.is_echo(VMI, world.obj(VMI, "ns/a-eth0"), world.obj(VMI, "ns/a-eth0"))


def test_the_echo_of_an_answered_write_drops_its_answer_undecoded() -> None:
    written = WrittenObjects()
    writes = OwnWrites(written=written)
    news = ignore_echoes(writes, VMI)
    base = _labelled("6")
    # Not JSON: decoding it would drop the entry too, so the test asks that nobody tried.
    answer = b"never decoded"
    written.remember(VMI, "ns/x", base, answer)
    writes.record(VMI, "ns/x", base, MINE, answer)
    assert news.update(base, _labelled("7", theirs="t", mine="new"))  # news: kept
    assert len(written) == 1
    assert not news.update(base, _labelled("7", mine="new"))
    assert len(written) == 0
    assert written._written == {}


def test_a_patch_whose_echo_came_first_says_so_when_answered() -> None:
    writes = OwnWrites(written=WrittenObjects())
    base, echo = _labelled("6"), _labelled("7", mine="new")
    writes.sending(VMI, "ns/x", base, MINE)
    assert not writes.is_echo(VMI, _labelled("7", mine="new", theirs="t"), base)
    assert writes.sent(VMI, "ns/x", MINE) is False  # no echo yet
    writes.sending(VMI, "ns/x", base, MINE)
    assert writes.is_echo(VMI, echo, base)
    assert writes.is_echo(VMI, _labelled("7", mine="new"), base)  # an equal event: the same
    assert writes.sent(VMI, "ns/x", {"metadata": {}}) is False  # another patch's answer
    assert writes.sent(VMI, "ns/x", MINE) is True
    assert writes.sent(VMI, "ns/x", MINE) is False
    assert len(writes) == 0


async def _source_writer_world() -> tuple[World, WrittenObjects, OwnWrites, SourcePodReconciler]:
    """A converged world and a source reconciler whose writer keeps its own writes there."""
    world = World()
    analyzer_setup(world)
    source_setup(world)
    await world.converge()
    written = world.view.written
    writes = OwnWrites(written=written)
    writer = ObjectWriter(world, written, world.keymap, own_writes=writes)
    return world, written, writes, SourcePodReconciler(world.view, writer, Notices(world))


async def test_a_write_whose_echo_overtook_its_reply_keeps_nothing() -> None:
    # The watch and the PATCH travel on different connections: the cache may hold what the
    # patch made before its reply arrives, and then there is nothing to remember.
    world, written, writes, source = await _source_writer_world()
    real_patch = world.patch
    before = world.obj(VMI, "ns/s-eth0")
    echoed: list[bool] = []

    async def patch_echoed_first(*args: Any, **kwargs: Any) -> dict[str, Any]:
        answer = await real_patch(*args, **kwargs)
        echoed.append(writes.is_echo(VMI, world.server[VMI]["ns/s-eth0"], before))
        return answer

    world.patch = patch_echoed_first  # type: ignore[method-assign]
    world.put(R.instance_ips, b.iip("a-eth0-ip", "10.0.0.79", vmi_name="a-eth0", family="v4"))
    await source.reconcile(Request(name="s", namespace="ns"))
    assert echoed == [True]
    assert len(written) == 0
    assert len(writes) == 0


async def test_the_source_writers_answers_go_with_their_echoes() -> None:
    world, written, writes, source = await _source_writer_world()
    world.put(R.instance_ips, b.iip("a-eth0-ip", "10.0.0.78", vmi_name="a-eth0", family="v4"))
    before = world.obj(VMI, "ns/s-eth0")
    world.stale = True  # the cache has not seen the write yet: the answer stands in
    await source.reconcile(Request(name="s", namespace="ns"))
    assert len(written) == 1
    after = world.server[VMI]["ns/s-eth0"]
    assert writes.is_echo(VMI, after, before)
    assert len(written) == 0


def test_an_event_is_judged_once_for_all_the_controllers_sharing_the_predicate() -> None:
    judged: list[object] = []

    class Counting(OwnWrites):
        def is_echo(self, res: Any, obj: Any, old: Any = None) -> bool:
            judged.append(obj)
            return super().is_echo(res, obj, old)

    writes = Counting()
    _wrote(writes, "6", "7")
    news = ignore_echoes(writes, VMI)
    echo, other = _labelled("7", mine="new"), _labelled("8", mine="new")
    assert [news.update(_labelled("6"), echo) for _ in range(3)] == [False] * 3
    assert [news.update(echo, other) for _ in range(3)] == [True] * 3
    assert judged == [echo, other]
    assert not news.update(_labelled("6"), _labelled("7", mine="new"))  # another, equal event
    assert len(judged) == 3


def test_a_status_patch_in_flight_leaves_the_old_version_untouched() -> None:
    writes = OwnWrites()
    patch = {"status": {"state": "Success"}}
    before = {**_vmi("6"), "status": {"state": "Pending"}}
    kept = copy.deepcopy(before)
    writes.sending(VMI, "ns/x", before, patch)
    assert writes.is_echo(VMI, {**_vmi("7"), "status": {"state": "Success"}}, before)
    assert not writes.is_echo(VMI, {**_vmi("7"), "status": {"state": "Failure"}}, before)
    assert before == kept


async def test_a_write_applied_over_an_unseen_version_is_undone_when_its_request_goes() -> None:
    # kube-manager updates the VMI (version A, not yet in the cache); the source reconcile,
    # computed from the version before, is applied on top of A (version B). The watch then
    # delivers A, and the pod goes: the reconcile must see B through A, or the label and the
    # configuration it wrote stay on the VMI with nothing to take them off.
    world = World()
    analyzer_setup(world)
    source_setup(world)
    key = "ns/s-eth0"
    theirs = copy.deepcopy(world.obj(VMI, key))
    theirs["metadata"]["annotations"]["kube-manager"] = "touched"
    seen_later = world.write_unseen(VMI, theirs)
    world.stale = True
    await world.source.reconcile(Request(name="s", namespace="ns"))
    assert world.labels(VMI, key)[MIRROR_LABEL] == "md1"
    world.stale = False
    world.deliver(VMI, seen_later)
    world.remove(PODS, world.obj(PODS, "ns/s"))
    await world.source.reconcile(Request(name="s", namespace="ns"))
    assert MIRROR_LABEL not in world.labels(VMI, key)
    assert CONFIGURATION not in world.annotations(VMI, key)
    assert world.annotations(VMI, key)["kube-manager"] == "touched"


async def test_a_status_written_over_an_unseen_version_is_corrected_when_its_count_changes() -> (
    None
):
    world = World()
    analyzer_setup(world)
    await world.converge()
    source_setup(world)
    theirs = copy.deepcopy(world.obj(MD, "md1"))
    theirs["metadata"].setdefault("annotations", {})["note"] = "someone's"
    seen_later = world.write_unseen(MD, theirs)
    world.stale = True
    await world.destination.reconcile(Request(name="md1"))
    assert world.obj(MD, "md1")["status"]["sourceCount"] == 1
    world.stale = False
    world.deliver(MD, seen_later)
    world.remove(PODS, world.obj(PODS, "ns/s"))
    await world.destination.reconcile(Request(name="md1"))
    assert world.obj(MD, "md1")["status"]["sourceCount"] == 0
