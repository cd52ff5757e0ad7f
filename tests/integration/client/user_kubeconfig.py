"""A kubeconfig for the local control plane with a user entry of the test's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from mirrorctl.envtest import ControlPlane

__all__ = ["write_user_kubeconfig"]


def write_user_kubeconfig(
    directory: Path, control_plane: ControlPlane, name: str, user: dict[str, Any]
) -> Path:
    """``directory/kubeconfig``: the control plane's server and CA, and ``user`` as ``name``."""
    cluster = {"server": control_plane.url, "certificate-authority": str(control_plane.ca_cert)}
    path = directory / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "envtest", "cluster": cluster}],
                "users": [{"name": name, "user": user}],
                "contexts": [{"name": name, "context": {"cluster": "envtest", "user": name}}],
                "current-context": name,
            }
        )
    )
    return path
