"""What kube-manager and the CNI would create for one pod, as plain manifests (pure)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from mirrorctl.emulator.ipam import AddressPools
from mirrorctl.mirroring.interfaces import PodInterface, pod_interfaces
from mirrorctl.mirroring.keys import (
    KUBE_MANAGER_POD_CLUSTER_NAME,
    KUBE_MANAGER_POD_NAME,
    KUBE_MANAGER_POD_NAMESPACE,
    VMI_INDEX,
    VMI_INTERFACE,
)
from mirrorctl.mirroring.resources import ContrailResources

__all__ = [
    "DEFAULT_NETWORK",
    "POD_KEY_LABEL",
    "POD_UID_ANNOTATION",
    "NetworkRef",
    "PodObjects",
    "default_network",
    "pod_key_label",
    "render_pod",
]

DOMAIN = "default-domain"
DEFAULT_NETWORK = "default-podnetwork"
# Lets the emulator find what it made for a pod after the pod is gone.
POD_KEY_LABEL = "emulator.mirrorctl.dev/pod-key"
# The pod generation an InstanceIP's address was given to (see AddressPools).
POD_UID_ANNOTATION = "emulator.mirrorctl.dev/pod-uid"
_MAX_NAME = 253


@dataclass(frozen=True, slots=True)
class NetworkRef:
    namespace: str
    name: str

    @property
    def fq_name(self) -> list[str]:
        return [DOMAIN, self.namespace, self.name]


@dataclass(frozen=True, slots=True)
class PodObjects:
    networks: tuple[NetworkRef, ...]
    vm: dict[str, Any]
    vmis: tuple[dict[str, Any], ...]
    vmi_statuses: tuple[dict[str, Any], ...]
    instance_ips: tuple[dict[str, Any], ...]
    network_status: str  # the pod's k8s.v1.cni.cncf.io/network-status, as the CNI writes it


def pod_key_label(namespace: str, name: str) -> str:
    return hashlib.sha1(f"{namespace}/{name}".encode()).hexdigest()


def _name(*parts: str) -> str:
    joined = ".".join(parts)
    if len(joined) <= _MAX_NAME:
        return joined
    return f"{parts[-1]}-{hashlib.sha1(joined.encode()).hexdigest()}"


def _mac(uid: str, interface: str) -> str:
    digest = hashlib.sha1(f"{uid}/{interface}".encode()).digest()
    # 02: locally administered, unicast.
    return ":".join(["02", *(f"{b:02x}" for b in digest[:5])])


def default_network(cluster_name: str) -> NetworkRef:
    return NetworkRef(f"{cluster_name}-contrail", DEFAULT_NETWORK)


def _network_of(interface: PodInterface, cluster_name: str) -> NetworkRef:
    if interface.network is None:
        return default_network(cluster_name)
    namespace, _, name = interface.network.partition("/")
    return NetworkRef(namespace, name)


def _ref(
    res_kind: str, api_version: str, name: str, namespace: str | None, fq: list[str]
) -> dict[str, Any]:
    ref: dict[str, Any] = {"apiVersion": api_version, "kind": res_kind, "name": name, "fqName": fq}
    if namespace is not None:
        ref["namespace"] = namespace
    return ref


def render_pod(
    pod: Mapping[str, Any],
    *,
    cluster_name: str,
    resources: ContrailResources,
    pools: AddressPools,
) -> PodObjects | None:
    """The VM, VMIs, InstanceIPs and network-status for ``pod``; None for hostNetwork pods."""
    if (pod.get("spec") or {}).get("hostNetwork"):
        return None
    meta = pod["metadata"]
    namespace, name, uid = meta["namespace"], meta["name"], meta.get("uid", "")
    interfaces = pod_interfaces(pod).interfaces
    api_version = resources.virtual_machines.api_version
    kube_manager = {
        KUBE_MANAGER_POD_NAME: name,
        KUBE_MANAGER_POD_NAMESPACE: namespace,
        KUBE_MANAGER_POD_CLUSTER_NAME: cluster_name,
    }
    labels = {POD_KEY_LABEL: pod_key_label(namespace, name)}
    vm_name = _name(namespace, name)
    vm_fq = [DOMAIN, vm_name]
    vm = {
        "apiVersion": api_version,
        "kind": "VirtualMachine",
        "metadata": {"name": vm_name, "labels": labels, "annotations": kube_manager},
        "spec": {
            "serverType": "container",
            "serverName": name,
            "serverNamespace": namespace,
            "fqName": vm_fq,
        },
    }
    vmis, statuses, iips, status_entries, networks = [], [], [], [], []
    for position, interface in enumerate(interfaces):
        network = _network_of(interface, cluster_name)
        if network not in networks:
            networks.append(network)
        vmi_name = _name(name, interface.name)
        mac = _mac(uid, interface.name)
        vmi_fq = [DOMAIN, namespace, vmi_name]
        vmi = {
            "apiVersion": api_version,
            "kind": "VirtualMachineInterface",
            "metadata": {
                "name": vmi_name,
                "namespace": namespace,
                "labels": labels,
                "annotations": {
                    **kube_manager,
                    VMI_INDEX: f"{position}/{len(interfaces)}",
                    VMI_INTERFACE: interface.name,
                },
            },
            "spec": {
                "fqName": vmi_fq,
                "virtualMachineInterfaceMacAddresses": {"macAddress": [mac]},
                "virtualNetworkReference": _ref(
                    "VirtualNetwork",
                    api_version,
                    network.name,
                    network.namespace,
                    network.fq_name,
                ),
                "virtualMachineReferences": [
                    _ref("VirtualMachine", api_version, vm_name, None, vm_fq)
                ],
            },
        }
        status = {
            "apiVersion": api_version,
            "kind": "VirtualMachineInterface",
            "metadata": {"name": vmi_name, "namespace": namespace},
            "status": {
                "state": "Success",
                "routingInstanceReferences": [
                    _ref(
                        "RoutingInstance",
                        api_version,
                        network.name,
                        network.namespace,
                        [*network.fq_name, network.name],
                    )
                ],
            },
        }
        iip_name = _name(namespace, name, interface.name)
        network_key = interface.network
        address = pools.allocate(network_key, iip_name, uid)
        iip = {
            "apiVersion": api_version,
            "kind": "InstanceIP",
            "metadata": {
                "name": iip_name,
                "labels": labels,
                "annotations": {**kube_manager, POD_UID_ANNOTATION: uid},
            },
            "spec": {
                "instanceIPAddress": address,
                "instanceIPFamily": "v4",
                "fqName": [iip_name],
                "virtualMachineInterfaceReferences": [
                    _ref("VirtualMachineInterface", api_version, vmi_name, namespace, vmi_fq)
                ],
                "virtualNetworkReference": _ref(
                    "VirtualNetwork",
                    api_version,
                    network.name,
                    network.namespace,
                    network.fq_name,
                ),
            },
        }
        vmis.append(vmi)
        statuses.append(status)
        iips.append(iip)
        entry: dict[str, Any] = {
            "name": f"{network.namespace}/{network.name}",
            "interface": interface.name,
            "ips": [address],
            "mac": mac,
        }
        if interface.is_default:
            entry["default"] = True
        status_entries.append(entry)
    return PodObjects(
        networks=tuple(networks),
        vm=vm,
        vmis=tuple(vmis),
        vmi_statuses=tuple(statuses),
        instance_ips=tuple(iips),
        network_status=orjson.dumps(status_entries).decode(),
    )
