"""``mirrorctl explain`` as a process against the local control plane, with the controller
running (in-process, under its own RBAC) and kube-manager played by the emulator."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

import orjson
import pytest

from mirrorctl.cli.explain_args import ExplainRequest
from mirrorctl.cli.explain_cmd import explain as run_explain
from mirrorctl.cli.explain_target import parse_target
from mirrorctl.cli.settings import RunSettings
from mirrorctl.client import Client
from mirrorctl.client.resources import PODS
from mirrorctl.emulator import KubeManagerEmulator
from mirrorctl.emulator.render import POD_KEY_LABEL, pod_key_label
from mirrorctl.envtest import ControlPlane
from mirrorctl.manager import Manager, ManagerOptions
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.resources import contrail_resources
from mirrorctl.reconcilers import setup_mirroring

from .support import TIMEOUT, Finished, mirrorctl

pytestmark = pytest.mark.integration

R = contrail_resources()


@pytest.fixture(scope="module")
async def controller(
    control_plane: ControlPlane, crds: list[str], rbac: None
) -> AsyncIterator[Manager]:
    manager = await Manager.from_kubeconfig(
        control_plane.controller_kubeconfig, options=ManagerOptions(graceful_shutdown_timeout=10)
    )
    setup_mirroring(manager)
    task = asyncio.create_task(manager.start())
    try:
        yield manager
    finally:
        manager.stop()
        await asyncio.wait({task}, timeout=60)
        assert task.done(), "the controller did not stop"
        task.result()


async def eventually(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


class Lab:
    def __init__(self, admin: Client, namespace: str) -> None:
        self.admin = admin
        self.namespace = namespace
        self.emulator = KubeManagerEmulator(admin)
        self.tag = uuid.uuid4().hex[:8]

    async def pod(
        self,
        name: str,
        *,
        labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None,
    ) -> None:
        body = {
            "metadata": {"name": name, "labels": labels or {}, "annotations": annotations or {}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }
        pod = await self.admin.create(PODS, body, self.namespace)
        await self.emulator.ensure_pod(pod)  # kube-manager and the CNI, played now

    async def analyzer(self, name: str) -> str:
        """An analyzer pod; returns the selector value of its analyzer-pod label."""
        selector = f"sel-{self.tag}"
        await self.pod(
            name,
            labels={keys.ANALYZER_POD: selector},
            annotations={keys.ANALYZER_INTERFACE: "true"},
        )
        return selector

    async def destination(self, selector: str) -> str:
        name = f"md-{self.tag}"
        body = {
            "apiVersion": R.mirror_destinations.api_version,
            "kind": "MirrorDestination",
            "metadata": {"name": name, "labels": {keys.ANALYZER_POD_SELECTOR: selector}},
            "spec": {},
        }
        await self.admin.create(R.mirror_destinations, body)
        return name

    async def source(self, name: str, destination: str) -> None:
        await self.pod(name, annotations={keys.MIRROR_DESTINATION: destination})

    async def vmi_keys(self, pod: str) -> tuple[str | None, str | None]:
        """(mirror-destination label, mirroring-configuration annotation) on the pod's eth0 VMI."""
        selector = f"{POD_KEY_LABEL}={pod_key_label(self.namespace, pod)}"
        found = await self.admin.list(
            R.virtual_machine_interfaces, self.namespace, label_selector=selector
        )
        (vmi,) = found["items"]
        meta = vmi["metadata"]
        return (
            (meta.get("labels") or {}).get(keys.MIRROR_DESTINATION),
            (meta.get("annotations") or {}).get(keys.MIRRORING_CONFIGURATION),
        )

    async def state(self, destination: str) -> tuple[str | None, str | None]:
        status = (await self.admin.get(R.mirror_destinations, destination)).get("status") or {}
        ready = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
        return status.get("state"), ready[0].get("reason") if ready else None

    async def instance_ips(self, pod: str) -> list[str]:
        selector = f"{POD_KEY_LABEL}={pod_key_label(self.namespace, pod)}"
        found = await self.admin.list(R.instance_ips, label_selector=selector)
        return [iip["metadata"]["name"] for iip in found["items"]]


@pytest.fixture
def lab(admin_client: Client, namespace: str, controller: Manager) -> Lab:
    return Lab(admin_client, namespace)


async def explain(control_plane: ControlPlane, *args: str) -> Finished:
    """As a user runs it: a process, its output and its exit code."""
    return await mirrorctl(
        "explain", *args, "--kubeconfig", str(control_plane.admin_kubeconfig), timeout=60
    )


async def explain_here(
    control_plane: ControlPlane,
    words: list[str],
    namespace: str | None = None,
    output: Literal["text", "json"] = "json",
) -> Finished:
    """The same command in this process (no interpreter start-up per question)."""
    settings = RunSettings.load({"kubeconfig": control_plane.admin_kubeconfig}, None)
    request = ExplainRequest(parse_target(words), namespace, output, 60.0)
    stdout, stderr = io.StringIO(), io.StringIO()
    code = await run_explain(settings, request, stdout=stdout, stderr=stderr)
    return Finished(code, stdout.getvalue(), stderr.getvalue())


