"""Bad input, one case per row: each gets a clear Event or status message, no reconcile crashes,
and unrelated objects keep converging meanwhile.

The MirrorDestination CRD rejects much at admission (types, ranges, enums, address formats,
invalid combinations); the rows here hold what it accepts but the rules reject, and faults in
pod annotations and in Contrail objects, which have no schema to stop them.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from mirrorctl.client.resources import EVENTS, PODS
from mirrorctl.emulator import render_pod
from mirrorctl.mirroring import keys

from .conftest import Running
from .support import CLUSTER, Lab, R, eventually, unique

pytestmark = pytest.mark.integration

ANALYZE = {keys.ANALYZER_INTERFACE: "true"}
_Obj = dict[str, Any]


@dataclass(frozen=True)
class Expect:
    """Where the message shows: an Event about ``subject`` (pod name or "md"), or the status of
    the MirrorDestination (``subject`` "md") with that state and Ready reason."""

    subject: str
    reason: str
    text: str
    state: str | None = None  # set: look in the status rather than at Events


Setup = Callable[[Lab, str, str], Awaitable[None]]


@dataclass(frozen=True)
class Case:
    id: str
    setup: Setup  # (lab, md name, selector)
    expect: Expect


async def source(lab: Lab, name: str, **annotations: str) -> None:
    await lab.pod(name, annotations=annotations)


def with_networks(value: str, **annotations: str) -> Setup:
    async def setup(lab: Lab, md: str, selector: str) -> None:
        await lab.destination(md, selector)
        await lab.pod("bad", annotations=annotations, networks=value)

    return setup


def named(value: str) -> Setup:
    async def setup(lab: Lab, md: str, selector: str) -> None:
        await source(lab, "bad", **{keys.MIRROR_DESTINATION: value})

    return setup


def destination(spec: _Obj, *, selector: bool = True) -> Setup:
    async def setup(lab: Lab, md: str, sel: str) -> None:
        await lab.destination(md, sel if selector else None, spec)
        await source(lab, "src", **{keys.MIRROR_DESTINATION: md})

    return setup


def by_hand(
    vmi: Callable[[_Obj], None] | None = None,
    iip: Callable[[_Obj], None] | None = None,
    annotations: dict[str, str] | None = None,
) -> Setup:
    """An analyzer whose Contrail objects kube-manager wrote wrongly (and no CNI
    network-status, so the InstanceIP is the only source of its address)."""

    async def setup(lab: Lab, md: str, selector: str) -> None:
        await lab.destination(md, selector)
        await lab.pod(
            "bad",
            labels={keys.ANALYZER_POD: selector},
            annotations=annotations or ANALYZE,
            contrail=False,
        )
        pod = await lab.admin.get(PODS, "bad", lab.namespace)
        made = render_pod(pod, cluster_name=CLUSTER, resources=R, pools=lab.emulator.pools)
        assert made is not None
        await lab.apply(R.virtual_machines, made.vm)
        for body, status in zip(made.vmis, made.vmi_statuses, strict=True):
            body, status = copy.deepcopy(body), copy.deepcopy(status)
            if vmi is not None:
                vmi(body)
                vmi(status)
            await lab.apply(R.virtual_machine_interfaces, body)
            await lab.apply(R.virtual_machine_interfaces, status, status=True)
        for raw in made.instance_ips:
            body = copy.deepcopy(raw)
            if iip is not None:
                iip(body)
            await lab.apply(R.instance_ips, body)

    return setup


def mac(value: object) -> Callable[[_Obj], None]:
    def change(vmi: _Obj) -> None:
        if "spec" in vmi:
            if value is None:
                del vmi["spec"]["virtualMachineInterfaceMacAddresses"]
            else:
                vmi["spec"]["virtualMachineInterfaceMacAddresses"]["macAddress"] = [value]

    return change


def address(value: object, family: str | None = "v4") -> Callable[[_Obj], None]:
    def change(iip: _Obj) -> None:
        if value is None:
            del iip["spec"]["instanceIPAddress"]
        else:
            iip["spec"]["instanceIPAddress"] = value
        if family is None:
            iip["spec"].pop("instanceIPFamily", None)
        else:
            iip["spec"]["instanceIPFamily"] = family

    return change


def vmi_annotation(key: str, value: str) -> Callable[[_Obj], None]:
    def change(vmi: _Obj) -> None:
        if "spec" in vmi:
            vmi["metadata"]["annotations"][key] = value

    return change


def routing_instance(fq_name: list[str]) -> Callable[[_Obj], None]:
    def change(vmi: _Obj) -> None:
        if "status" in vmi:
            vmi["status"]["routingInstanceReferences"][0]["fqName"] = fq_name

    return change


INVALID_ANNOTATION = "InvalidPodAnnotation"
INVALID_NAME = "InvalidMirrorDestinationName"
CONTRAIL = "InvalidContrailData"
MIRROR = keys.MIRROR_DESTINATION
CASES = [
    # -- source pods: their annotations --------------------------------------------------------
    Case(
        "networks-not-json",
        with_networks(f'[{{"name": "blue", "cni-args": {{"{MIRROR}": "x"'),
        Expect("bad", INVALID_ANNOTATION, "is not valid JSON"),
    ),
    Case(
        "networks-not-a-list",
        with_networks(orjson.dumps({"name": "blue", MIRROR: "x"}).decode()),
        Expect("bad", INVALID_ANNOTATION, "must be a JSON list"),
    ),
    Case(
        "networks-entry-without-name",
        with_networks(orjson.dumps([{"cni-args": {MIRROR: "x"}}]).decode()),
        Expect("bad", INVALID_ANNOTATION, "has no 'name'"),
    ),
    Case(
        "cni-args-not-an-object",
        with_networks(orjson.dumps([{"name": "blue", "cni-args": MIRROR}]).decode()),
        Expect("bad", INVALID_ANNOTATION, "'cni-args' must be an object"),
    ),
    Case(
        "cni-arg-destination-not-a-string",
        with_networks(orjson.dumps([{"name": "blue", "cni-args": {MIRROR: 5}}]).decode()),
        Expect("bad", INVALID_ANNOTATION, "must be a MirrorDestination name"),
    ),
    Case(
        "two-networks-one-interface",
        with_networks(
            orjson.dumps(
                [
                    {"name": "blue", "interface": "net1", "cni-args": {MIRROR: "x"}},
                    {"name": "red", "interface": "net1"},
                ]
            ).decode()
        ),
        Expect("bad", INVALID_ANNOTATION, "already used by entry 1"),
    ),
    Case(
        "network-status-not-json",
        with_networks("", **{MIRROR: "x", keys.NETWORK_STATUS: "{{"}),
        Expect("bad", INVALID_ANNOTATION, "network-status: is not valid JSON"),
    ),
    Case(
        "destination-name-not-a-name",
        named("Not_A_Name!"),
        Expect("bad", INVALID_NAME, "is not a valid name"),
    ),
    Case("destination-name-oversized", named("m" * 70), Expect("bad", INVALID_NAME, "at most 63")),
    Case("destination-name-unicode", named("mïrror-ü"), Expect("bad", INVALID_NAME, "mïrror-ü")),
    Case(
        "unknown-destination",
        named("no-such-destination"),
        Expect("bad", "MirrorDestinationNotFound", "does not exist"),
    ),
    # -- MirrorDestinations the schema accepts and the rules reject ------------------------------
    Case(
        "external-analyzer-unspecified-ip",
        destination({"externalAnalyzer": True, "analyzerIP": "0.0.0.0"}),
        Expect("md", "InvalidSpec", "not a unicast address", "Failure"),
    ),
    Case(
        "external-analyzer-multicast-ipv6",
        destination({"externalAnalyzer": True, "analyzerIP": "ff02::1"}),
        Expect("md", "InvalidSpec", "spec.analyzerIP", "Failure"),
    ),
    Case(
        "external-analyzer-without-header",
        destination({"externalAnalyzer": True, "analyzerIP": "192.0.2.1", "juniperHeader": False}),
        Expect("md", "InvalidSpec", "no MAC address or routing instance", "Failure"),
    ),
    Case(
        "static-vtep-multicast-mac",
        destination(
            {
                "nextHopMode": "static",
                "juniperHeader": False,
                "staticNextHopHeader": {
                    "vTEPDestinationIP": "192.0.2.9",
                    "vTEPDestinationMac": "01:00:5e:00:00:01",
                    "vxlanID": 5,
                },
            }
        ),
        Expect("md", "InvalidSpec", "not a unicast MAC", "Failure"),
    ),
    Case(
        "no-selector-no-external-analyzer",
        destination({}, selector=False),
        Expect("md", "InvalidSpec", "analyzer-pod-selector is required", "Failure"),
    ),
    # -- analyzer pods and the Contrail objects made for them ----------------------------------
    Case(
        "analyzer-mark-not-a-boolean",
        by_hand(annotations={keys.ANALYZER_INTERFACE: "yes"}),
        Expect("md", "AnalyzerInterfaceNotMarked", "mark no analyzer interface", "Pending"),
    ),
    Case(
        "vmi-without-mac",
        by_hand(vmi=mac(None)),
        Expect("md", "AnalyzerMACNotFound", "waiting for the MAC address", "Pending"),
    ),
    Case(
        "vmi-mac-not-a-mac",
        by_hand(vmi=mac("zz:zz:zz")),
        Expect("md", CONTRAIL, "is not a MAC address", "Failure"),
    ),
    Case(
        "vmi-mac-multicast",
        by_hand(vmi=mac("01:00:5e:00:00:fb")),
        Expect("md", CONTRAIL, "not a unicast MAC", "Failure"),
    ),
    Case(
        "instance-ip-without-address",
        by_hand(iip=address(None)),
        Expect("md", "AnalyzerIPNotFound", "waiting for an InstanceIP", "Pending"),
    ),
    Case(
        "instance-ip-not-an-ip",
        by_hand(iip=address("not-an-ip")),
        Expect("md", CONTRAIL, "is not an IPv4 or IPv6 address", "Failure"),
    ),
    Case(
        "instance-ip-family-mismatch",
        by_hand(iip=address("10.9.9.9", "v6")),
        Expect("md", CONTRAIL, "instanceIPFamily is 'v6'", "Failure"),
    ),
    Case(
        "vmi-index-out-of-range",
        by_hand(vmi=vmi_annotation(keys.VMI_INDEX, "7/2"), annotations=ANALYZE),
        Expect("bad", CONTRAIL, "position < total"),
    ),
    Case(
        "routing-instance-with-colon",
        by_hand(vmi=routing_instance(["default-domain", "a:b", "net", "net"])),
        Expect("md", CONTRAIL, "is not a name", "Failure"),
    ),
]


@pytest.fixture
async def no_crash(controller: Running) -> AsyncIterator[None]:
    registry = controller.manager.registry

    def panics() -> float:
        return sum(
            s.value
            for family in registry.collect()
            for s in family.samples
            if s.name == "controller_runtime_reconcile_panics_total"
        )

    before = panics()
    yield
    assert panics() == before, "a reconcile raised a programming error"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_bad_input(lab: Lab, case: Case, no_crash: None) -> None:
    md, selector = unique("md"), unique("sel")
    await case.setup(lab, md, selector)
    expect = case.expect
    if expect.state is not None:

        async def reported() -> bool:
            status = await lab.status(md)
            return (
                status.get("state") == expect.state
                and await lab.ready_reason(md) == expect.reason
                and expect.text in str(status.get("observation"))
            )

        await eventually(reported, what=f"{md} {expect.state} {expect.reason}: {expect.text}")
    subject = md if expect.subject == "md" else expect.subject
    namespace = "default" if expect.subject == "md" else lab.namespace

    async def told() -> bool:
        found = await _events(lab, subject, namespace)
        return any(r == expect.reason and expect.text in m for r, m in found)

    if expect.state is None or expect.state == "Failure":
        await eventually(told, what=f"an Event {expect.reason} about {subject}: {expect.text}")

    # Meanwhile, an unrelated destination converges as usual.
    good_md, good_selector = unique("md"), unique("sel")
    await lab.destination(good_md, good_selector)
    await lab.pod("good-analyzer", labels={keys.ANALYZER_POD: good_selector}, annotations=ANALYZE)
    await lab.pod("good-source", annotations={keys.MIRROR_DESTINATION: good_md})

    async def good() -> bool:
        config = await lab.configuration("good-source")
        return config is not None and config["analyzer_name"] == good_md

    await eventually(good, what="the unrelated destination converged")


async def _events(lab: Lab, name: str, namespace: str) -> list[tuple[str, str]]:
    found = await lab.admin.list(EVENTS, namespace)
    return [
        (e["reason"], e["message"])
        for e in found["items"]
        if e["involvedObject"].get("name") == name
    ]
