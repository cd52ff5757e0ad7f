"""Benchmark data, made fast as the admin: source pods with their VMI (shaped exactly as the
kube-manager emulator renders it), analyzer pods with everything the emulator makes, and
MirrorDestinations.

Source pods get only the VMI: the source side of mirroring reads the pod and its VMIs, never a
source's VirtualMachine or InstanceIP, so 10,000 of those would only slow the set-up down.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mirrorctl.client import AlreadyExistsError, Client
from mirrorctl.client.resources import NAMESPACES, PODS
from mirrorctl.emulator import KubeManagerEmulator
from mirrorctl.emulator.ipam import AddressPools
from mirrorctl.emulator.render import render_pod
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.resources import contrail_resources

__all__ = [
    "CLUSTER",
    "Analyzer",
    "R",
    "create_analyzer",
    "create_sources",
    "ensure_namespace",
    "put_destination",
    "set_analyzer_ip",
    "source_pod_name",
]

R = contrail_resources()
CLUSTER = "mirrorctl-envtest"  # the emulator's kube-manager cluster name
CREATE_CONCURRENCY = 24


async def ensure_namespace(admin: Client, name: str) -> None:
    with contextlib.suppress(AlreadyExistsError):
        await admin.create(NAMESPACES, {"metadata": {"name": name}})


def source_pod_name(prefix: str, i: int) -> str:
    return f"{prefix}-{i:05d}"


def _pod(name: str, annotations: dict[str, str], labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels, "annotations": annotations},
        "spec": {"containers": [{"name": "app", "image": "registry.example/app:1"}]},
    }


async def _retrying(make: Callable[[], Any]) -> Any:
    """Creates right after a CRD is established can be refused for a moment; and a loaded
    two-core machine times out now and then."""
    for attempt in range(30):
        try:
            return await make()
        except AlreadyExistsError:
            return None
        except Exception:
            if attempt == 29:
                raise
            await asyncio.sleep(0.5)
    return None


async def create_sources(
    admin: Client,
    namespace: str,
    count: int,
    destination_of: Callable[[int], str | None],
    *,
    prefix: str = "src",
    labels: dict[str, str] | None = None,
) -> list[str]:
    """``count`` pods asking (by annotation) for mirroring of eth0 to ``destination_of(i)``,
    each with its eth0 VMI; returns the VMI names. Existing objects are kept."""
    pools = AddressPools()
    names = [source_pod_name(prefix, i) for i in range(count)]
    vmi_names: list[str] = [""] * count
    pending = iter(range(count))

    async def one(i: int) -> None:
        destination = destination_of(i)
        annotations = {keys.MIRROR_DESTINATION: destination} if destination else {}
        body = _pod(names[i], annotations, dict(labels or {}))
        created = await _retrying(lambda: admin.create(PODS, body, namespace))
        pod = created or await admin.get(PODS, names[i], namespace)
        objects = render_pod(pod, cluster_name=CLUSTER, resources=R, pools=pools)
        assert objects is not None
        vmi = objects.vmis[0]
        vmi_names[i] = vmi["metadata"]["name"]
        await _retrying(lambda: admin.create(R.virtual_machine_interfaces, vmi, namespace))

    async def creator() -> None:
        for i in pending:
            await one(i)

    await asyncio.gather(*(creator() for _ in range(CREATE_CONCURRENCY)))
    return vmi_names


@dataclass(frozen=True, slots=True)
class Analyzer:
    namespace: str
    pod: str
    instance_ip: str  # the InstanceIP's name: changing its address changes the analyzer's IP
    address: str


async def create_analyzer(admin: Client, namespace: str, name: str, selector: str) -> Analyzer:
    """An analyzer pod (eth0 marked as the analyzer interface) and, by the emulator, its VM,
    VMI, InstanceIP, network and routing instance."""
    body = _pod(name, {keys.ANALYZER_INTERFACE: "true"}, {keys.ANALYZER_POD: selector})
    await _retrying(lambda: admin.create(PODS, body, namespace))
    pod = await admin.get(PODS, name, namespace)
    emulator = KubeManagerEmulator(admin, cluster_name=CLUSTER)
    made = await emulator.ensure_pod(pod)
    assert made is not None
    (iip,) = made.instance_ips
    return Analyzer(namespace, name, iip["metadata"]["name"], iip["spec"]["instanceIPAddress"])


async def set_analyzer_ip(admin: Client, analyzer: Analyzer, address: str) -> Analyzer:
    """What kube-manager does when the analyzer's address changes."""
    patch = {"spec": {"instanceIPAddress": address}}
    await admin.patch(R.instance_ips, analyzer.instance_ip, patch)
    return Analyzer(analyzer.namespace, analyzer.pod, analyzer.instance_ip, address)


async def put_destination(
    admin: Client, name: str, *, selector: str | None = None, spec: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Create the MirrorDestination, or replace its spec and selector if it exists."""
    labels = {keys.ANALYZER_POD_SELECTOR: selector} if selector else {}
    body = {
        "apiVersion": R.mirror_destinations.api_version,
        "kind": "MirrorDestination",
        "metadata": {"name": name, "labels": labels},
        "spec": dict(spec or {}),
    }
    created: dict[str, Any] | None = await _retrying(
        lambda: admin.create(R.mirror_destinations, body)
    )
    if created is not None:
        return created
    patched: dict[str, Any] = await admin.patch(
        R.mirror_destinations, name, {"metadata": {"labels": labels}, "spec": dict(spec or {})}
    )
    return patched
