"""The models and the shipped CRDs must agree on field names, or the apiserver would prune what
mirrorctl writes (status) or mirrorctl would ignore what users write (spec)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mirrorctl.mirroring.resources import (
    CONTRAIL_GROUP,
    DEFAULT_CONTRAIL_VERSION,
    contrail_resources,
)
from mirrorctl.mirroring.spec import MirrorDestinationSpec, StaticNextHopHeader
from mirrorctl.mirroring.status import (
    Condition,
    MirrorDestinationStatus,
    ObjectReference,
    PodReference,
)

CRD_DIR = Path(__file__).resolve().parents[3] / "config" / "crd"


def crds() -> dict[str, dict[str, Any]]:
    out = {}
    for path in CRD_DIR.glob("*.yaml"):
        doc = yaml.safe_load(path.read_text())
        if doc.get("kind") == "CustomResourceDefinition":
            out[doc["spec"]["names"]["kind"]] = doc
    return out


def schema(kind: str) -> dict[str, Any]:
    version = crds()[kind]["spec"]["versions"][0]
    return version["schema"]["openAPIV3Schema"]  # type: ignore[no-any-return]


def json_names(model: type[Any]) -> set[str]:
    return {f.serialization_alias or name for name, f in model.model_fields.items()}


def test_every_contrail_resource_has_a_crd_matching_its_scope_and_version() -> None:
    by_kind = crds()
    assert set(by_kind) == {r.kind for r in contrail_resources().all()}
    for res in contrail_resources().all():
        spec = by_kind[res.kind]["spec"]
        assert spec["group"] == CONTRAIL_GROUP
        assert spec["names"]["plural"] == res.plural
        assert (spec["scope"] == "Namespaced") is res.namespaced
        assert [v["name"] for v in spec["versions"]] == [DEFAULT_CONTRAIL_VERSION]
        assert spec["versions"][0]["subresources"] == {"status": {}}


def test_kustomization_lists_every_crd_file() -> None:
    listed = yaml.safe_load((CRD_DIR / "kustomization.yaml").read_text())["resources"]
    files = sorted(p.name for p in CRD_DIR.glob("*.yaml") if p.name != "kustomization.yaml")
    assert sorted(listed) == files


@pytest.mark.parametrize(
    ("path", "model"),
    [
        (("spec",), MirrorDestinationSpec),
        (("spec", "staticNextHopHeader"), StaticNextHopHeader),
        (("status",), MirrorDestinationStatus),
        (("status", "analyzerPodReference"), PodReference),
        (("status", "virtualMachineInterfaceReference"), ObjectReference),
        (("status", "conditions", "items"), Condition),
    ],
)
def test_mirror_destination_schema_declares_every_model_field(
    path: tuple[str, ...], model: type[Any]
) -> None:
    node = schema("MirrorDestination")
    for part in path:
        node = node[part] if part == "items" else node["properties"][part]
    declared = set(node["properties"])
    assert json_names(model) <= declared
    # and nothing in the schema is unknown to the model (fqName is CN2's, kept informational)
    assert declared - json_names(model) <= {"fqName"}


def test_printer_columns() -> None:
    columns = {
        c["name"]: c["jsonPath"]
        for c in crds()["MirrorDestination"]["spec"]["versions"][0]["additionalPrinterColumns"]
    }
    assert columns["Analyzer"] == ".status.analyzer"
    assert columns["IP"] == ".status.ipAddress"
    assert columns["State"] == ".status.state"
    assert columns["Age"] == ".metadata.creationTimestamp"


@pytest.mark.parametrize(
    ("kind", "short"),
    [
        ("MirrorDestination", "md"),
        ("VirtualMachine", "vm"),
        ("VirtualMachineInterface", "vmi"),
        ("InstanceIP", "iip"),
        ("VirtualNetwork", "vn"),
        ("RoutingInstance", "ri"),
    ],
)
def test_short_names(kind: str, short: str) -> None:
    # Spec section 1's table: the short names users type (kubectl get md).
    assert short in crds()[kind]["spec"]["names"]["shortNames"]


# Spec section 1's MirrorDestination table: (field, default, enum, minimum, maximum); None
# where the table gives none. udpPort has no default: unset lets the vRouter use 8099.
SPEC_TABLE = [
    ("trafficDirection", "both", ["ingress", "egress", "both"], None, None),
    ("udpPort", None, None, 1, 65535),
    ("juniperHeader", True, None, None, None),
    ("nextHopMode", "dynamic", ["dynamic", "static"], None, None),
    ("nicAssistedMirroring", False, None, None, None),
    ("nicAssistedVlanID", None, None, 0, 4094),
    ("externalAnalyzer", False, None, None, None),
]


@pytest.mark.parametrize(("field", "default", "enum", "minimum", "maximum"), SPEC_TABLE)
def test_spec_defaults_enums_and_ranges_follow_the_spec_table(
    field: str, default: object, enum: list[str] | None, minimum: int | None, maximum: int | None
) -> None:
    node = schema("MirrorDestination")["properties"]["spec"]["properties"][field]
    assert node.get("default") == default
    assert node.get("enum") == enum
    assert (node.get("minimum"), node.get("maximum")) == (minimum, maximum)
    # and the model agrees with the CRD (on CN2 the CRD is CN2's own, so mirrorctl must not
    # rely on the apiserver having applied the defaults)
    model_field = next(
        f for f in MirrorDestinationSpec.model_fields.values() if f.serialization_alias == field
    )
    assert model_field.default == default


def test_the_vxlan_id_range() -> None:
    header = schema("MirrorDestination")["properties"]["spec"]["properties"]["staticNextHopHeader"]
    vxlan = header["properties"]["vxlanID"]
    assert (vxlan["minimum"], vxlan["maximum"]) == (1, 16_777_215)
    assert set(header["required"]) == {"vTEPDestinationIP", "vTEPDestinationMac", "vxlanID"}
