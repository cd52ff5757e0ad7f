"""What a program embedding mirroring chooses: passed in, never read from globals."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from mirrorctl.mirroring import keys
from mirrorctl.mirroring.names import check_object_name
from mirrorctl.mirroring.resources import DEFAULT_CONTRAIL_VERSION, contrail_resources

__all__ = ["MirroringKeys", "MirroringSettings"]


@dataclass(frozen=True, slots=True)
class MirroringKeys:
    """The label and annotation keys mirroring reads and writes; CN2's, Multus's and
    kube-manager's by default. The two pod keys that mark interfaces are also the keys of the
    same marks in a network's ``cni-args`` and of the labels mirrorctl puts on VMIs."""

    analyzer_pod: str = keys.ANALYZER_POD
    analyzer_pod_selector: str = keys.ANALYZER_POD_SELECTOR
    analyzer_interface: str = keys.ANALYZER_INTERFACE
    mirror_destination: str = keys.MIRROR_DESTINATION
    mirroring_configuration: str = keys.MIRRORING_CONFIGURATION
    networks: str = keys.NETWORKS
    network_status: str = keys.NETWORK_STATUS
    kube_manager_pod_name: str = keys.KUBE_MANAGER_POD_NAME
    kube_manager_pod_namespace: str = keys.KUBE_MANAGER_POD_NAMESPACE
    kube_manager_pod_cluster_name: str = keys.KUBE_MANAGER_POD_CLUSTER_NAME
    vmi_interface: str = keys.VMI_INTERFACE
    vmi_index: str = keys.VMI_INDEX

    def __post_init__(self) -> None:
        values = [getattr(self, f.name) for f in fields(self)]
        for f, value in zip(fields(self), values, strict=True):
            if not isinstance(value, str) or not value.strip() or value != value.strip():
                raise ValueError(f"key {f.name} must be a non-empty string without spaces")
        duplicates = sorted({v for v in values if values.count(v) > 1})
        if duplicates:
            raise ValueError(f"each key needs its own name; used twice: {', '.join(duplicates)}")

    def renamed(self) -> dict[str, str]:
        """canonical key -> configured key, for the keys that differ from the defaults."""
        renamed: dict[str, str] = {}
        for f in fields(self):
            canonical, value = f.default, getattr(self, f.name)
            if isinstance(canonical, str) and value != canonical:
                renamed[canonical] = value
        return renamed


@dataclass(frozen=True, slots=True)
class MirroringSettings:
    """- ``contrail_api_version``: the version the Contrail kinds are served at (CN2 22.x:
      v1alpha1).
    - ``keys``: the label and annotation keys (see ``MirroringKeys``).
    - ``workers``: concurrent reconciles of each of the three reconcilers.
    - ``cluster_name``: only Contrail objects kube-manager made for this cluster (its
      pod-cluster-name annotation) count; None accepts every cluster.
    - ``namespace``: mirror pods of this namespace only; None for the whole cluster.
    - ``component``: the source named on the Events the reconcilers record.
    - ``trim_cache``: cache only the fields mirroring reads of pods, VMs, VMIs and InstanceIPs
      (see `mirrorctl.reconcilers.trim`); only for a manager whose other controllers, if
      any, read no more of those kinds than that.
    """

    contrail_api_version: str = DEFAULT_CONTRAIL_VERSION
    keys: MirroringKeys = field(default_factory=MirroringKeys)
    workers: int = 2
    cluster_name: str | None = None
    namespace: str | None = None
    component: str = "mirrorctl"
    trim_cache: bool = False

    def __post_init__(self) -> None:
        contrail_resources(self.contrail_api_version)  # raises on a malformed version
        if self.workers < 1:
            raise ValueError("workers must be at least 1")
        if self.cluster_name is not None and not self.cluster_name:
            raise ValueError("cluster_name must not be empty (use None for every cluster)")
        if self.namespace is not None:
            check_object_name(self.namespace, what="namespace")
        if not self.component:
            raise ValueError("component must not be empty")
