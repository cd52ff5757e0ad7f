from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from mirrorctl.client import Client
from mirrorctl.client.resources import PODS
from mirrorctl.emulator import KubeManagerEmulator, setup_emulator
from mirrorctl.emulator.render import POD_KEY_LABEL, pod_key_label
from mirrorctl.manager.manager import Manager
from mirrorctl.mirroring.keys import NETWORK_STATUS, NETWORKS
from mirrorctl.mirroring.resources import contrail_resources

pytestmark = pytest.mark.integration
R = contrail_resources()
T = TypeVar("T")


def _pod(name: str, networks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    annotations = {NETWORKS: json.dumps(networks)} if networks else {}
    return {
        "metadata": {"name": name, "annotations": annotations},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }


async def _made_for(client: Client, namespace: str, name: str) -> dict[str, list[dict[str, Any]]]:
    selector = f"{POD_KEY_LABEL}={pod_key_label(namespace, name)}"
    return {
        "vm": (await client.list(R.virtual_machines, label_selector=selector))["items"],
        "vmi": (
            await client.list(R.virtual_machine_interfaces, namespace, label_selector=selector)
        )["items"],
        "iip": (await client.list(R.instance_ips, label_selector=selector))["items"],
    }


async def test_pod_with_one_interface(
    admin_client: Client, crds: list[str], namespace: str
) -> None:
    emulator = KubeManagerEmulator(admin_client)
    pod = await admin_client.create(PODS, _pod("one"), namespace)
    await emulator.ensure_pod(pod)
    made = await _made_for(admin_client, namespace, "one")
    assert [len(made[k]) for k in ("vm", "vmi", "iip")] == [1, 1, 1]
    vmi = made["vmi"][0]
    assert vmi["metadata"]["annotations"]["interface"] == "eth0"
    assert vmi["metadata"]["annotations"]["index"] == "0/1"
    assert vmi["metadata"]["annotations"]["kube-manager.juniper.net/pod-name"] == "one"
    ri = vmi["status"]["routingInstanceReferences"][0]["fqName"]
    assert ri == [
        "default-domain",
        "mirrorctl-envtest-contrail",
        "default-podnetwork",
        "default-podnetwork",
    ]
    iip = made["iip"][0]
    assert iip["spec"]["virtualMachineInterfaceReferences"][0]["name"] == vmi["metadata"]["name"]
    assert iip["spec"]["instanceIPAddress"].startswith("10.128.")
    status = json.loads(
        (await admin_client.get(PODS, "one", namespace))["metadata"]["annotations"][NETWORK_STATUS]
    )
    assert status[0]["default"] is True
    assert status[0]["mac"] == vmi["spec"]["virtualMachineInterfaceMacAddresses"]["macAddress"][0]

    await admin_client.delete(PODS, "one", namespace)
    assert await emulator.remove_pod(namespace, "one") == 3
    made = await _made_for(admin_client, namespace, "one")
    assert made == {"vm": [], "vmi": [], "iip": []}


async def test_pod_with_three_interfaces_and_a_removed_network(
    admin_client: Client, crds: list[str], namespace: str
) -> None:
    emulator = KubeManagerEmulator(admin_client)
    networks = [{"name": "blue"}, {"name": "red", "interface": "net9"}]
    pod = await admin_client.create(PODS, _pod("three", networks), namespace)
    await emulator.ensure_pod(pod)
    made = await _made_for(admin_client, namespace, "three")
    interfaces = sorted(v["metadata"]["annotations"]["interface"] for v in made["vmi"])
    assert interfaces == ["eth0", "eth1", "net9"]
    addresses = {i["spec"]["instanceIPAddress"] for i in made["iip"]}
    assert len(addresses) == 3
    vmi_blue = next(v for v in made["vmi"] if v["metadata"]["annotations"]["interface"] == "eth1")
    assert vmi_blue["spec"]["virtualNetworkReference"]["fqName"] == [
        "default-domain",
        namespace,
        "blue",
    ]
    # Ensuring again changes nothing and keeps every address.
    again = await admin_client.get(PODS, "three", namespace)
    await emulator.ensure_pod(again)
    assert {
        i["spec"]["instanceIPAddress"]
        for i in (await _made_for(admin_client, namespace, "three"))["iip"]
    } == addresses

    # Dropping a network removes its interface's VMI and InstanceIP.
    again["metadata"]["annotations"][NETWORKS] = json.dumps(networks[:1])
    await emulator.ensure_pod(again)
    made = await _made_for(admin_client, namespace, "three")
    assert sorted(v["metadata"]["annotations"]["interface"] for v in made["vmi"]) == [
        "eth0",
        "eth1",
    ]
    assert len(made["iip"]) == 2

    await admin_client.delete(PODS, "three", namespace)
    assert await emulator.remove_pod(namespace, "three") == 5


async def test_host_network_pod_gets_nothing(
    admin_client: Client, crds: list[str], namespace: str
) -> None:
    emulator = KubeManagerEmulator(admin_client)
    body = _pod("host")
    body["spec"]["hostNetwork"] = True
    pod = await admin_client.create(PODS, body, namespace)
    assert await emulator.ensure_pod(pod) is None
    assert await _made_for(admin_client, namespace, "host") == {"vm": [], "vmi": [], "iip": []}


async def test_foreign_labels_survive_a_reapply(
    admin_client: Client, crds: list[str], namespace: str
) -> None:
    emulator = KubeManagerEmulator(admin_client)
    pod = await admin_client.create(PODS, _pod("keep"), namespace)
    objects = await emulator.ensure_pod(pod)
    assert objects is not None
    vmi_name = objects.vmis[0]["metadata"]["name"]
    await admin_client.patch(
        R.virtual_machine_interfaces,
        vmi_name,
        {"metadata": {"labels": {"someone/else": "x"}, "annotations": {"someone/note": "y"}}},
        namespace,
    )
    await emulator.ensure_pod(pod)
    vmi = await admin_client.get(R.virtual_machine_interfaces, vmi_name, namespace)
    assert vmi["metadata"]["labels"]["someone/else"] == "x"
    assert vmi["metadata"]["annotations"]["someone/note"] == "y"


async def test_emulator_controller_follows_pods(
    admin_client: Client, crds: list[str], namespace: str
) -> None:
    manager = Manager(admin_client)
    setup_emulator(manager)
    task = asyncio.create_task(manager.start())
    try:
        await admin_client.create(PODS, _pod("live", [{"name": "blue"}]), namespace)
        made = await _eventually(
            lambda: _made_for(admin_client, namespace, "live"),
            lambda m: len(m["vmi"]) == 2 and len(m["iip"]) == 2 and len(m["vm"]) == 1,
        )
        assert made["vm"][0]["spec"]["serverName"] == "live"
        await admin_client.delete(PODS, "live", namespace)
        await _eventually(
            lambda: _made_for(admin_client, namespace, "live"),
            lambda m: m == {"vm": [], "vmi": [], "iip": []},
        )
    finally:
        manager.stop()
        await task


async def _eventually(
    probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 30.0
) -> T:
    async with asyncio.timeout(timeout):
        while True:
            value = await probe()
            if done(value):
                return value
            await asyncio.sleep(0.1)
