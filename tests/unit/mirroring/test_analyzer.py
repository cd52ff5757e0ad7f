from __future__ import annotations

import itertools
from typing import Any

from mirrorctl.mirroring import keys
from mirrorctl.mirroring.analyzer import find_analyzer

from .builders import pod

SEL = {keys.ANALYZER_POD: "analyzer"}
MARK = {keys.ANALYZER_INTERFACE: "true"}


def analyzer(name: str, created: str, namespace: str = "ns", **kw: Any) -> dict[str, Any]:
    kw.setdefault("annotations", MARK)
    return pod(name, namespace, created=created, labels=SEL, **kw)


def test_no_pods() -> None:
    search = find_analyzer("analyzer", [])
    assert search.chosen is None
    assert search.others == ()
    assert search.unmarked == ()


def test_selector_must_match_label_value() -> None:
    pods = [
        pod("x", labels={keys.ANALYZER_POD: "other"}, annotations=MARK),
        pod("y", annotations=MARK),
    ]
    assert find_analyzer("analyzer", pods).chosen is None


def test_oldest_pod_wins_whatever_the_order() -> None:
    pods = [
        analyzer("young", "2024-03-01T00:00:00Z"),
        analyzer("old", "2024-01-01T00:00:00Z"),
        analyzer("middle", "2024-02-01T00:00:00Z", namespace="other"),
    ]
    for order in itertools.permutations(pods):
        search = find_analyzer("analyzer", order)
        assert search.chosen is not None
        assert search.chosen.name == "old"
        assert [c.label for c in search.others] == ["other/middle eth0", "ns/young eth0"]
    notes = find_analyzer("analyzer", pods).notes()
    assert notes == (
        "2 other analyzer interface(s) match and are not used (the oldest pod wins): "
        "other/middle eth0, ns/young eth0",
    )


def test_same_age_breaks_ties_by_namespace_and_name() -> None:
    pods = [analyzer("b", "2024-01-01T00:00:00Z"), analyzer("a", "2024-01-01T00:00:00Z")]
    chosen = find_analyzer("analyzer", pods).chosen
    assert chosen is not None
    assert chosen.name == "a"


def test_lowest_interface_index_wins_within_a_pod() -> None:
    p = analyzer(
        "p",
        "2024-01-01T00:00:00Z",
        annotations={},
        networks=[
            {"name": "a"},
            {"name": "b", "cni-args": {keys.ANALYZER_INTERFACE: "true"}},
            {"name": "c", "cni-args": {keys.ANALYZER_INTERFACE: "true"}},
        ],
    )
    search = find_analyzer("analyzer", [p])
    assert search.chosen is not None
    assert search.chosen.interface.name == "eth2"
    assert [c.label for c in search.others] == ["ns/p eth3"]


def test_secondary_overrides_default_and_says_so() -> None:
    p = analyzer(
        "p",
        "2024-01-01T00:00:00Z",
        networks=[{"name": "a", "cni-args": {keys.ANALYZER_INTERFACE: "true"}}],
    )
    search = find_analyzer("analyzer", [p])
    assert search.chosen is not None
    assert search.chosen.interface.name == "eth1"
    assert search.others == ()
    assert search.notes() == (
        "pod ns/p marks both its default and a secondary interface as analyzer interface; "
        "the secondary eth1 is used",
    )


def test_unmarked_and_dead_pods() -> None:
    pods = [
        analyzer("unmarked", "2024-01-01T00:00:00Z", annotations={}),
        analyzer("host", "2024-01-01T00:00:00Z", host_network=True),
        analyzer("done", "2024-01-01T00:00:00Z", phase="Succeeded"),
        analyzer("failed", "2024-01-01T00:00:00Z", phase="Failed"),
        analyzer("deleting", "2024-01-01T00:00:00Z", deleting=True),
    ]
    search = find_analyzer("analyzer", pods)
    assert search.chosen is None
    assert search.unmarked == ("ns/unmarked",)


def test_pending_pods_count() -> None:
    search = find_analyzer("analyzer", [analyzer("p", "2024-01-01T00:00:00Z", phase="Pending")])
    assert search.chosen is not None


def test_annotation_problems_are_collected() -> None:
    p = analyzer("p", "2024-01-01T00:00:00Z", annotations={keys.ANALYZER_INTERFACE: "maybe"})
    search = find_analyzer("analyzer", [p])
    assert search.chosen is None
    assert search.unmarked == ("ns/p",)
    assert len(search.problems) == 1


def test_pods_without_timestamp_sort_last() -> None:
    undated = analyzer("a", "")
    dated = analyzer("z", "2030-01-01T00:00:00Z")
    chosen = find_analyzer("analyzer", [undated, dated]).chosen
    assert chosen is not None
    assert chosen.name == "z"
