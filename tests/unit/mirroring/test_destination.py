from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.mirroring import keys
from mirrorctl.mirroring.destination import analyzer_display, parse_mirror_destination
from mirrorctl.mirroring.errors import SpecError

from .builders import md


def test_parses_identity_selector_and_spec() -> None:
    d = parse_mirror_destination(md("md1", {"udpPort": 9000}, generation=3))
    assert (d.name, d.uid, d.generation, d.selector) == ("md1", "uid-md-md1", 3, "analyzer")
    assert d.spec.udp_port == 9000
    assert d.display == "analyzer"


def test_external_needs_no_selector() -> None:
    d = parse_mirror_destination(
        md("ext", {"externalAnalyzer": True, "analyzerIP": "192.0.2.1"}, selector=None)
    )
    assert d.selector is None
    assert d.display == "192.0.2.1"


@pytest.mark.parametrize(
    ("obj", "fragments"),
    [
        pytest.param(
            md(selector=None),
            [f"metadata.labels: label {keys.ANALYZER_POD_SELECTOR} is required"],
            id="no-selector",
        ),
        pytest.param(
            md(selector=""),
            [f"metadata.labels: label {keys.ANALYZER_POD_SELECTOR} is required"],
            id="empty-selector",
        ),
        pytest.param(
            md("x" * 64),
            ["metadata.name: MirrorDestination name 'xxxx", "at most 63 are allowed"],
            id="name-too-long-for-a-label",
        ),
        pytest.param(
            md("spiegel-ü"), ["metadata.name: MirrorDestination name 'spiegel-ü'"], id="unicode"
        ),
        pytest.param(
            {"metadata": {}, "spec": {}},
            ["metadata.name: is required"],
            id="no-name",
        ),
        pytest.param(
            md(selector=None, spec={"udpPort": 0}),
            ["spec.udpPort: must be at least 1", "label core.juniper.net/analyzer-pod-selector"],
            id="spec-and-label-problems-together",
        ),
    ],
)
def test_invalid_destinations(obj: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(SpecError) as caught:
        parse_mirror_destination(obj)
    for fragment in fragments:
        assert fragment in caught.value.message


def test_invalid_spec_is_named_in_the_message() -> None:
    with pytest.raises(SpecError, match=r"MirrorDestination 'md1' is invalid: spec\.udpPort"):
        parse_mirror_destination(md("md1", {"udpPort": -1}))


@pytest.mark.parametrize(
    ("obj", "shown"),
    [
        (md(selector="a1"), "a1"),
        (md(selector=None), None),
        (md(spec={"externalAnalyzer": True, "analyzerIP": "192.0.2.9"}), "192.0.2.9"),
        (md(spec={"externalAnalyzer": True}), None),  # invalid, still displayable
        ({"metadata": "junk", "spec": 4}, None),
        (
            md(spec={"externalAnalyzer": True, "analyzerIP": "9" * 100_000}),
            "9" * 35 + " ... (99965 more characters)",
        ),
    ],
)
def test_analyzer_display_of_raw_objects(obj: dict[str, Any], shown: str | None) -> None:
    assert analyzer_display(obj) == shown
