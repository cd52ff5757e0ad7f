"""Every change in the chain converges without a restart (spec section 4), with the controller
running as its own least-privileged identity and kube-manager played by the emulator."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from mirrorctl.client import Client, ForbiddenError
from mirrorctl.client.resources import PODS
from mirrorctl.emulator import render_pod
from mirrorctl.mirroring import keys

from .support import CLUSTER, Lab, R, eventually, unique

pytestmark = pytest.mark.integration

ANALYZE = {keys.ANALYZER_INTERFACE: "true"}
RI = f"default-domain:{CLUSTER}-contrail:default-podnetwork:default-podnetwork"


async def analyzer(lab: Lab, name: str, selector: str, **options: Any) -> dict[str, Any]:
    annotations = options.pop("annotations", ANALYZE)
    return await lab.pod(
        name, labels={keys.ANALYZER_POD: selector}, annotations=annotations, **options
    )


async def source(lab: Lab, name: str, destination: str, **options: Any) -> dict[str, Any]:
    return await lab.pod(name, annotations={keys.MIRROR_DESTINATION: destination}, **options)


async def mirrored_to(
    lab: Lab,
    pod: str,
    destination: str,
    analyzer_pod: str,
    *,
    interface: str = "eth0",
    analyzer_interface: str = "eth0",
    **expected: Any,
) -> None:
    """Wait until the pod interface's VMI carries the label and the configuration pointing at
    ``analyzer_pod``'s interface as it is now, plus ``expected`` configuration values."""
    ip, mac = await lab.analyzer_address(analyzer_pod, analyzer_interface)

    async def converged() -> bool:
        config = await lab.configuration(pod, interface)
        if config is None or await lab.mirror_label(pod, interface) != destination:
            return False
        want = {
            "analyzer_name": destination,
            "analyzer_ip_address": ip,
            "analyzer_macaddress": mac,
            **expected,
        }
        return all(config.get(k) == v for k, v in want.items())

    await eventually(converged, what=f"{pod} {interface} mirrored to {destination} at {ip}")


async def not_configured(
    lab: Lab, pod: str, destination: str | None, interface: str = "eth0"
) -> None:
    """Wait until the VMI has no configuration, and the label ``destination`` (None: none)."""

    async def done() -> bool:
        return (
            await lab.configuration(pod, interface) is None
            and await lab.mirror_label(pod, interface) == destination
        )

    await eventually(done, what=f"{pod} {interface}: label {destination}, no configuration")


