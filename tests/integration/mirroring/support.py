"""Helpers for the mirroring lifecycle tests: polling, test data made as the admin (playing
kube-manager with the emulator), and reads of what the controller wrote."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson

from mirrorctl.client import Client, NotFoundError, PatchType
from mirrorctl.client.resources import EVENTS, PODS
from mirrorctl.emulator import KubeManagerEmulator
from mirrorctl.emulator.render import POD_KEY_LABEL, pod_key_label
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.resources import contrail_resources

__all__ = [
    "CLUSTER",
    "FOREIGN_ANNOTATION",
    "FOREIGN_LABEL",
    "TIMEOUT",
    "Lab",
    "R",
    "eventually",
    "unique",
]

R = contrail_resources()
CLUSTER = "mirrorctl-envtest"  # the emulator's kube-manager cluster name
# Generous: only keeps a broken build from hanging, never a statement about speed.
TIMEOUT = 90.0
FOREIGN_LABEL = ("foreign.example.com/owner", "cn2")
FOREIGN_ANNOTATION = ("foreign.example.com/note", "not mirrorctl's")


def unique(prefix: str) -> str:
    """Cluster-scoped objects outlive their test's namespace: names never repeat."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, what: str, timeout: float = TIMEOUT
) -> None:
    """Poll until ``condition`` holds; the apiserver side has no event to wait on."""
    deadline = time.monotonic() + timeout
    while True:
        if await condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


def _pod_body(
    name: str,
    *,
    labels: Mapping[str, str] | None,
    annotations: Mapping[str, str] | None,
    networks: list[dict[str, Any]] | str | None,
    host_network: bool,
) -> dict[str, Any]:
    notes = dict(annotations or {})
    if networks is not None:
        notes[keys.NETWORKS] = (
            networks if isinstance(networks, str) else orjson.dumps(networks).decode()
        )
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "busybox"}]}
    if host_network:
        spec["hostNetwork"] = True
    return {
        "metadata": {"name": name, "labels": dict(labels or {}), "annotations": notes},
        "spec": spec,
    }


