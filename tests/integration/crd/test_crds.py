"""The stand-in CRDs on a real v1.20 apiserver: they install, accept every sample, reject invalid
MirrorDestinations with a message naming the field, and store exactly what mirrorctl writes."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mirrorctl.client import Client, InvalidError, NotFoundError, Resource
from mirrorctl.client.resources import PODS
from mirrorctl.envtest import ControlPlane
from mirrorctl.manifests import apply_manifests, load_manifests
from mirrorctl.mirroring.contrail import vmi_mac, vmi_routing_instance
from mirrorctl.mirroring.destination import parse_mirror_destination
from mirrorctl.mirroring.errors import ContrailDataError, SpecError
from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.mirroring.report import destination_status
from mirrorctl.mirroring.resolution import Receiver, Resolved
from mirrorctl.mirroring.resources import contrail_resources
from mirrorctl.mirroring.spec import parse_spec
from mirrorctl.mirroring.status import ObjectReference, PodReference

pytestmark = pytest.mark.integration

R = contrail_resources()
SAMPLES = Path(__file__).resolve().parents[3] / "config" / "samples"
API = "core.contrail.juniper.net/v1alpha1"
STATIC_HEADER = {
    "vTEPDestinationIP": "192.0.2.10",
    "vTEPDestinationMac": "02:00:5e:10:00:0a",
    "vxlanID": 10,
}


def _md(name: str, spec: dict[str, Any], labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": API,
        "kind": "MirrorDestination",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": spec,
    }


@pytest.fixture
async def cleanup(admin_client: Client) -> AsyncIterator[list[tuple[Resource, str]]]:
    """Cluster-scoped objects to delete after the test (namespaced ones go with the namespace)."""
    created: list[tuple[Resource, str]] = []
    yield created
    for res, name in created:
        with contextlib.suppress(NotFoundError):
            await admin_client.delete(res, name)


async def test_every_crd_is_served(admin_client: Client, crds: list[str], namespace: str) -> None:
    assert sorted(crds) == sorted(f"{r.plural}.{r.group}" for r in R.all())
    for res in R.all():
        listed = await admin_client.list(res, namespace if res.namespaced else None)
        assert listed["kind"] == f"{res.kind}List"


async def test_mirroring_samples_are_accepted_and_parse(
    admin_client: Client,
    crds: list[str],
    namespace: str,
    cleanup: list[tuple[Resource, str]],
) -> None:
    docs = load_manifests(SAMPLES)
    kinds = sorted(d["kind"] for d in docs)
    assert kinds == ["MirrorDestination"] * 4 + ["Pod"] * 3
    cleanup.extend(
        (R.mirror_destinations, d["metadata"]["name"])
        for d in docs
        if d["kind"] == "MirrorDestination"
    )
    applied = await apply_manifests(admin_client, docs, namespace=namespace)
    for doc, obj in zip(docs, applied, strict=True):
        assert obj["metadata"]["name"] == doc["metadata"]["name"]
        if obj["kind"] == "MirrorDestination":
            # The CRD's defaults and the model's agree: the stored object means what was written.
            parsed = parse_mirror_destination(obj)
            assert parsed.spec == parse_spec(doc["spec"])
            assert obj["spec"]["trafficDirection"] in ("ingress", "egress", "both")
        else:
            assert obj["metadata"]["namespace"] == namespace
            assert pod_interfaces(obj).problems == ()
    pods = {o["metadata"]["name"]: pod_interfaces(o) for o in applied if o["kind"] == "Pod"}
    assert [i.name for i in pods["analyzer"].analyzer_interfaces] == ["eth0"]
    assert [(i.name, i.mirror_destination) for i in pods["source-default"].mirror_requests] == [
        ("eth0", "md-dynamic-header")
    ]
    assert [(i.name, i.mirror_destination) for i in pods["source-secondary"].mirror_requests] == [
        ("eth1", "md-static")
    ]


async def test_contrail_samples_are_accepted(
    admin_client: Client,
    crds: list[str],
    namespace: str,
    cleanup: list[tuple[Resource, str]],
) -> None:
    docs = load_manifests(SAMPLES / "contrail")
    assert sorted(d["kind"] for d in docs) == sorted(
        r.kind for r in R.all() if r.kind != "MirrorDestination"
    )
    for doc in docs:
        body = copy.deepcopy(doc)
        res = next(r for r in R.all() if r.kind == body["kind"])
        if res.namespaced:
            body["metadata"]["namespace"] = namespace
        else:
            body["metadata"]["name"] = f"{body['metadata']['name']}-{namespace}"
            cleanup.append((res, body["metadata"]["name"]))
        stored = await admin_client.create(res, body, namespace if res.namespaced else None)
        assert stored["spec"] == doc["spec"]
        assert stored["metadata"].get("labels", {}) == doc["metadata"].get("labels", {})
        if body["kind"] == "VirtualMachineInterface":
            assert vmi_mac(stored) == "02:76:6c:25:f2:8c"


INVALID = [
    pytest.param(
        {"nextHopMode": "static", "juniperHeader": False},
        "spec.staticNextHopHeader: Required value",
        id="static-without-header-object",
    ),
    pytest.param(
        {"nextHopMode": "static", "staticNextHopHeader": STATIC_HEADER},
        'spec.juniperHeader: Unsupported value: true: supported values: "false"',
        id="static-with-juniper-header",
    ),
    pytest.param(
        {"externalAnalyzer": True},
        "spec.analyzerIP: Required value",
        id="external-without-ip",
    ),
    pytest.param(
        {"externalAnalyzer": True, "analyzerIP": "10.0.0.300"},
        'spec.analyzerIP in body must be of type ipv4: "10.0.0.300"',
        id="analyzer-ip-not-an-ip",
    ),
    pytest.param(
        {"udpPort": 0},
        "spec.udpPort in body should be greater than or equal to 1",
        id="udp-port-0",
    ),
    pytest.param(
        {"udpPort": 65536},
        "spec.udpPort in body should be less than or equal to 65535",
        id="udp-port-too-big",
    ),
    pytest.param(
        {"udpPort": "8099"},
        "spec.udpPort in body must be of type integer",
        id="udp-port-string",
    ),
    pytest.param(
        {"juniperHeader": "yes"},
        "spec.juniperHeader in body must be of type boolean",
        id="header-not-bool",
    ),
    pytest.param(
        {"trafficDirection": "sideways"},
        'spec.trafficDirection: Unsupported value: "sideways": supported values: '
        '"ingress", "egress", "both"',
        id="traffic-direction",
    ),
    pytest.param(
        {"nextHopMode": "fixed"},
        'spec.nextHopMode: Unsupported value: "fixed": supported values: "dynamic", "static"',
        id="next-hop-mode",
    ),
    pytest.param(
        {"nicAssistedVlanID": 4095},
        "spec.nicAssistedVlanID in body should be less than or equal to 4094",
        id="vlan-too-big",
    ),
    pytest.param(
        {
            "nextHopMode": "static",
            "juniperHeader": False,
            "staticNextHopHeader": {**STATIC_HEADER, "vxlanID": 0},
        },
        "spec.staticNextHopHeader.vxlanID in body should be greater than or equal to 1",
        id="vni-0",
    ),
    pytest.param(
        {
            "nextHopMode": "static",
            "juniperHeader": False,
            "staticNextHopHeader": {**STATIC_HEADER, "vxlanID": 16777216},
        },
        "spec.staticNextHopHeader.vxlanID in body should be less than or equal to 16777215",
        id="vni-too-big",
    ),
    pytest.param(
        {
            "nextHopMode": "static",
            "juniperHeader": False,
            "staticNextHopHeader": {**STATIC_HEADER, "vTEPDestinationMac": "02:00:5e:10:00"},
        },
        "spec.staticNextHopHeader.vTEPDestinationMac in body should match",
        id="vtep-mac",
    ),
    pytest.param(
        {
            "nextHopMode": "static",
            "juniperHeader": False,
            "staticNextHopHeader": {**STATIC_HEADER, "vTEPDestinationIP": "vtep.example"},
        },
        'spec.staticNextHopHeader.vTEPDestinationIP in body must be of type ipv4: "vtep.example"',
        id="vtep-ip",
    ),
    pytest.param(
        {
            "nextHopMode": "static",
            "juniperHeader": False,
            "staticNextHopHeader": {"vTEPDestinationIP": "192.0.2.10", "vxlanID": 5},
        },
        "spec.staticNextHopHeader.vTEPDestinationMac: Required value",
        id="vtep-mac-missing",
    ),
]


@pytest.mark.parametrize(("spec", "message"), INVALID)
async def test_invalid_mirror_destinations_are_rejected(
    admin_client: Client, crds: list[str], spec: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidError) as caught:
        await admin_client.create(R.mirror_destinations, _md("invalid", spec))
    assert message in caught.value.message
    # mirrorctl's own validation rejects the same spec (for CN2's permissive CRD).
    with pytest.raises(SpecError):
        parse_spec(spec)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("m" * 64, "metadata.name in body should be at most 63 chars long"),
        ("spiegel-ü", "a lowercase RFC 1123 subdomain must consist of"),
    ],
)
async def test_names_that_cannot_be_label_values_are_rejected(
    admin_client: Client, crds: list[str], name: str, message: str
) -> None:
    with pytest.raises(InvalidError) as caught:
        await admin_client.create(R.mirror_destinations, _md(name, {}))
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("spec", "labels", "problem"),
    [
        pytest.param(
            {"externalAnalyzer": True, "analyzerIP": "0.0.0.0"},
            {},
            "spec.analyzerIP: 0.0.0.0 is not a unicast address",
            id="unspecified-analyzer-ip",
        ),
        pytest.param(
            {"externalAnalyzer": True, "analyzerIP": "198.51.100.7", "juniperHeader": False},
            {},
            "spec.juniperHeader: an external analyzer has no MAC address",
            id="external-needs-a-mac",
        ),
        pytest.param(
            {},
            {},
            "label core.juniper.net/analyzer-pod-selector is required",
            id="no-selector",
        ),
    ],
)
async def test_semantic_faults_are_left_to_the_controller(
    admin_client: Client,
    crds: list[str],
    cleanup: list[tuple[Resource, str]],
    namespace: str,
    spec: dict[str, Any],
    labels: dict[str, str],
    problem: str,
) -> None:
    # Accepted at admission, so mirrorctl reports it as state Failure instead.
    name = f"semantic-{namespace}"
    cleanup.append((R.mirror_destinations, name))
    stored = await admin_client.create(R.mirror_destinations, _md(name, spec, labels))
    with pytest.raises(SpecError) as caught:
        parse_mirror_destination(stored)
    assert problem in caught.value.message


async def test_status_is_stored_exactly_as_written(
    admin_client: Client,
    crds: list[str],
    cleanup: list[tuple[Resource, str]],
    namespace: str,
) -> None:
    name = f"status-{namespace}"
    cleanup.append((R.mirror_destinations, name))
    stored = await admin_client.create(
        R.mirror_destinations,
        _md(name, {"udpPort": 8099}, {"core.juniper.net/analyzer-pod-selector": "analyzer"}),
    )
    outcome = Resolved(
        Receiver(
            ip_address="10.128.0.200",
            mac_address="02:76:6c:25:f2:8c",
            routing_instance="default-domain:ns:default-podnetwork:default-podnetwork",
            pod=PodReference(namespace=namespace, name="analyzer", uid="u-1"),
            interface="eth0",
            virtual_machine=ObjectReference(api_version=API, kind="VirtualMachine", name="vm-1"),
            virtual_machine_interface=ObjectReference(
                api_version=API,
                kind="VirtualMachineInterface",
                namespace=namespace,
                name="vmi-1",
                uid="u-2",
                fq_name=("default-domain", namespace, "vmi-1"),
            ),
            instance_ip=ObjectReference(api_version=API, kind="InstanceIP", name="iip-1"),
        ),
        ("1 other analyzer interface(s) match and are not used",),
    )
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    status = destination_status(stored, outcome, source_count=2, now=now).to_dict()
    written = await admin_client.replace(
        R.mirror_destinations, {**stored, "status": status}, subresource="status"
    )
    assert written["status"] == status  # nothing pruned: the schema declares every field
    # The main resource ignores status; the status subresource ignores spec.
    again = await admin_client.patch(
        R.mirror_destinations, name, {"status": {"state": "Failure"}, "spec": {"udpPort": 9000}}
    )
    assert again["status"] == status
    assert again["spec"]["udpPort"] == 9000
    assert again["metadata"]["generation"] == stored["metadata"]["generation"] + 1


async def test_printer_columns(
    control_plane: ControlPlane,
    admin_client: Client,
    crds: list[str],
    cleanup: list[tuple[Resource, str]],
    namespace: str,
) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    name = f"columns-{namespace}"
    cleanup.append((R.mirror_destinations, name))
    stored = await admin_client.create(
        R.mirror_destinations, _md(name, {"externalAnalyzer": True, "analyzerIP": "198.51.100.7"})
    )
    status = destination_status(
        stored, Resolved(Receiver(ip_address="198.51.100.7")), source_count=4, now=datetime.now(UTC)
    ).to_dict()
    await admin_client.replace(
        R.mirror_destinations, {**stored, "status": status}, subresource="status"
    )
    proc = await asyncio.create_subprocess_exec(
        kubectl,
        f"--kubeconfig={control_plane.admin_kubeconfig}",
        "get",
        "md",
        name,
        "-o",
        "wide",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    header, row = out.decode().splitlines()
    assert header.split() == ["NAME", "ANALYZER", "IP", "STATE", "SOURCES", "OBSERVATION", "AGE"]
    assert row.split()[:5] == [name, "198.51.100.7", "198.51.100.7", "Success", "4"]


async def test_contrail_stand_ins_hold_what_cn2_writes(
    admin_client: Client, crds: list[str], namespace: str
) -> None:
    ri = ["default-domain", namespace, "default-podnetwork", "default-podnetwork"]
    body = {
        "apiVersion": API,
        "kind": "VirtualMachineInterface",
        "metadata": {"name": "vmi-1", "namespace": namespace},
        "spec": {
            "virtualMachineInterfaceMacAddresses": {"macAddress": ["not-a-mac"]},
            "virtualNetworkReference": {"name": "default-podnetwork", "fqName": ri[:3]},
            "portSecurityEnabled": True,  # a CN2 field the stand-in does not declare
        },
        "status": {"routingInstanceReferences": [{"fqName": ri}]},
    }
    created = await admin_client.create(R.virtual_machine_interfaces, body, namespace)
    assert "status" not in created or not created["status"].get("routingInstanceReferences")
    assert created["spec"]["portSecurityEnabled"] is True
    # Bad data is stored (it is CN2's to fix) and mirrorctl reports it instead of crashing.
    with pytest.raises(ContrailDataError, match="'not-a-mac' is not a MAC address"):
        vmi_mac(created)
    written = await admin_client.replace(
        R.virtual_machine_interfaces, {**created, "status": body["status"]}, subresource="status"
    )
    assert vmi_routing_instance(written) == ":".join(ri)
    # Writing labels on the main resource keeps the status CN2 wrote.
    labelled = await admin_client.patch(
        R.virtual_machine_interfaces,
        "vmi-1",
        {"metadata": {"labels": {"core.juniper.net/mirror-destination": "md1"}}},
        namespace,
    )
    assert labelled["status"] == written["status"]
    with pytest.raises(InvalidError, match="must be of type string"):
        await admin_client.create(
            R.virtual_machine_interfaces,
            {
                **body,
                "metadata": {"name": "vmi-2"},
                "spec": {"virtualMachineInterfaceMacAddresses": {"macAddress": [7]}},
            },
            namespace,
        )


async def test_pods_of_the_samples_need_no_kubelet(
    admin_client: Client, crds: list[str], namespace: str
) -> None:
    docs = [d for d in load_manifests(SAMPLES) if d["kind"] == "Pod"]
    for doc in docs:
        created = await admin_client.create(PODS, doc, namespace)
        assert created["status"].get("phase") == "Pending"


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param({"externalAnalyzer": True, "analyzerIP": "2001:db8::7"}, id="ipv6-analyzer"),
        pytest.param(
            {
                "nextHopMode": "static",
                "juniperHeader": False,
                "staticNextHopHeader": {**STATIC_HEADER, "vTEPDestinationMac": "02-00-5E-10-00-0A"},
            },
            id="dash-separated-mac",
        ),
        pytest.param({"udpPort": None, "nicAssistedVlanID": None}, id="nulls"),
    ],
)
async def test_accepted_variants_mean_the_same_to_mirrorctl(
    admin_client: Client,
    crds: list[str],
    cleanup: list[tuple[Resource, str]],
    namespace: str,
    spec: dict[str, Any],
) -> None:
    name = f"variant-{namespace}"
    cleanup.append((R.mirror_destinations, name))
    labels = {"core.juniper.net/analyzer-pod-selector": "analyzer"}
    stored = await admin_client.create(R.mirror_destinations, _md(name, spec, labels))
    assert parse_mirror_destination(stored).spec == parse_spec(spec)
