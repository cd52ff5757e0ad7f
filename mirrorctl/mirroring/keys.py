"""The label and annotation keys of port mirroring: CN2's, Multus's and kube-manager's."""

from __future__ import annotations

from typing import Final

__all__ = [
    "ANALYZER_INTERFACE",
    "ANALYZER_POD",
    "ANALYZER_POD_SELECTOR",
    "KUBE_MANAGER_POD_CLUSTER_NAME",
    "KUBE_MANAGER_POD_NAME",
    "KUBE_MANAGER_POD_NAMESPACE",
    "MIRRORING_CONFIGURATION",
    "MIRROR_DESTINATION",
    "NETWORKS",
    "NETWORK_STATUS",
    "VMI_INDEX",
    "VMI_INTERFACE",
]

# Written by users: on an analyzer pod (label) and on the MirrorDestination that selects it.
ANALYZER_POD: Final = "core.juniper.net/analyzer-pod"
ANALYZER_POD_SELECTOR: Final = "core.juniper.net/analyzer-pod-selector"
# Pod annotation / cni-arg marking an analyzer interface; mirrorctl also labels that VMI with it.
ANALYZER_INTERFACE: Final = "core.juniper.net/analyzer-interface"
# Pod annotation / cni-arg requesting mirroring; mirrorctl also labels the source VMI with it.
MIRROR_DESTINATION: Final = "core.juniper.net/mirror-destination"
# Source VMI annotation holding the JSON mirroring configuration (mirrorctl writes it).
MIRRORING_CONFIGURATION: Final = "core.juniper.net/mirroring-configuration"

NETWORKS: Final = "k8s.v1.cni.cncf.io/networks"
NETWORK_STATUS: Final = "k8s.v1.cni.cncf.io/network-status"

# kube-manager's annotations on a pod's VirtualMachine and VirtualMachineInterfaces.
KUBE_MANAGER_POD_NAME: Final = "kube-manager.juniper.net/pod-name"
KUBE_MANAGER_POD_NAMESPACE: Final = "kube-manager.juniper.net/pod-namespace"
KUBE_MANAGER_POD_CLUSTER_NAME: Final = "kube-manager.juniper.net/pod-cluster-name"
VMI_INTERFACE: Final = "interface"
VMI_INDEX: Final = "index"
