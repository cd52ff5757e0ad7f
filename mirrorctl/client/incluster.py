"""Connection settings of a pod: the apiserver service and the mounted service account."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mirrorctl.client.config import ClientConfig
from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.client.token_file import TokenFileCredentials
from mirrorctl.clock import Clock

__all__ = ["SERVICE_ACCOUNT_DIR", "in_cluster_config"]

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
_OWNER = "the in-cluster service account"


def in_cluster_config(
    *,
    directory: str | os.PathLike[str] = SERVICE_ACCOUNT_DIR,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    **options: Any,
) -> ClientConfig:
    """https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT with the service account's
    token (re-read as it rotates) and CA; `options` set the other `ClientConfig` fields."""
    env = os.environ if environ is None else environ
    host = env.get("KUBERNETES_SERVICE_HOST", "")
    port = env.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        raise KubeconfigError(
            "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
            "must be set"
        )
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    base = Path(directory)
    ca_file = base / "ca.crt"
    if not ca_file.is_file():
        raise KubeconfigError(f"the CA of {_OWNER}, {str(ca_file)!r}, not found")
    credentials = TokenFileCredentials(base / "token", owner=_OWNER, clock=clock)
    return ClientConfig(
        host=f"https://{host}:{port}", credentials=credentials, ca_file=str(ca_file), **options
    )
