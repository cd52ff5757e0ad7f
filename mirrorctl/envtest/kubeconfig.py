"""Kubeconfig files for the identities of a local control plane."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["Identity", "write_kubeconfig"]


@dataclass(frozen=True, slots=True)
class Identity:
    """A static-token user. ``token`` is a secret: it is excluded from ``repr``."""

    name: str
    user: str
    groups: tuple[str, ...]
    token: str

    def __repr__(self) -> str:
        return f"Identity(name={self.name!r}, user={self.user!r}, groups={self.groups!r})"

    def token_file_line(self) -> str:
        groups = ",".join(self.groups)
        return f'{self.token},{self.user},{self.user},"{groups}"'


def write_kubeconfig(path: Path, server: str, ca_pem: bytes, identity: Identity) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "mirrorctl-envtest",
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode(),
                },
            }
        ],
        "users": [{"name": identity.name, "user": {"token": identity.token}}],
        "contexts": [
            {
                "name": identity.name,
                "context": {"cluster": "mirrorctl-envtest", "user": identity.name},
            }
        ],
        "current-context": identity.name,
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    path.chmod(0o600)
    return path
