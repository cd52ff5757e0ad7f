"""Key renaming, read-your-writes, merge patch diffs, standing notices, settings, predicates."""

from __future__ import annotations

import copy
import json
from typing import Any

import orjson
import pytest

from mirrorctl.client import json_codec
from mirrorctl.client.resources import PODS
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.reconcilers import written as written_module
from mirrorctl.reconcilers.keymap import KeyMap
from mirrorctl.reconcilers.merge_patch import apply_merge_patch as apply_patch
from mirrorctl.reconcilers.merge_patch import merge_patch
from mirrorctl.reconcilers.notices import WARNING, Notice, Notices
from mirrorctl.reconcilers.predicates import (
    counted_pod_changes,
    destination_changes,
    pod_changes,
)
from mirrorctl.reconcilers.settings import MirroringKeys, MirroringSettings
from mirrorctl.reconcilers.written import WrittenObjects
from tests.unit.reconcilers.world import Event, World, apply_merge_patch

CUSTOM = MirroringKeys(
    analyzer_pod="example.com/analyzer",
    analyzer_interface="example.com/analyzer-if",
    mirror_destination="example.com/mirror-to",
)


def obj(labels: dict[str, str] | None = None, /, **annotations: str) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {"name": "p", "labels": labels or {}, "annotations": annotations},
    }


def test_default_keys_are_the_identity_and_copy_nothing() -> None:
    keymap = KeyMap()
    original = obj({keys.ANALYZER_POD: "x"})
    assert keymap.identity
    assert keymap.canonical_view(original) is original
    patch = {"metadata": {"labels": {keys.ANALYZER_POD: None}}}
    assert keymap.configured_patch(patch) is patch


def test_configured_keys_are_shown_as_the_defaults_and_patched_back() -> None:
    keymap = KeyMap(CUSTOM)
    original = obj(
        {"example.com/analyzer": "sniffer", keys.ANALYZER_POD: "foreign", "app": "web"},
        **{
            "example.com/mirror-to": "md1",
            keys.NETWORKS: orjson.dumps(
                [{"name": "blue", "cni-args": {"example.com/analyzer-if": "true", "k": "v"}}]
            ).decode(),
        },
    )
    view = keymap.canonical_view(original)
    # The canonical key someone else set is hidden; ours shows under the canonical name.
    assert view["metadata"]["labels"] == {keys.ANALYZER_POD: "sniffer", "app": "web"}
    annotations = view["metadata"]["annotations"]
    assert annotations[keys.MIRROR_DESTINATION] == "md1"
    networks = orjson.loads(annotations[keys.NETWORKS])
    assert networks[0]["cni-args"] == {keys.ANALYZER_INTERFACE: "true", "k": "v"}
    assert original["metadata"]["labels"]["example.com/analyzer"] == "sniffer"  # not mutated
    patch = keymap.configured_patch(
        {"metadata": {"labels": {keys.MIRROR_DESTINATION: "md1", keys.ANALYZER_POD: None}}}
    )
    assert patch == {
        "metadata": {"labels": {"example.com/mirror-to": "md1", "example.com/analyzer": None}}
    }


def test_malformed_networks_are_left_for_the_domain_to_report() -> None:
    keymap = KeyMap(CUSTOM)
    view = keymap.canonical_view(obj(**{keys.NETWORKS: "[not json"}))
    assert view["metadata"]["annotations"][keys.NETWORKS] == "[not json"


def test_networks_nested_deeper_than_orjson_writes_still_show_the_default_keys() -> None:
    # orjson reads 1024 levels but writes only 254: the renamed entries cannot be written
    # back, yet the pod's marks must be seen as they are with the default keys.
    deep: Any = "x"
    for _ in range(300):
        deep = [deep]
    args = {keys.MIRROR_DESTINATION: "foreign", "example.com/mirror-to": "md1", "junk": deep}
    text = json.dumps([{"name": "blue", "cni-args": args}])
    view = KeyMap(CUSTOM).canonical_view(obj(**{keys.NETWORKS: text}))
    networks = orjson.loads(view["metadata"]["annotations"][keys.NETWORKS])
    # Ours shows under the default key; the default key someone else set does not.
    assert networks[0]["cni-args"][keys.MIRROR_DESTINATION] == "md1"
    assert networks[0]["cni-args"]["junk"] == deep
    assert [i.mirror_destination for i in pod_interfaces(view).mirror_requests] == ["md1"]


def test_keys_must_be_distinct_and_settings_valid() -> None:
    with pytest.raises(ValueError, match="used twice"):
        MirroringKeys(analyzer_pod=keys.ANALYZER_POD_SELECTOR)
    with pytest.raises(ValueError, match="non-empty"):
        MirroringKeys(mirror_destination=" ")
    with pytest.raises(ValueError, match="workers"):
        MirroringSettings(workers=0)
    with pytest.raises(ValueError, match="API version"):
        MirroringSettings(contrail_api_version="version4")
    with pytest.raises(ValueError, match="namespace"):
        MirroringSettings(namespace="Not_A_Namespace")
    assert CUSTOM.renamed() == {
        keys.ANALYZER_POD: "example.com/analyzer",
        keys.ANALYZER_INTERFACE: "example.com/analyzer-if",
        keys.MIRROR_DESTINATION: "example.com/mirror-to",
    }


