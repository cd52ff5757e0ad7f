"""`ValuePool` and the trimmer's use of it: repeated values are kept once, unique ones are not
remembered beyond the candidate queue, and trimmed objects stay equal to their input."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from mirrorctl.reconcilers.sharing import ValuePool
from mirrorctl.reconcilers.trim import trimmer


def fresh(text: str) -> str:
    """An equal string that is a distinct object (what two parses of one value give)."""
    copy: str = orjson.loads(orjson.dumps(text))
    return copy


def test_a_value_is_shared_from_its_second_sighting() -> None:
    pool = ValuePool()
    first, second, third = (
        fresh("default-network"),
        fresh("default-network"),
        fresh("default-network"),
    )
    assert pool.text(first) is first
    assert len(pool) == 0
    assert pool.text(second) is second
    assert len(pool) == 1
    assert pool.text(third) is second


def test_unique_values_are_forgotten_once_the_candidate_queue_is_full() -> None:
    pool = ValuePool(candidates=3)
    for i in range(10):
        pool.text(f"uid-{i}")
    assert len(pool) == 0
    early = fresh("uid-0")
    assert pool.text(early) is early  # evicted: a first sighting again
    assert len(pool) == 0


def test_a_full_pool_starts_over() -> None:
    pool = ValuePool(limit=2)
    kept = {}
    for value in ("a", "b", "c"):
        pool.text(fresh(value))
        kept[value] = pool.text(fresh(value))
    assert len(pool) == 1  # "a" and "b" were let go when "c" came
    assert pool.text(fresh("c")) is kept["c"]
    again = fresh("a")
    assert pool.text(again) is again  # a first sighting once more


def test_equal_containers_are_shared_whole() -> None:
    pool = ValuePool()
    ref: dict[str, Any] = {"name": "pod-net", "fqName": ["default-domain", "ns", "pod-net"]}
    copies = [orjson.loads(orjson.dumps(ref)) for _ in range(3)]
    shared = [pool.share(c) for c in copies]
    assert shared[0] == ref
    assert shared[2] is shared[1]
    assert shared[2]["fqName"] is shared[1]["fqName"]


def test_non_json_values_are_kept_as_they_are() -> None:
    pool = ValuePool()
    marker = object()
    assert pool.share([marker])[0] is marker
    assert pool.share({"n": 1, "f": 1.5, "b": True, "z": None}) == {
        "n": 1,
        "f": 1.5,
        "b": True,
        "z": None,
    }


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="candidates"):
        ValuePool(candidates=0)


def test_trimmed_objects_share_references_and_label_values_but_not_label_maps() -> None:
    pool = ValuePool()
    trim = trimmer({"spec": ("virtualNetworkReference",)}, pool)

    def vmi(i: int) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(
            orjson.dumps(
                {
                    "apiVersion": "core.contrail.juniper.net/v4",
                    "kind": "VirtualMachineInterface",
                    "metadata": {
                        "name": f"vmi-{i}",
                        "uid": f"uid-{i}",
                        "labels": {"network": "pod-net", "pod": f"pod-{i}"},
                        "managedFields": [{"manager": "x"}],
                    },
                    "spec": {
                        "virtualNetworkReference": {"name": "pod-net", "uid": "net-uid"},
                        "unread": "dropped",
                    },
                }
            )
        )
        return parsed

    trimmed = [trim(vmi(i)) for i in range(3)]
    assert trimmed[0]["spec"] == {"virtualNetworkReference": {"name": "pod-net", "uid": "net-uid"}}
    assert "managedFields" not in trimmed[0]["metadata"]
    assert (
        trimmed[2]["spec"]["virtualNetworkReference"]
        is trimmed[1]["spec"]["virtualNetworkReference"]
    )
    assert (
        trimmed[2]["metadata"]["labels"]["network"] is trimmed[1]["metadata"]["labels"]["network"]
    )
    assert trimmed[2]["metadata"]["labels"] is not trimmed[1]["metadata"]["labels"]
    assert trimmed[2]["metadata"]["labels"]["pod"] == "pod-2"


def test_the_same_object_seen_again_is_not_a_repeat() -> None:
    pool = ValuePool()
    first = fresh("02:c4:54:48:ea:31")
    assert pool.text(first, "vmi-uid-1") is first
    again = fresh("02:c4:54:48:ea:31")
    assert pool.text(again, "vmi-uid-1") is again  # its next version: nothing pooled
    assert len(pool) == 0
    other = fresh("02:c4:54:48:ea:31")
    assert pool.text(other, "vmi-uid-2") is other  # a second object: from now on, shared
    assert len(pool) == 1
    assert pool.text(fresh("02:c4:54:48:ea:31"), "vmi-uid-3") is other


def test_a_trimmed_update_of_one_object_pools_nothing_of_its_own() -> None:
    pool = ValuePool()
    trim = trimmer({"spec": ("virtualMachineInterfaceMacAddresses",)}, pool)

    def version(rv: str) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(
            orjson.dumps(
                {
                    "metadata": {
                        "name": "vmi",
                        "uid": "u1",
                        "resourceVersion": rv,
                        "labels": {"pod": "p"},
                    },
                    "spec": {
                        "virtualMachineInterfaceMacAddresses": {"macAddress": ["02:00:00:00:00:01"]}
                    },
                }
            )
        )
        return parsed

    for rv in ("1", "2", "3"):
        trim(version(rv))
    assert len(pool) == 0


def _vmi(uid: str, rv: str, annotations: dict[str, str], mac: str = "02:00:00:00:00:01") -> Any:
    parsed: dict[str, Any] = orjson.loads(
        orjson.dumps(
            {
                "metadata": {
                    "name": "vmi",
                    "namespace": "ns",
                    "uid": uid,
                    "resourceVersion": rv,
                    "labels": {"pod": "p"},
                    "annotations": annotations,
                },
                "spec": {"virtualMachineInterfaceMacAddresses": {"macAddress": [mac]}},
            }
        )
    )
    return parsed


def _cached_trimmer() -> tuple[Any, dict[str, Any]]:
    cache: dict[str, Any] = {}
    trim = trimmer(
        {"spec": ("virtualMachineInterfaceMacAddresses",)}, ValuePool(), previous=cache.get
    )
    return trim, cache


def test_an_update_keeps_the_cached_versions_unchanged_values() -> None:
    trim, cache = _cached_trimmer()
    first = cache["ns/vmi"] = trim(_vmi("u1", "1", {"owner": "pod-p", "config": "old"}))
    second = trim(_vmi("u1", "2", {"owner": "pod-p", "config": "new"}))
    assert second == {
        "apiVersion": None,
        "kind": None,
        "metadata": {
            "name": "vmi",
            "namespace": "ns",
            "uid": "u1",
            "resourceVersion": "2",
            "labels": {"pod": "p"},
            "annotations": {"owner": "pod-p", "config": "new"},
        },
        "spec": {"virtualMachineInterfaceMacAddresses": {"macAddress": ["02:00:00:00:00:01"]}},
    }
    spec, meta = second["spec"], second["metadata"]
    assert (
        spec["virtualMachineInterfaceMacAddresses"]
        is (first["spec"]["virtualMachineInterfaceMacAddresses"])
    )
    assert meta["labels"] is first["metadata"]["labels"]  # unchanged: the map itself
    assert meta["annotations"] is not first["metadata"]["annotations"]
    assert meta["annotations"]["owner"] is first["metadata"]["annotations"]["owner"]


def test_an_update_takes_changed_values_and_a_new_object_nothing_of_the_old() -> None:
    trim, cache = _cached_trimmer()
    first = cache["ns/vmi"] = trim(_vmi("u1", "1", {"owner": "pod-p"}))
    changed = trim(_vmi("u1", "2", {"owner": "pod-q"}, mac="02:00:00:00:00:02"))
    assert changed["spec"]["virtualMachineInterfaceMacAddresses"] == {
        "macAddress": ["02:00:00:00:00:02"]
    }
    assert changed["metadata"]["annotations"] == {"owner": "pod-q"}
    recreated = trim(_vmi("u2", "3", {"owner": "pod-p"}))  # same name, another uid
    assert recreated == {
        **first,
        "metadata": {**first["metadata"], "uid": "u2", "resourceVersion": "3"},
    }
    assert recreated["metadata"]["labels"] is not first["metadata"]["labels"]
    assert (
        recreated["spec"]["virtualMachineInterfaceMacAddresses"]
        is not (first["spec"]["virtualMachineInterfaceMacAddresses"])
    )


@pytest.mark.parametrize("depth", [300, 600, 1000])
def test_values_nested_deeper_than_orjson_writes_are_trimmed_too(depth: int) -> None:
    # orjson reads 1024 levels but writes 254, and the apiserver keeps 10,000: a CN2 object
    # with such a value under a kept field (unknown fields are preserved) must still be cached,
    # or the cache keeps its previous version without a word.
    text = '{"a": ' * depth + "null" + "}" * depth
    vmi = (
        '{"metadata": {"name": "v", "uid": "u1"}, "spec": {"virtualNetworkReference": '
        f'{{"name": "vn", "junk": {text}}}}}}}'
    )
    cache: dict[str, dict[str, Any]] = {}
    trim = trimmer({"spec": ("virtualNetworkReference",)}, previous=cache.get)
    for _ in range(2):  # added, then updated: compared with the cached version
        cache["v"] = trim(orjson.loads(vmi))
        assert cache["v"]["spec"]["virtualNetworkReference"]["name"] == "vn"
