"""``mirrorctl manifests``: everything ``config/default`` installs, as one YAML stream for
``kubectl apply -f -`` (CRDs, namespace, RBAC, the Deployment and the metrics Service)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

import yaml

from mirrorctl import __version__
from mirrorctl.cli.kustomization import kustomization_files
from mirrorctl.cli.output import write_output
from mirrorctl.cli.paths import config_dir
from mirrorctl.manifests import load_manifests

__all__ = ["manifest_documents", "manifests", "render_manifests"]

# Kinds that others depend on come first (a Namespace before what lives in it, a CRD before
# its objects, RBAC before the workload that uses it): kustomize's own ordering.
_KIND_ORDER = (
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
)
_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def _rank(doc: dict[str, Any]) -> int:
    kind = doc["kind"]
    if kind in _KIND_ORDER:
        return _KIND_ORDER.index(kind)
    if kind in _LAST:
        return len(_KIND_ORDER) + 1 + _LAST.index(kind)
    return len(_KIND_ORDER)


def manifest_documents(config: Path | None = None) -> list[dict[str, Any]]:
    """The documents of ``config/default`` (by default the shipped one), dependencies first
    and otherwise in the order the kustomizations list them."""
    root = config if config is not None else config_dir()
    files = kustomization_files(root / "default")
    docs = load_manifests(*files) if files else []
    return sorted(docs, key=_rank)  # stable: same-kind documents keep their order


def render_manifests(docs: list[dict[str, Any]]) -> str:
    header = f"# mirrorctl {__version__}: config/default\n"
    body = "---\n".join(yaml.safe_dump(doc, sort_keys=False) for doc in docs)
    return header + body


def manifests(*, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout if stdout is not None else sys.stdout
    try:
        docs = manifest_documents()
    except (OSError, ValueError, yaml.YAMLError) as err:
        print(f"mirrorctl: {err}", file=stderr if stderr is not None else sys.stderr)
        return 1
    write_output(out, render_manifests(docs))
    return 0
