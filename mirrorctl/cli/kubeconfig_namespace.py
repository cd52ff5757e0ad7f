"""The namespace a kubeconfig context (or the pod's service account) defaults to, as kubectl
uses it when no ``-n`` is given."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

__all__ = ["SERVICE_ACCOUNT_NAMESPACE", "default_namespace"]

SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def _load(path: Path) -> Mapping[str, Any]:
    try:
        # Bytes, as the client's loader reads them: YAML then decodes UTF-8 or, after a
        # byte-order mark, UTF-16, and reports bytes that are neither as a YAMLError.
        loaded: Any = yaml.safe_load(path.read_bytes())
    except (OSError, yaml.YAMLError):
        return {}  # loading the client reports an unreadable kubeconfig properly
    return loaded if isinstance(loaded, Mapping) else {}


def _files(path: str | os.PathLike[str] | None) -> list[Path]:
    if path is not None:
        return [Path(path)]
    listed = os.environ.get("KUBECONFIG")
    if listed:
        return [Path(p) for p in listed.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def default_namespace(
    path: str | os.PathLike[str] | None = None,
    context: str | None = None,
    *,
    in_cluster: bool = False,
    service_account_namespace: Path = SERVICE_ACCOUNT_NAMESPACE,
) -> str:
    """The context's namespace; ``default`` when it names none. Several files in $KUBECONFIG
    merge as kubectl merges them: the first file to set a value wins."""
    if in_cluster:
        try:
            return service_account_namespace.read_text().strip() or "default"
        except OSError:
            return "default"
    configs = [_load(f) for f in _files(path)]
    current = context or next(
        (c["current-context"] for c in configs if c.get("current-context")), None
    )
    if not current:
        return "default"
    for config in configs:
        contexts = config.get("contexts")
        for entry in contexts if isinstance(contexts, list) else []:
            if isinstance(entry, Mapping) and entry.get("name") == current:
                body = entry.get("context")
                namespace = body.get("namespace") if isinstance(body, Mapping) else None
                return namespace if isinstance(namespace, str) and namespace else "default"
    return "default"
