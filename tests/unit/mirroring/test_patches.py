from __future__ import annotations

from typing import Any

import orjson
import pytest

from mirrorctl.mirroring import keys
from mirrorctl.mirroring.configuration import MirroringConfiguration
from mirrorctl.mirroring.patches import analyzer_vm_patch, analyzer_vmi_patch, source_vmi_patch

from .builders import vm, vmi

CONFIG = MirroringConfiguration(
    analyzer_name="md1",
    analyzer_ip_address="10.0.0.1",
    analyzer_macaddress="02:00:00:00:00:01",
    ri="a:b:c:c",
    udp_port=None,
    juniper_header=True,
    nh_mode="dynamic",
    static_nh_header=None,
    nic_assisted_mirroring=False,
    nic_assisted_mirroring_vlan=None,
    traffic_direction="both",
)
OTHER = {"team": "net"}


def source(label: str | None = None, annotation: str | None = None) -> dict[str, Any]:
    labels = dict(OTHER)
    annotations = {"note": "kept"}
    if label is not None:
        labels[keys.MIRROR_DESTINATION] = label
    if annotation is not None:
        annotations[keys.MIRRORING_CONFIGURATION] = annotation
    return vmi("v", labels=labels, annotations=annotations)


@pytest.mark.parametrize(
    ("obj", "destination", "config", "patch"),
    [
        pytest.param(
            source(),
            "md1",
            CONFIG,
            {
                "metadata": {
                    "labels": {keys.MIRROR_DESTINATION: "md1"},
                    "annotations": {keys.MIRRORING_CONFIGURATION: CONFIG.to_json()},
                }
            },
            id="new-source",
        ),
        pytest.param(source("md1", CONFIG.to_json()), "md1", CONFIG, None, id="unchanged"),
        pytest.param(
            source(
                "md1",
                orjson.dumps(orjson.loads(CONFIG.to_json()), option=orjson.OPT_INDENT_2).decode(),
            ),
            "md1",
            CONFIG,
            None,
            id="unchanged-when-formatted-differently",
        ),
        pytest.param(
            source("md1"),
            "md1",
            None,
            None,
            id="pending-label-only-already",
        ),
        pytest.param(
            source("md1", CONFIG.to_json()),
            "md1",
            None,
            {"metadata": {"annotations": {keys.MIRRORING_CONFIGURATION: None}}},
            id="became-unresolved",
        ),
        pytest.param(
            source("md1", CONFIG.to_json()),
            None,
            CONFIG,
            {
                "metadata": {
                    "labels": {keys.MIRROR_DESTINATION: None},
                    "annotations": {keys.MIRRORING_CONFIGURATION: None},
                }
            },
            id="request-removed",
        ),
        pytest.param(source(), None, None, None, id="never-requested"),
        pytest.param(
            source("md0", CONFIG.to_json()),
            "md1",
            CONFIG,
            {"metadata": {"labels": {keys.MIRROR_DESTINATION: "md1"}}},
            id="destination-renamed",
        ),
        pytest.param(
            source("md1", "{broken"),
            "md1",
            CONFIG,
            {"metadata": {"annotations": {keys.MIRRORING_CONFIGURATION: CONFIG.to_json()}}},
            id="broken-annotation-rewritten",
        ),
    ],
)
def test_source_vmi_patch(
    obj: dict[str, Any], destination: str | None, config: MirroringConfiguration | None, patch: Any
) -> None:
    assert source_vmi_patch(obj, destination, config) == patch


def test_patches_never_touch_foreign_keys() -> None:
    patch = source_vmi_patch(source(), "md1", CONFIG)
    assert patch is not None
    assert set(patch) == {"metadata"}
    assert set(patch["metadata"]["labels"]) == {keys.MIRROR_DESTINATION}
    assert set(patch["metadata"]["annotations"]) == {keys.MIRRORING_CONFIGURATION}


@pytest.mark.parametrize(
    ("labels", "analyzer", "patch"),
    [
        ({}, True, {"metadata": {"labels": {keys.ANALYZER_INTERFACE: ""}}}),
        ({keys.ANALYZER_INTERFACE: ""}, True, None),
        (
            {keys.ANALYZER_INTERFACE: ""},
            False,
            {"metadata": {"labels": {keys.ANALYZER_INTERFACE: None}}},
        ),
        ({}, False, None),
        (
            {keys.ANALYZER_INTERFACE: "x"},
            True,
            {"metadata": {"labels": {keys.ANALYZER_INTERFACE: ""}}},
        ),
    ],
)
def test_analyzer_vmi_patch(labels: dict[str, str], analyzer: bool, patch: Any) -> None:
    assert analyzer_vmi_patch(vmi("v", labels={**OTHER, **labels}), analyzer) == patch


@pytest.mark.parametrize(
    ("labels", "value", "patch"),
    [
        ({}, "analyzerpod", {"metadata": {"labels": {keys.ANALYZER_POD: "analyzerpod"}}}),
        ({keys.ANALYZER_POD: "analyzerpod"}, "analyzerpod", None),
        ({keys.ANALYZER_POD: "old"}, "new", {"metadata": {"labels": {keys.ANALYZER_POD: "new"}}}),
        ({keys.ANALYZER_POD: "old"}, None, {"metadata": {"labels": {keys.ANALYZER_POD: None}}}),
        ({}, None, None),
    ],
)
def test_analyzer_vm_patch(labels: dict[str, str], value: str | None, patch: Any) -> None:
    assert analyzer_vm_patch(vm("vm", labels={**OTHER, **labels}), value) == patch


def test_objects_without_metadata() -> None:
    assert analyzer_vm_patch({}, "a") == {"metadata": {"labels": {keys.ANALYZER_POD: "a"}}}
    assert source_vmi_patch({"metadata": None}, None, None) is None
