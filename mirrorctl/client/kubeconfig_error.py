"""The one error raised when a kubeconfig, an exec plugin or the in-cluster setup is unusable."""

from __future__ import annotations

__all__ = ["KubeconfigError"]


class KubeconfigError(ValueError):
    """Says what is wrong and where (file, context, cluster or user); never holds secrets."""
