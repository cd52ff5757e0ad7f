"""mirrorctl: an asyncio Kubernetes controller toolkit, and Contrail port mirroring on it."""

__version__ = "0.1.0"

__all__ = ["__version__"]
