from __future__ import annotations

import orjson
import pytest

from mirrorctl.mirroring.errors import AnnotationError
from mirrorctl.mirroring.networks import MAX_NETWORKS, NetworkSelection, parse_networks


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("", (), id="empty"),
        pytest.param("  ", (), id="blank"),
        pytest.param("[]", (), id="empty-list"),
        pytest.param("net-a", (NetworkSelection("net-a", "pod-ns"),), id="short-name"),
        pytest.param("other/net-a", (NetworkSelection("net-a", "other"),), id="short-namespaced"),
        pytest.param(
            "other/net-a@net0, net-b",
            (NetworkSelection("net-a", "other", "net0"), NetworkSelection("net-b", "pod-ns")),
            id="short-list-with-interface",
        ),
        pytest.param(
            '[{"name": "net-a"}, {"name": "net-b", "namespace": "other", "interface": "mon0"}]',
            (NetworkSelection("net-a", "pod-ns"), NetworkSelection("net-b", "other", "mon0")),
            id="json",
        ),
        pytest.param(
            '[{"name": "net-a", "cni-args": {"core.juniper.net/mirror-destination": "md1"}}]',
            (
                NetworkSelection(
                    "net-a", "pod-ns", None, {"core.juniper.net/mirror-destination": "md1"}
                ),
            ),
            id="json-cni-args",
        ),
        pytest.param(
            '[{"name": "net-a", "cni-args": null, "ips": ["10.1.1.1"], "mac": "x"}]',
            (NetworkSelection("net-a", "pod-ns"),),
            id="json-extra-fields-ignored",
        ),
    ],
)
def test_parse_networks(value: str, expected: tuple[NetworkSelection, ...]) -> None:
    assert parse_networks(value, "pod-ns") == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("[{", "is not valid JSON", id="bad-json"),
        pytest.param('{"name": "a"}', "must be a JSON list", id="object-not-list"),
        pytest.param('["net-a"]', "entry 1 must be an object", id="string-entry"),
        pytest.param('[{"namespace": "x"}]', "entry 1 has no 'name'", id="no-name"),
        pytest.param('[{"name": ""}]', "entry 1 has no 'name'", id="empty-name"),
        pytest.param('[{"name": 5}]', "entry 1 has no 'name'", id="number-name"),
        pytest.param(
            '[{"name": "Net_A"}]', "entry 1 network name 'Net_A' is not a valid", id="bad-name"
        ),
        pytest.param('[{"name": "nét"}]', "is not a valid name", id="unicode-name"),
        pytest.param(
            '[{"name": "a", "namespace": ""}]', "'namespace' must be a non-empty", id="empty-ns"
        ),
        pytest.param(
            '[{"name": "a", "interface": 3}]', "'interface' must be a string", id="if-type"
        ),
        pytest.param(
            '[{"name": "a", "interface": "an-interface-name-too-long"}]',
            "is not a valid interface name",
            id="if-too-long",
        ),
        pytest.param('[{"name": "a", "cni-args": []}]', "'cni-args' must be an object", id="args"),
        pytest.param("a/b/c", "must look like", id="short-too-many-slashes"),
        pytest.param("net-a@", "must look like", id="short-empty-interface"),
        pytest.param("net-a,,net-b", "entry 2 ('')", id="short-empty-entry"),
        pytest.param("/net-a", "namespace", id="short-empty-namespace"),
        pytest.param("x" * 300, "300 characters long", id="oversized"),
    ],
)
def test_parse_networks_rejects(value: str, message: str) -> None:
    with pytest.raises(AnnotationError) as caught:
        parse_networks(value, "pod-ns")
    assert message in caught.value.message
    assert caught.value.message.startswith("annotation k8s.v1.cni.cncf.io/networks: ")
    assert caught.value.reason == "InvalidPodAnnotation"


@pytest.mark.parametrize("json_form", [False, True], ids=["short", "json"])
def test_at_most_max_networks_are_read(json_form: bool) -> None:
    def annotation(count: int) -> str:
        if json_form:
            return orjson.dumps([{"name": f"n{i}"} for i in range(count)]).decode()
        return ",".join(f"n{i}" for i in range(count))

    assert len(parse_networks(annotation(MAX_NETWORKS), "pod-ns")) == MAX_NETWORKS
    # A pod's author can fill 256 KiB with entries; the count is refused before any is read.
    count = 40_000
    with pytest.raises(AnnotationError, match=f"lists {count} networks; .* at most {MAX_NETWORKS}"):
        parse_networks(annotation(count), "pod-ns")
