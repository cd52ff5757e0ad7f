"""Raw objects shaped like the apiserver's, for the mirroring unit tests."""

from __future__ import annotations

from typing import Any

import orjson

from mirrorctl.mirroring import keys

__all__ = ["iip", "md", "pod", "vm", "vmi"]

API = "core.contrail.juniper.net/v1alpha1"


def pod(
    name: str = "p",
    namespace: str = "ns",
    *,
    uid: str | None = None,
    created: str = "2024-01-01T00:00:00Z",
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    networks: list[dict[str, Any]] | str | None = None,
    network_status: list[dict[str, Any]] | str | None = None,
    host_network: bool = False,
    phase: str = "Running",
    deleting: bool = False,
) -> dict[str, Any]:
    notes = dict(annotations or {})
    if networks is not None:
        notes[keys.NETWORKS] = (
            networks if isinstance(networks, str) else orjson.dumps(networks).decode()
        )
    if network_status is not None:
        notes[keys.NETWORK_STATUS] = (
            network_status
            if isinstance(network_status, str)
            else orjson.dumps(network_status).decode()
        )
    meta: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "uid": uid or f"uid-{namespace}-{name}",
        "creationTimestamp": created,
        "labels": dict(labels or {}),
        "annotations": notes,
    }
    if deleting:
        meta["deletionTimestamp"] = "2024-01-02T00:00:00Z"
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "x"}]}
    if host_network:
        spec["hostNetwork"] = True
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": spec,
        "status": {"phase": phase},
    }


def vmi(
    name: str,
    *,
    pod_name: str = "p",
    namespace: str = "ns",
    interface: str | None = "eth0",
    index: str | None = "0/1",
    mac: Any = "02:00:00:00:00:01",
    network: str = "default-podnetwork",
    network_namespace: str = "contrail-k8s-kubemanager-cluster-contrail",
    routing_instance: list[str] | None = None,
    created: str = "2024-01-01T00:00:01Z",
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    uid: str | None = None,
) -> dict[str, Any]:
    notes = {
        keys.KUBE_MANAGER_POD_NAME: pod_name,
        keys.KUBE_MANAGER_POD_NAMESPACE: namespace,
        keys.KUBE_MANAGER_POD_CLUSTER_NAME: "cluster",
        **(annotations or {}),
    }
    if interface is not None:
        notes[keys.VMI_INTERFACE] = interface
    if index is not None:
        notes[keys.VMI_INDEX] = index
    spec: dict[str, Any] = {
        "virtualNetworkReference": {
            "apiVersion": API,
            "kind": "VirtualNetwork",
            "namespace": network_namespace,
            "name": network,
            "fqName": ["default-domain", network_namespace, network],
        },
        "virtualMachineReferences": [
            {"apiVersion": API, "kind": "VirtualMachine", "name": f"vm-{pod_name}"}
        ],
    }
    if mac is not None:
        spec["virtualMachineInterfaceMacAddresses"] = {
            "macAddress": mac if isinstance(mac, list) else [mac]
        }
    obj: dict[str, Any] = {
        "apiVersion": API,
        "kind": "VirtualMachineInterface",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": uid or f"uid-vmi-{name}",
            "creationTimestamp": created,
            "labels": dict(labels or {}),
            "annotations": notes,
        },
        "spec": spec,
    }
    if routing_instance is not None:
        obj["status"] = {
            "routingInstanceReferences": [{"kind": "RoutingInstance", "fqName": routing_instance}]
        }
    return obj


def iip(
    name: str,
    address: Any,
    *,
    vmi_name: str,
    namespace: str = "ns",
    family: str | None = None,
    vmi_uid: str | None = None,
) -> dict[str, Any]:
    ref: dict[str, Any] = {
        "apiVersion": API,
        "kind": "VirtualMachineInterface",
        "namespace": namespace,
        "name": vmi_name,
    }
    if vmi_uid:
        ref["uid"] = vmi_uid
    spec: dict[str, Any] = {
        "instanceIPAddress": address,
        "virtualMachineInterfaceReferences": [ref],
    }
    if family is not None:
        spec["instanceIPFamily"] = family
    return {
        "apiVersion": API,
        "kind": "InstanceIP",
        "metadata": {"name": name, "uid": f"uid-iip-{name}"},
        "spec": spec,
    }


def vm(
    name: str, *, pod_name: str = "p", namespace: str = "ns", labels: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "apiVersion": API,
        "kind": "VirtualMachine",
        "metadata": {
            "name": name,
            "uid": f"uid-vm-{name}",
            "creationTimestamp": "2024-01-01T00:00:01Z",
            "labels": dict(labels or {}),
            "annotations": {
                keys.KUBE_MANAGER_POD_NAME: pod_name,
                keys.KUBE_MANAGER_POD_NAMESPACE: namespace,
                keys.KUBE_MANAGER_POD_CLUSTER_NAME: "cluster",
            },
        },
        "spec": {"serverType": "container", "serverName": pod_name, "serverNamespace": namespace},
    }


def md(
    name: str = "md1",
    spec: dict[str, Any] | None = None,
    *,
    selector: str | None = "analyzer",
    generation: int = 1,
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    labels = {keys.ANALYZER_POD_SELECTOR: selector} if selector is not None else {}
    obj: dict[str, Any] = {
        "apiVersion": API,
        "kind": "MirrorDestination",
        "metadata": {
            "name": name,
            "uid": f"uid-md-{name}",
            "generation": generation,
            "labels": labels,
        },
        "spec": dict(spec or {}),
    }
    if status is not None:
        obj["status"] = status
    return obj
