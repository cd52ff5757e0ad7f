"""What every benchmark's cluster needs: the CRDs, the shipped RBAC bound to the controller
identity, and (B7 only) the extra ClusterRole the kopf baseline needs for kopf's own writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mirrorctl.client import Client
from mirrorctl.manifests import apply_manifests, load_manifests, wait_for_crds

__all__ = ["KOPF_EXTRA_ROLE", "install", "install_kopf_role"]

CONFIG = Path(__file__).resolve().parents[2] / "config"
_SYSTEM_NAMESPACE = "mirrorctl-system"
_SERVICE_ACCOUNT = "mirrorctl"

# kopf, not the mirroring work, needs these: it writes its progress and last-handled state
# into annotations of the objects it handles (MirrorDestinations), watches CRDs and
# namespaces to follow the cluster's resources, and reports handler outcomes as Events.
KOPF_EXTRA_ROLE: dict[str, Any] = {
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "ClusterRole",
    "metadata": {"name": "bench-kopf-extras"},
    "rules": [
        {
            "apiGroups": ["core.contrail.juniper.net"],
            "resources": ["mirrordestinations"],
            "verbs": ["patch"],
        },
        {
            "apiGroups": ["apiextensions.k8s.io"],
            "resources": ["customresourcedefinitions"],
            "verbs": ["list", "watch"],
        },
        {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["list", "watch"]},
        {"apiGroups": ["", "events.k8s.io"], "resources": ["events"], "verbs": ["create"]},
    ],
}


async def install(admin: Client) -> None:
    """CRDs (established) and the shipped least-privilege RBAC, as the tests install them."""
    crds = load_manifests(CONFIG / "crd")
    await apply_manifests(admin, crds)
    await wait_for_crds(admin, [c["metadata"]["name"] for c in crds])
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": _SYSTEM_NAMESPACE}}
    await apply_manifests(admin, [namespace])
    await apply_manifests(admin, load_manifests(CONFIG / "rbac"))


async def install_kopf_role(admin: Client) -> None:
    """Bind `KOPF_EXTRA_ROLE` to the controller identity, next to the shipped role."""
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "bench-kopf-extras"},
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "ClusterRole",
            "name": KOPF_EXTRA_ROLE["metadata"]["name"],
        },
        "subjects": [
            {"kind": "ServiceAccount", "name": _SERVICE_ACCOUNT, "namespace": _SYSTEM_NAMESPACE}
        ],
    }
    await apply_manifests(admin, [KOPF_EXTRA_ROLE, binding])