async def test_analyzer_created_before_its_destination(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await analyzer(lab, "an", selector)
    await source(lab, "src", md)
    await lab.destination(md, selector)
    await mirrored_to(lab, "src", md, "an", ri=RI, juniper_header=True, nh_mode="dynamic")
    ip, mac = await lab.analyzer_address("an")

    async def success() -> bool:
        status = await lab.status(md)
        return status.get("state") == "Success" and status.get("sourceCount") == 1

    await eventually(success, what="the destination resolved")
    status = await lab.status(md)
    assert (status["ipAddress"], status["macAddress"], status["routingInstance"]) == (ip, mac, RI)
    assert status["analyzerPodReference"]["name"] == "an"
    assert status["analyzer"] == selector
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "True"
    assert (await lab.vm("an"))["metadata"]["labels"][keys.ANALYZER_POD] == selector
    assert (await lab.vmi("an"))["metadata"]["labels"][keys.ANALYZER_INTERFACE] == ""
    await eventually(lambda: lab.has_event(md, "Resolved", "default"), what="a Resolved Event")
    for pod in ("an", "src"):
        await lab.foreign_keys_intact(pod)


async def test_analyzer_created_after_its_destination(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector)
    await source(lab, "src", md)

    async def pending() -> bool:
        return await lab.ready_reason(md) == "AnalyzerPodNotFound"

    await eventually(pending, what="Pending without an analyzer")
    assert await lab.state(md) == "Pending"
    await not_configured(lab, "src", md)
    await analyzer(lab, "an", selector)
    await mirrored_to(lab, "src", md, "an")
    assert await lab.state(md) == "Success"
    for pod in ("an", "src"):
        await lab.foreign_keys_intact(pod)


async def test_analyzer_recreated_with_a_new_ip_and_mac(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector)
    await analyzer(lab, "an", selector)
    await source(lab, "src", md)
    await mirrored_to(lab, "src", md, "an")
    old = await lab.analyzer_address("an")
    await lab.delete_pod("an")
    await not_configured(lab, "src", md)
    await eventually(lambda: _is(lab.state(md), "Pending"), what="Pending while it is gone")
    # A new incarnation (new uid) gets a new address, as from a real CNI.
    await analyzer(lab, "an", selector)
    new = await lab.analyzer_address("an")
    assert new[0] != old[0]
    assert new[1] != old[1]
    await mirrored_to(lab, "src", md, "an")
    await lab.foreign_keys_intact("src")
    await lab.foreign_keys_intact("an")


async def _is(value: Any, expected: object) -> bool:
    return bool(await value == expected)


async def test_vmi_and_instance_ip_arriving_after_the_pod(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector)
    await analyzer(lab, "an", selector, contrail=False)
    await source(lab, "src", md, contrail=False)

    async def reason_is(reason: str) -> bool:
        return await lab.ready_reason(md) == reason

    await eventually(lambda: reason_is("AnalyzerInterfaceNotFound"), what="waiting for a VMI")
    # kube-manager's objects come one by one: first the VM and VMIs, without any address
    # (nor a CNI network-status on the pod)...
    pod = await lab.admin.get(PODS, "an", lab.namespace)
    made = render_pod(pod, cluster_name=CLUSTER, resources=R, pools=lab.emulator.pools)
    assert made is not None
    await lab.contrail("src")  # the source's VMI arrives after its pod, too
    await lab.apply(R.virtual_machines, made.vm)
    for vmi, status in zip(made.vmis, made.vmi_statuses, strict=True):
        await lab.apply(R.virtual_machine_interfaces, vmi)
        await lab.apply(R.virtual_machine_interfaces, status, status=True)
    await eventually(lambda: reason_is("AnalyzerIPNotFound"), what="waiting for an address")
    await not_configured(lab, "src", md)
    # ... then the InstanceIP.
    for iip in made.instance_ips:
        await lab.apply(R.instance_ips, iip)
    await mirrored_to(lab, "src", md, "an")
    assert (await lab.status(md))["instanceIPReference"]["name"] == made.instance_ips[0][
        "metadata"
    ]["name"]
    await lab.foreign_keys_intact("src")


async def test_destination_edited_and_deleted(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector)
    await analyzer(lab, "an", selector)
    await source(lab, "src", md)
    await mirrored_to(lab, "src", md, "an", juniper_header=True, udp_port=None)
    await lab.edit_destination(md, {"juniperHeader": False})
    await mirrored_to(lab, "src", md, "an", juniper_header=False, ri=RI)
    await lab.edit_destination(md, {"juniperHeader": True, "udpPort": 9099})
    await mirrored_to(lab, "src", md, "an", juniper_header=True, udp_port=9099)
    header = {
        "vTEPDestinationIP": "192.0.2.9",
        "vTEPDestinationMac": "02:aa:bb:cc:dd:ee",
        "vxlanID": 77,
    }
    await lab.edit_destination(
        md, {"juniperHeader": False, "nextHopMode": "static", "staticNextHopHeader": header}
    )
    await mirrored_to(
        lab,
        "src",
        md,
        "an",
        nh_mode="static",
        juniper_header=False,
        static_nh_header={
            "vtep_dst_ip_address": "192.0.2.9",
            "vtep_dst_mac_address": "02:aa:bb:cc:dd:ee",
            "vni": 77,
        },
    )
    assert (await lab.status(md))["observedGeneration"] == 4
    await lab.admin.delete(R.mirror_destinations, md)
    await not_configured(lab, "src", md)
    await eventually(
        lambda: lab.has_event("src", "MirrorDestinationNotFound"), what="a Warning on the pod"
    )
    await lab.foreign_keys_intact("src")


async def test_source_annotation_added_changed_and_removed(lab: Lab) -> None:
    selector_a, selector_b = unique("sel"), unique("sel")
    md_a, md_b = unique("md"), unique("md")
    await lab.destination(md_a, selector_a)
    await lab.destination(md_b, selector_b)
    await analyzer(lab, "an-a", selector_a)
    await analyzer(lab, "an-b", selector_b)
    await lab.pod("src")
    await lab.annotate_pod("src", **{keys.MIRROR_DESTINATION: md_a})
    await mirrored_to(lab, "src", md_a, "an-a")
    await lab.annotate_pod("src", **{keys.MIRROR_DESTINATION: md_b})
    await mirrored_to(lab, "src", md_b, "an-b")

    async def counts(a: int, b: int) -> bool:
        return (await lab.status(md_a)).get("sourceCount") == a and (await lab.status(md_b)).get(
            "sourceCount"
        ) == b

    await eventually(lambda: counts(0, 1), what="the source counted once, on md-b")
    await lab.annotate_pod("src", **{keys.MIRROR_DESTINATION: None})
    await not_configured(lab, "src", None)
    await eventually(lambda: counts(0, 0), what="no sources")
    await lab.foreign_keys_intact("src")


async def test_a_secondary_interface_mirrored_through_cni_args(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector)
    await analyzer(lab, "an", selector)
    networks: list[dict[str, Any]] = [
        {"name": "blue"},
        {"name": "red", "interface": "net9", "cni-args": {keys.MIRROR_DESTINATION: md}},
    ]
    await lab.pod("src", networks=networks)
    await mirrored_to(lab, "src", md, "an", interface="net9")
    await not_configured(lab, "src", None, "eth0")
    await not_configured(lab, "src", None, "eth1")
    await lab.foreign_keys_intact("src")


async def test_an_analyzer_marking_eth0_and_a_secondary_uses_the_secondary(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector)
    networks = [{"name": "tap", "cni-args": {keys.ANALYZER_INTERFACE: "true"}}]
    await analyzer(lab, "an", selector, networks=networks)
    await source(lab, "src", md)
    await mirrored_to(lab, "src", md, "an", analyzer_interface="eth1")
    vmis = await lab.vmis("an")
    assert keys.ANALYZER_INTERFACE in vmis["eth1"]["metadata"]["labels"]
    assert keys.ANALYZER_INTERFACE not in vmis["eth0"]["metadata"]["labels"]
    status = await lab.status(md)
    assert status["analyzerInterface"] == "eth1"
    assert "secondary eth1 is used" in status["observation"]
    assert status["routingInstance"] == f"default-domain:{lab.namespace}:tap:tap"
    # The secondary's mark withdrawn: eth0 becomes the analyzer interface, eth1 loses the label.
    unmarked = [{"name": "tap", "cni-args": {keys.ANALYZER_INTERFACE: "false"}}]
    await lab.annotate_pod("an", **{keys.NETWORKS: orjson.dumps(unmarked).decode()})
    await mirrored_to(lab, "src", md, "an", analyzer_interface="eth0", ri=RI)
    vmis = await lab.vmis("an")
    assert keys.ANALYZER_INTERFACE in vmis["eth0"]["metadata"]["labels"]
    assert keys.ANALYZER_INTERFACE not in vmis["eth1"]["metadata"]["labels"]
    await lab.foreign_keys_intact("an")
    await lab.foreign_keys_intact("src")


async def test_several_analyzers_for_one_selector(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector)
    await analyzer(lab, "first", selector)
    await analyzer(lab, "second", selector)
    await source(lab, "src", md)
    await mirrored_to(lab, "src", md, "first")  # the oldest pod wins
    status = await lab.status(md)
    assert f"{lab.namespace}/second eth0" in status["observation"]
    # Both pods are analyzers, so both are labelled as such.
    assert keys.ANALYZER_POD in (await lab.vm("second"))["metadata"]["labels"]
    await lab.delete_pod("first")
    await mirrored_to(lab, "src", md, "second")
    await lab.foreign_keys_intact("second")
    await lab.foreign_keys_intact("src")


async def test_an_external_analyzer(lab: Lab) -> None:
    md = unique("md")
    await lab.destination(md, None, {"externalAnalyzer": True, "analyzerIP": "198.51.100.7"})
    await source(lab, "src", md)

    async def configured() -> bool:
        config = await lab.configuration("src")
        return config is not None and config["analyzer_ip_address"] == "198.51.100.7"

    await eventually(configured, what="mirrored to the external analyzer")
    config = await lab.configuration("src")
    assert config is not None
    assert config["analyzer_macaddress"] is None
    assert config["ri"] is None
    status = await lab.status(md)
    assert (status["state"], status["analyzer"], status["ipAddress"]) == (
        "Success",
        "198.51.100.7",
        "198.51.100.7",
    )
    await lab.foreign_keys_intact("src")


async def test_an_interface_asked_to_mirror_to_itself(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector)
    await analyzer(lab, "an", selector, annotations={**ANALYZE, keys.MIRROR_DESTINATION: md})
    await eventually(lambda: lab.has_event("an", "SelfMirroring"), what="a SelfMirroring Warning")
    await not_configured(lab, "an", md)
    assert await lab.state(md) == "Success"
    assert (await lab.status(md))["sourceCount"] == 0
    await lab.foreign_keys_intact("an")


async def test_a_host_network_pod_is_ignored(lab: Lab) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector)
    await analyzer(lab, "an", selector)
    await source(lab, "host", md, host_network=True)
    await source(lab, "src", md)
    await mirrored_to(lab, "src", md, "an")
    assert await lab.vmis("host") == {}
    assert (await lab.status(md))["sourceCount"] == 1
    await lab.foreign_keys_intact("src")


