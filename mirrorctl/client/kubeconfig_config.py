"""A `ClientConfig` from a selected kubeconfig context (everything but `auth-provider`)."""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mirrorctl.client.certificate_files import CertificateFileCredentials
from mirrorctl.client.config import ClientConfig
from mirrorctl.client.credentials import Credentials, StaticCredentials
from mirrorctl.client.exec_credentials import ExecCredentials
from mirrorctl.client.exec_plugin import DEFAULT_TIMEOUT, ExecPlugin
from mirrorctl.client.key_material import KeyMaterial, default_key_material
from mirrorctl.client.kubeconfig import Cluster, SelectedContext
from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.client.token_file import TokenFileCredentials
from mirrorctl.clock import Clock

__all__ = ["client_config_from_kubeconfig", "exec_cluster_info"]


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def exec_cluster_info(cluster: Cluster) -> dict[str, Any]:
    """The ExecCredential `spec.cluster` of `cluster` (client-go's omitempty JSON names)."""
    ca = cluster.certificate_authority_data
    if ca is None and cluster.certificate_authority is not None:
        try:
            ca = Path(cluster.certificate_authority).read_bytes()
        except OSError as error:
            raise KubeconfigError(
                f"cannot read certificate-authority {cluster.certificate_authority!r} "
                f"of cluster {cluster.name!r}: {error.strerror}"
            ) from None
    info: dict[str, Any] = {"server": cluster.server}
    if cluster.tls_server_name:
        info["tls-server-name"] = cluster.tls_server_name
    if cluster.insecure_skip_tls_verify:
        info["insecure-skip-tls-verify"] = True
    if ca:
        info["certificate-authority-data"] = base64.b64encode(ca).decode()
    if cluster.proxy_url:
        info["proxy-url"] = cluster.proxy_url
    if cluster.exec_extension is not None:
        info["config"] = cluster.exec_extension
    return info


class _Keys:
    """Writes `*-data` into the key directory, creating the default one only when needed."""

    __slots__ = ("_material",)

    def __init__(self, material: KeyMaterial | None) -> None:
        self._material = material

    def file(self, path: str | None, data: bytes | None, suffix: str) -> str | None:
        if data is None:
            return path
        if self._material is None:
            self._material = default_key_material()
        return self._material.write(data, suffix)


async def client_config_from_kubeconfig(
    selected: SelectedContext,
    *,
    key_material: KeyMaterial | None = None,
    clock: Clock | None = None,
    wall: Callable[[], datetime.datetime] = _utc_now,
    environ: Mapping[str, str] | None = None,
    exec_timeout: float = DEFAULT_TIMEOUT,
    **options: Any,
) -> ClientConfig:
    """Build the settings of `selected`, running its exec plugin once if it has one.

    `environ` is the base environment of exec plugins (ours when `None`); `options` set the
    other `ClientConfig` fields (over the kubeconfig's own ``disable-compression``).
    """
    cluster, user = selected.cluster, selected.user
    if user.auth_provider is not None:
        raise KubeconfigError(
            f"user {user.name!r} uses auth-provider {user.auth_provider!r}; "
            "load it with mirrorctl.client.loading.load_kubeconfig"
        )
    keys = _Keys(key_material)
    ca_file = keys.file(cluster.certificate_authority, cluster.certificate_authority_data, ".crt")
    cert_file = keys.file(user.client_certificate, user.client_certificate_data, ".crt")
    key_file = keys.file(user.client_key, user.client_key_data, ".key")
    owner = f"user {user.name!r}"
    credentials: Credentials
    if user.exec is not None:
        cluster_info = exec_cluster_info(cluster) if user.exec.provide_cluster_info else None
        plugin = ExecPlugin(user.exec, cluster_info, timeout=exec_timeout, environ=environ)
        first = await plugin.run()
        credentials = ExecCredentials(plugin, first, clock=clock, wall=wall)
        if first.client_certificate_data is not None and first.client_key_data is not None:
            # Taken once: the TLS context is built from files when the client starts.
            cert_file = keys.file(None, first.client_certificate_data, ".crt")
            key_file = keys.file(None, first.client_key_data, ".key")
    elif user.token_file is not None:
        credentials = TokenFileCredentials(
            user.token_file, owner=owner, clock=clock, fallback=user.token
        )
    elif user.token is not None:
        credentials = StaticCredentials(f"Bearer {user.token}")
    elif user.username is not None or user.password is not None:
        pair = f"{user.username or ''}:{user.password or ''}".encode()
        credentials = StaticCredentials("Basic " + base64.b64encode(pair).decode())
    else:
        credentials = StaticCredentials(None)
    if user.client_certificate is not None and user.client_key is not None:
        # Files, not data: they may be renewed in place, and are read again.
        credentials = CertificateFileCredentials(
            credentials, user.client_certificate, user.client_key, owner=owner, clock=clock
        )
    return ClientConfig(
        host=cluster.server,
        credentials=credentials,
        ca_file=ca_file,
        cert_file=cert_file,
        key_file=key_file,
        verify_ssl=not cluster.insecure_skip_tls_verify,
        tls_server_name=cluster.tls_server_name,
        proxy=cluster.proxy_url,
        **{"disable_compression": cluster.disable_compression, **options},
    )
