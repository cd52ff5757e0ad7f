"""mirrorctl: an asyncio controller toolkit for Kubernetes and the Contrail port-mirroring controller."""

__version__ = "0.1.0"

__all__ = ["__version__"]