class Lab:
    """Test data in one namespace, made as the admin; kube-manager is played explicitly (the
    emulator's ``ensure_pod``) so a test decides when Contrail objects appear."""

    def __init__(self, admin: Client, namespace: str) -> None:
        self.admin = admin
        self.namespace = namespace
        self.emulator = KubeManagerEmulator(admin, cluster_name=CLUSTER)

    # -- pods ------------------------------------------------------------------------------

    async def pod(
        self,
        name: str,
        *,
        labels: Mapping[str, str] | None = None,
        annotations: Mapping[str, str] | None = None,
        networks: list[dict[str, Any]] | str | None = None,
        host_network: bool = False,
        contrail: bool = True,
    ) -> dict[str, Any]:
        """Create a pod and (unless ``contrail`` is False) what kube-manager would make for
        it, with a foreign label and annotation on its VM and VMIs."""
        body = _pod_body(
            name,
            labels=labels,
            annotations=annotations,
            networks=networks,
            host_network=host_network,
        )
        pod = await self.admin.create(PODS, body, self.namespace)
        if contrail:
            await self.contrail(name)
        return pod

    async def contrail(self, name: str) -> None:
        """Play kube-manager (and the CNI) for the pod as it is now."""
        pod = await self.admin.get(PODS, name, self.namespace)
        made = await self.emulator.ensure_pod(pod)
        if made is None:
            return
        foreign = {
            "metadata": {
                "labels": dict([FOREIGN_LABEL]),
                "annotations": dict([FOREIGN_ANNOTATION]),
            }
        }
        await self.admin.patch(R.virtual_machines, made.vm["metadata"]["name"], foreign)
        for vmi in made.vmis:
            await self.admin.patch(
                R.virtual_machine_interfaces, vmi["metadata"]["name"], foreign, self.namespace
            )

    async def edit_pod(self, name: str, patch: dict[str, Any]) -> None:
        await self.admin.patch(PODS, name, patch, self.namespace)

    async def annotate_pod(self, name: str, **annotations: str | None) -> None:
        await self.edit_pod(name, {"metadata": {"annotations": annotations}})

    async def delete_pod(self, name: str, *, contrail: bool = True) -> None:
        # Never scheduled, so deleted at once (no kubelet to wait for).
        await self.admin.delete(PODS, name, self.namespace)
        if contrail:
            await self.emulator.remove_pod(self.namespace, name)

    # -- MirrorDestinations --------------------------------------------------------------------

    async def destination(
        self, name: str, selector: str | None, spec: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        labels = {keys.ANALYZER_POD_SELECTOR: selector} if selector is not None else {}
        body = {
            "apiVersion": R.mirror_destinations.api_version,
            "kind": "MirrorDestination",
            "metadata": {"name": name, "labels": labels},
            "spec": dict(spec or {}),
        }
        return await self.admin.create(R.mirror_destinations, body)

    async def edit_destination(self, name: str, spec: Mapping[str, Any]) -> None:
        await self.admin.patch(R.mirror_destinations, name, {"spec": dict(spec)})

    async def status(self, name: str) -> dict[str, Any]:
        try:
            md = await self.admin.get(R.mirror_destinations, name)
        except NotFoundError:
            return {}
        status = md.get("status")
        return status if isinstance(status, dict) else {}

    async def state(self, name: str) -> str | None:
        return (await self.status(name)).get("state")

    async def ready_reason(self, name: str) -> str | None:
        for condition in (await self.status(name)).get("conditions") or []:
            if condition.get("type") == "Ready":
                return str(condition.get("reason"))
        return None

    # -- Contrail objects ------------------------------------------------------------------------

    async def vmis(self, pod: str) -> dict[str, dict[str, Any]]:
        """The pod's VMIs by interface name."""
        selector = f"{POD_KEY_LABEL}={pod_key_label(self.namespace, pod)}"
        found = await self.admin.list(
            R.virtual_machine_interfaces, self.namespace, label_selector=selector
        )
        return {v["metadata"]["annotations"][keys.VMI_INTERFACE]: v for v in found["items"]}

    async def vmi(self, pod: str, interface: str = "eth0") -> dict[str, Any]:
        return (await self.vmis(pod))[interface]

    async def vm(self, pod: str) -> dict[str, Any]:
        selector = f"{POD_KEY_LABEL}={pod_key_label(self.namespace, pod)}"
        found = await self.admin.list(R.virtual_machines, label_selector=selector)
        (vm,) = found["items"]
        return dict(vm)

    async def configuration(self, pod: str, interface: str = "eth0") -> dict[str, Any] | None:
        """The mirroring configuration on the pod interface's VMI, parsed; None if absent."""
        vmis = await self.vmis(pod)
        if interface not in vmis:
            return None
        text = (vmis[interface]["metadata"].get("annotations") or {}).get(
            keys.MIRRORING_CONFIGURATION
        )
        return None if text is None else dict(orjson.loads(text))

    async def mirror_label(self, pod: str, interface: str = "eth0") -> str | None:
        vmis = await self.vmis(pod)
        if interface not in vmis:
            return None
        return (vmis[interface]["metadata"].get("labels") or {}).get(keys.MIRROR_DESTINATION)

    async def analyzer_address(self, pod: str, interface: str = "eth0") -> tuple[str, str]:
        """(IP, MAC) kube-manager gave the pod's interface."""
        vmi = await self.vmi(pod, interface)
        mac = vmi["spec"]["virtualMachineInterfaceMacAddresses"]["macAddress"][0]
        found = await self.admin.list(R.instance_ips, label_selector=f"{POD_KEY_LABEL}")
        iip = _instance_ip_naming(found["items"], self.namespace, vmi["metadata"]["name"])
        if iip is None:
            raise AssertionError(f"no InstanceIP for {pod} {interface}")
        return iip["spec"]["instanceIPAddress"], mac

    async def instance_ip(self, pod: str, interface: str = "eth0") -> str:
        """The name of the InstanceIP that names the pod interface's VMI in full."""
        vmi = await self.vmi(pod, interface)
        found = await self.admin.list(R.instance_ips, label_selector=POD_KEY_LABEL)
        iip = _instance_ip_naming(found["items"], self.namespace, vmi["metadata"]["name"])
        if iip is None:
            raise AssertionError(f"no InstanceIP for {pod} {interface}")
        return str(iip["metadata"]["name"])

    async def foreign_keys_intact(self, pod: str) -> None:
        """The label and annotation someone else put on the pod's VM and VMIs are still there."""
        objects = [await self.vm(pod), *(await self.vmis(pod)).values()]
        for obj in objects:
            meta = obj["metadata"]
            assert (meta.get("labels") or {}).get(FOREIGN_LABEL[0]) == FOREIGN_LABEL[1], meta
            annotations = meta.get("annotations") or {}
            assert annotations.get(FOREIGN_ANNOTATION[0]) == FOREIGN_ANNOTATION[1], meta
            assert annotations.get(keys.KUBE_MANAGER_POD_NAME) == pod

    # -- Events ----------------------------------------------------------------------------------

    async def events(self, name: str, namespace: str | None = None) -> list[tuple[str, str]]:
        """(type, reason) of the Events about the object ``name``."""
        found = await self.admin.list(EVENTS, namespace or self.namespace)
        return [
            (e["type"], e["reason"])
            for e in found["items"]
            if e["involvedObject"].get("name") == name
        ]

    async def has_event(self, name: str, reason: str, namespace: str | None = None) -> bool:
        return reason in {r for _, r in await self.events(name, namespace)}

    async def apply(self, res: Any, body: dict[str, Any], *, status: bool = False) -> None:
        """Write a Contrail object by hand, as kube-manager would (server-side apply)."""
        meta = body["metadata"]
        await self.admin.patch(
            res,
            meta["name"],
            body,
            meta.get("namespace"),
            patch_type=PatchType.APPLY,
            field_manager="kube-manager-by-hand",
            force=True,
            subresource="status" if status else None,
        )


def _instance_ip_naming(
    iips: list[dict[str, Any]], namespace: str, vmi: str
) -> dict[str, Any] | None:
    """The InstanceIP whose references name ``namespace/vmi`` (other tests' InstanceIPs, all
    cluster-scoped, may reference theirs in other forms)."""
    for iip in iips:
        refs = iip["spec"].get("virtualMachineInterfaceReferences") or []
        if any((r.get("namespace"), r.get("name")) == (namespace, vmi) for r in refs):
            return iip
    return None