def versioned(rv: str, **extra: Any) -> dict[str, Any]:
    return {"metadata": {"name": "x", "resourceVersion": rv}, **extra}


def test_written_objects_stand_in_until_the_cache_catches_up() -> None:
    written = WrittenObjects()
    base, mine = versioned("1"), versioned("2", mine=True)
    written.remember(PODS, "ns/x", base, mine)
    assert written.current(PODS, "ns/x", base) is mine
    # A second write on top of the first: both older versions stand for it.
    newer = versioned("3", newer=True)
    written.remember(PODS, "ns/x", mine, newer)
    assert written.current(PODS, "ns/x", base) is newer
    assert written.current(PODS, "ns/x", mine) is newer
    caught_up = versioned("3")
    assert written.current(PODS, "ns/x", caught_up) is caught_up
    assert len(written) == 0


def test_written_objects_stand_in_for_a_version_between_the_read_and_the_write() -> None:
    # Another writer's version 3 reached the apiserver before our patch, computed from 2, and
    # the cache shows it before our result, 4: that result holds it and our change.
    written = WrittenObjects()
    mine = versioned("4", mine=True)
    written.remember(PODS, "ns/x", versioned("2"), mine)
    assert written.current(PODS, "ns/x", versioned("3", theirs=True)) is mine
    assert written.current(PODS, "ns/x", versioned("10")) == versioned("10")
    assert len(written) == 0


@pytest.mark.parametrize("version", ["", "abc", "3a", "\u0663"])
def test_written_objects_never_order_versions_that_are_not_integers(version: str) -> None:
    written = WrittenObjects()
    written.remember(PODS, "ns/x", versioned("1"), versioned("9", mine=True))
    assert written.current(PODS, "ns/x", versioned(version)) == versioned(version)


def test_written_objects_yield_to_unknown_versions_and_deletion() -> None:
    written = WrittenObjects()
    written.remember(PODS, "ns/x", versioned("1"), versioned("2"))
    other = versioned("7")
    assert written.current(PODS, "ns/x", other) is other
    written.remember(PODS, "ns/x", versioned("1"), versioned("2"))
    assert written.current(PODS, "ns/x", None) is None
    assert len(written) == 0


def test_written_objects_keep_an_answer_undecoded_until_it_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decoded: list[bytes] = []
    real_loads = json_codec.loads

    def loads(data: bytes) -> Any:
        decoded.append(data)
        return real_loads(data)

    monkeypatch.setattr(written_module, "loads", loads)
    written = WrittenObjects()
    answer = orjson.dumps(versioned("2", mine=True))
    written.remember(PODS, "ns/x", versioned("1"), answer)
    assert decoded == []
    first = written.current(PODS, "ns/x", versioned("1"))
    assert first == versioned("2", mine=True)
    assert written.current(PODS, "ns/x", versioned("1")) is first  # decoded once
    assert decoded == [answer]
    # A second write on top of the first: the first's answer says which version it made.
    written.remember(PODS, "ns/x", versioned("2"), orjson.dumps(versioned("3", newer=True)))
    assert written.current(PODS, "ns/x", versioned("1")) == versioned("3", newer=True)


@pytest.mark.parametrize("answer", [b"", b"not json", b"[1, 2]", b'"text"', b"{"])
def test_written_objects_yield_to_the_cache_when_an_answer_is_no_object(answer: bytes) -> None:
    written = WrittenObjects()
    written.remember(PODS, "ns/x", versioned("1"), answer)
    base = versioned("1")
    assert written.current(PODS, "ns/x", base) is base
    assert len(written) == 0
    written.remember(PODS, "ns/x", versioned("1"), answer)
    # Nor does it spoil the next write's bookkeeping.
    written.remember(PODS, "ns/x", versioned("1"), versioned("3", mine=True))
    assert written.current(PODS, "ns/x", base) == versioned("3", mine=True)


def test_written_objects_drop_a_write_caught_up_with_only_if_it_is_the_latest() -> None:
    written = WrittenObjects()
    first, second = orjson.dumps(versioned("2")), orjson.dumps(versioned("3"))
    written.remember(PODS, "ns/x", versioned("1"), first)
    written.caught_up(PODS, "ns/x", orjson.dumps(versioned("2")))  # equal is not the same
    written.caught_up(PODS, "ns/y", first)
    assert len(written) == 1
    written.remember(PODS, "ns/x", versioned("2"), second)
    written.caught_up(PODS, "ns/x", first)  # the echo of the older write
    assert written.current(PODS, "ns/x", versioned("2")) == versioned("3")
    written.remember(PODS, "ns/x", versioned("2"), second)
    written.caught_up(PODS, "ns/x", second)
    assert len(written) == 0


