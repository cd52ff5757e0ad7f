"""A local etcd + kube-apiserver on loopback for tests and ``mirrorctl dev``."""

from mirrorctl.envtest.binaries import (
    APISERVER_VERSION,
    Binaries,
    BinaryNotFoundError,
    ensure_binaries,
)
from mirrorctl.envtest.controlplane import CONTROLLER_USER, ControlPlane, ControlPlaneError
from mirrorctl.envtest.kubeconfig import Identity

__all__ = [
    "APISERVER_VERSION",
    "CONTROLLER_USER",
    "Binaries",
    "BinaryNotFoundError",
    "ControlPlane",
    "ControlPlaneError",
    "Identity",
    "ensure_binaries",
]