async def test_two_destinations_with_many_sources_each(lab: Lab) -> None:
    per_destination = 8
    selectors = [unique("sel"), unique("sel")]
    mds = [unique("md"), unique("md")]
    for i, (selector, md) in enumerate(zip(selectors, mds, strict=True)):
        await lab.destination(md, selector)
        await analyzer(lab, f"an{i}", selector)
        for j in range(per_destination):
            await source(lab, f"src{i}-{j}", md)
    for i, md in enumerate(mds):
        for j in range(per_destination):
            await mirrored_to(lab, f"src{i}-{j}", md, f"an{i}")

    async def counted() -> bool:
        return all([(await lab.status(md)).get("sourceCount") == per_destination for md in mds])

    await eventually(counted, what="every source counted")
    # Moving the analyzer of the first reconfigures all of its sources, and only those.
    await lab.delete_pod("an0")
    await analyzer(lab, "an0", selectors[0])
    for j in range(per_destination):
        await mirrored_to(lab, f"src0-{j}", mds[0], "an0")
    await lab.foreign_keys_intact("src0-0")
    await lab.foreign_keys_intact("src1-0")


async def test_the_controller_identity_cannot_write_pods(
    lab: Lab, controller_client: Client
) -> None:
    await lab.pod("p", contrail=False)
    with pytest.raises(ForbiddenError):
        await controller_client.patch(
            PODS, "p", {"metadata": {"labels": {"x": "y"}}}, lab.namespace
        )
    with pytest.raises(ForbiddenError):
        await controller_client.delete(PODS, "p", lab.namespace)
