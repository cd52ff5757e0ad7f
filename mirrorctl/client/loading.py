"""Build a `ClientConfig` from a kubeconfig or the pod's service account.

Our own loader covers tokens, token files, client certificates, basic auth and exec plugins;
users with a legacy `auth-provider` (oidc, gcp, azure) go through kubernetes-asyncio's loader,
imported only then: importing it costs tens of MB (its package imports every typed model).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mirrorctl.client.config import ClientConfig
from mirrorctl.client.credentials import ConfigurationCredentials
from mirrorctl.client.incluster import in_cluster_config
from mirrorctl.client.kubeconfig import kubeconfig_paths, read_kubeconfig, select_context
from mirrorctl.client.kubeconfig_config import client_config_from_kubeconfig

__all__ = [
    "config_from_configuration",
    "default_kubeconfig_path",
    "load_in_cluster",
    "load_kubeconfig",
]


def default_kubeconfig_path() -> str:
    """$KUBECONFIG (possibly a list of files) or ~/.kube/config, read at call time."""
    return os.environ.get("KUBECONFIG") or str(Path.home() / ".kube" / "config")


def config_from_configuration(
    configuration: Any, loader: Any = None, **options: Any
) -> ClientConfig:
    """A `ClientConfig` from a filled kubernetes-asyncio `Configuration` (and the loader that
    filled it, whose exec plugin is re-run when its credential expires). `options` set the
    other fields."""
    return ClientConfig(
        host=str(configuration.host),
        credentials=ConfigurationCredentials(configuration, loader),
        ca_file=configuration.ssl_ca_cert,
        cert_file=configuration.cert_file,
        key_file=configuration.key_file,
        verify_ssl=bool(configuration.verify_ssl),
        tls_server_name=configuration.tls_server_name,
        proxy=configuration.proxy,
        **options,
    )


async def _load_with_kubernetes_asyncio(
    path: str | os.PathLike[str] | None, context: str | None, **options: Any
) -> ClientConfig:
    from kubernetes_asyncio.client import Configuration
    from kubernetes_asyncio.config import load_kube_config

    configuration = Configuration()
    loader = await load_kube_config(
        config_file=os.fspath(path) if path is not None else default_kubeconfig_path(),
        context=context,
        client_configuration=configuration,
        persist_config=False,
    )
    return config_from_configuration(configuration, loader, **options)


async def load_kubeconfig(
    path: str | os.PathLike[str] | None = None, context: str | None = None, **options: Any
) -> ClientConfig:
    """Load a kubeconfig (contexts, tokens, exec plugins, client certificates, CA).

    Raises `KubeconfigError` (a `ValueError`) saying what to fix when it is unusable.
    """
    selected = select_context(read_kubeconfig(kubeconfig_paths(path)), context)
    if selected.user.auth_provider is not None:
        return await _load_with_kubernetes_asyncio(path, context, **options)
    return await client_config_from_kubeconfig(selected, **options)


async def load_in_cluster(**options: Any) -> ClientConfig:
    """Load the pod's service account (token file re-read as it rotates, cluster CA)."""
    return in_cluster_config(**options)