def test_written_objects_are_bounded_dropping_the_oldest_write() -> None:
    written = WrittenObjects(limit=2)
    for name in ("a", "b", "a", "c"):
        written.remember(PODS, f"ns/{name}", versioned("1"), versioned("2", name=name))
    assert len(written) == 2
    assert written.current(PODS, "ns/b", versioned("1")) == versioned("1")  # dropped
    assert written.current(PODS, "ns/a", versioned("1")) == versioned("2", name="a")
    with pytest.raises(ValueError, match="limit"):
        WrittenObjects(limit=0)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ({}, {"a": 1}),
        ({"a": 1}, {}),
        ({"a": 1, "b": {"c": 2, "d": 3}}, {"a": 1, "b": {"c": 2}}),
        ({"a": [1, 2]}, {"a": [2]}),
        ({"a": {"b": 1}}, {"a": 5}),
        ({"a": 5}, {"a": {"b": 1}}),
        ({"s": {"x": {"y": 1}}}, {"s": {"x": {}}}),
    ],
)
def test_merge_patch_takes_old_to_new(old: dict[str, Any], new: dict[str, Any]) -> None:
    patch = merge_patch(old, new)
    before = copy.deepcopy(old)
    assert apply_merge_patch(old, patch) == new
    # The production application agrees with the unit tests' apiserver, and changes nothing.
    assert apply_patch(old, patch) == new
    assert old == before
    assert merge_patch(new, new) == {}


def test_merge_patch_is_minimal() -> None:
    old = {"state": "Pending", "ref": {"name": "a", "uid": "1"}, "gone": 1}
    new = {"state": "Pending", "ref": {"name": "a"}}
    assert merge_patch(old, new) == {"ref": {"uid": None}, "gone": None}


def test_notices_are_recorded_when_they_appear() -> None:
    world = World()
    notices = Notices(world)
    pod = obj()
    a, b = Notice(WARNING, "A", "first"), Notice(WARNING, "B", "second")
    notices.report("ns/p", pod, [a])
    notices.report("ns/p", pod, [a])
    notices.report("ns/p", pod, [a, b])
    notices.report("ns/p", pod, [])
    notices.report("ns/p", pod, [a])
    assert [e.reason for e in world.events] == ["A", "B", "A"]
    assert all(isinstance(e, Event) and e.kind == "Pod" for e in world.events)
    notices.forget("ns/p")
    assert notices.standing("ns/p") == frozenset()


def test_pod_predicate_ignores_status_heartbeats_but_passes_resyncs() -> None:
    old = {"metadata": {"labels": {"a": "1"}}, "status": {"phase": "Running", "x": 1}}
    heartbeat = {"metadata": {"labels": {"a": "1"}}, "status": {"phase": "Running", "x": 2}}
    relabelled = {"metadata": {"labels": {"a": "2"}}, "status": {"phase": "Running"}}
    finished = {"metadata": {"labels": {"a": "1"}}, "status": {"phase": "Succeeded"}}
    assert not pod_changes.update(old, heartbeat)
    assert pod_changes.update(old, relabelled)
    assert pod_changes.update(old, finished)
    assert pod_changes.update(old, old)  # a resync
    assert pod_changes.create(old)
    assert pod_changes.delete(old)


def test_the_destination_controller_sees_a_source_pod_only_when_its_count_may_change() -> None:
    def pod(
        annotations: dict[str, str], labels: dict[str, str] | None = None, phase: str = "Running"
    ) -> dict[str, Any]:
        metadata = {"namespace": "ns", "name": "p", "labels": labels or {}}
        return {"metadata": metadata | {"annotations": annotations}, "status": {"phase": phase}}

    counted = counted_pod_changes(lambda p: p)
    md = keys.MIRROR_DESTINATION
    source = pod({md: "md"})
    assert not counted.update(source, pod({md: "md", "other": "x"}, {"a": "b"}))
    assert counted.update(source, pod({md: "other"}))  # moved
    assert counted.update(source, pod({}))  # withdrawn
    assert counted.update(source, pod({md: "md"}, phase="Succeeded"))  # finished
    assert counted.update(source, source)  # a resync
    assert counted.create(source)
    assert counted.delete(source)
    # An analyzer's relabelling or new annotation may change its destinations' receiver.
    analyzer = pod({}, {keys.ANALYZER_POD: "sel"})
    assert counted.update(analyzer, pod({"x": "y"}, {keys.ANALYZER_POD: "sel"}))
    assert counted.update(pod({}), analyzer)
    heartbeat = pod({}, {keys.ANALYZER_POD: "sel"})
    heartbeat["status"]["conditions"] = [{"type": "Ready"}]
    assert not counted.update(analyzer, heartbeat)


def test_destination_predicate_ignores_our_status_writes() -> None:
    old = {"metadata": {"generation": 1, "labels": {"s": "a"}}, "status": {}}
    status_only = {"metadata": {"generation": 1, "labels": {"s": "a"}}, "status": {"state": "x"}}
    respecced = {"metadata": {"generation": 2, "labels": {"s": "a"}}}
    relabelled = {"metadata": {"generation": 1, "labels": {"s": "b"}}}
    assert not destination_changes.update(old, status_only)
    assert destination_changes.update(old, respecced)
    assert destination_changes.update(old, relabelled)
    assert destination_changes.update(old, old)