def _json(finished: Finished) -> dict[str, Any]:
    assert finished.code == 0, finished
    return dict(orjson.loads(finished.stdout))


def _broken(links: list[dict[str, Any]]) -> dict[str, Any]:
    return next(link for link in links if link["mark"] in ("missing", "invalid"))


async def test_a_mirrored_pod(lab: Lab, control_plane: ControlPlane) -> None:
    selector = await lab.analyzer("analyzer")
    md = await lab.destination(selector)
    await lab.source("source", md)

    async def mirrored() -> bool:
        return (await lab.vmi_keys("source"))[1] is not None

    await eventually(mirrored, "the source VMI's mirroring configuration")
    (address,) = await lab.instance_ips("analyzer")
    iip = await lab.admin.get(R.instance_ips, address)
    ip = iip["spec"]["instanceIPAddress"]

    pod = _json(await explain(control_plane, "source", "-n", lab.namespace, "-o", "json"))
    (interface,) = pod["interfaces"]
    assert interface["state"] == "mirrored"
    assert interface["receiver"]["receiver"]["ip_address"] == ip
    assert interface["receiver"]["receiver"]["pod"] == f"{lab.namespace}/analyzer"
    assert {link["mark"] for link in interface["links"]} == {"ok"}
    configuration = orjson.loads((await lab.vmi_keys("source"))[1] or "")
    assert interface["on_vmi"]["mirroring_configuration"] == configuration
    assert pod["pending"] == []

    text = await explain(control_plane, "pod", "source", "-n", lab.namespace)
    assert text.code == 0, text
    assert "eth0 (default network): MIRRORED" in text.stdout
    assert f"MirrorDestination {md}" in text.stdout

    destination = _json(await explain_here(control_plane, ["md", md]))
    assert destination["receiver"]["state"] == "Success"
    assert destination["status_current"] is True
    assert [(s["pod"], s["state"]) for s in destination["sources"]] == [
        (f"{lab.namespace}/source", "mirrored")
    ]


async def test_a_pod_whose_mirror_destination_is_missing(
    lab: Lab, control_plane: ControlPlane
) -> None:
    missing = f"md-missing-{lab.tag}"
    await lab.source("orphan", missing)

    async def labelled() -> bool:
        return (await lab.vmi_keys("orphan"))[0] == missing

    await eventually(labelled, "the orphan VMI's label")
    pod = _json(await explain_here(control_plane, ["orphan"], lab.namespace))
    (interface,) = pod["interfaces"]
    assert interface["state"] == "not-mirrored"
    broken = _broken(interface["links"])
    assert (broken["kind"], broken["name"], broken["mark"]) == (
        "MirrorDestination",
        missing,
        "missing",
    )
    assert interface["on_vmi"]["mirroring_configuration"] is None
    assert "MirrorDestinationNotFound" in [e["reason"] for e in pod["problems"]]

    text = await explain_here(control_plane, ["orphan"], lab.namespace, "text")
    assert any(
        line.split()[:3] == ["MISSING", "MirrorDestination", missing]
        for line in text.stdout.splitlines()
    ), text.stdout


async def test_a_pod_whose_analyzer_has_no_ip(lab: Lab, control_plane: ControlPlane) -> None:
    selector = await lab.analyzer("analyzer")
    for name in await lab.instance_ips("analyzer"):
        await lab.admin.delete(R.instance_ips, name)
    await lab.admin.patch(
        PODS, "analyzer", {"metadata": {"annotations": {keys.NETWORK_STATUS: None}}}, lab.namespace
    )
    md = await lab.destination(selector)
    await lab.source("source", md)

    async def pending() -> bool:
        labelled = (await lab.vmi_keys("source"))[0] == md
        return labelled and await lab.state(md) == ("Pending", "AnalyzerIPNotFound")

    await eventually(pending, "the MirrorDestination waiting for the analyzer's IP")
    pod = _json(await explain_here(control_plane, ["source"], lab.namespace))
    (interface,) = pod["interfaces"]
    assert interface["state"] == "not-mirrored"
    broken = _broken(interface["links"])
    assert (broken["kind"], broken["mark"]) == ("IP address", "missing")
    assert "InstanceIP" in broken["detail"]
    kinds = [link["kind"] for link in interface["links"]]
    assert kinds.index("MAC address") < kinds.index("IP address")
    assert interface["receiver"]["reason"] == "AnalyzerIPNotFound"

    destination = _json(await explain_here(control_plane, [f"md/{md}"]))
    assert destination["receiver"]["state"] == "Pending"
    assert destination["receiver"]["links"][-1]["kind"] == "IP address"
    assert destination["status"]["state"] == "Pending"


async def test_what_does_not_exist(lab: Lab, control_plane: ControlPlane) -> None:
    pod = await explain(control_plane, "ghost", "-n", lab.namespace)
    assert pod.code == 1
    assert f"pod {lab.namespace}/ghost not found" in pod.stderr
    md = await explain(control_plane, "md", f"ghost-{lab.tag}")
    assert md.code == 1
    assert "not found" in md.stderr
    assert pod.stdout == md.stdout == ""
