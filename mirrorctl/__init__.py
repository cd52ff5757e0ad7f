"""mirrorctl: an asyncio Kubernetes controller toolkit, and Contrail port mirroring on it.

The curated public API of the toolkit is importable from here; each name is loaded on first use,
so ``import mirrorctl`` stays cheap for the command line::

    from mirrorctl import Client, ControllerBuilder, Manager, Request, Result
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Client": "mirrorctl.client",
    "Resource": "mirrorctl.client",
    "PatchType": "mirrorctl.client",
    "ApiError": "mirrorctl.client",
    "ConflictError": "mirrorctl.client",
    "NotFoundError": "mirrorctl.client",
    "Manager": "mirrorctl.manager",
    "ManagerOptions": "mirrorctl.manager",
    "ControllerBuilder": "mirrorctl.controller",
    "Request": "mirrorctl.reconcile",
    "Result": "mirrorctl.reconcile",
    "Reconciler": "mirrorctl.reconcile",
    "TerminalError": "mirrorctl.reconcile",
    "EnqueueRequestForObject": "mirrorctl.handler",
    "EnqueueRequestForOwner": "mirrorctl.handler",
    "EnqueueRequestsFromMapFunc": "mirrorctl.handler",
    "LeaderElectionConfig": "mirrorctl.leaderelection",
}

__all__ = [
    "ApiError",
    "Client",
    "ConflictError",
    "ControllerBuilder",
    "EnqueueRequestForObject",
    "EnqueueRequestForOwner",
    "EnqueueRequestsFromMapFunc",
    "LeaderElectionConfig",
    "Manager",
    "ManagerOptions",
    "NotFoundError",
    "PatchType",
    "Reconciler",
    "Request",
    "Resource",
    "Result",
    "TerminalError",
    "__version__",
]

if TYPE_CHECKING:
    from mirrorctl.client import (
        ApiError,
        Client,
        ConflictError,
        NotFoundError,
        PatchType,
        Resource,
    )
    from mirrorctl.controller import ControllerBuilder
    from mirrorctl.handler import (
        EnqueueRequestForObject,
        EnqueueRequestForOwner,
        EnqueueRequestsFromMapFunc,
    )
    from mirrorctl.leaderelection import LeaderElectionConfig
    from mirrorctl.manager import Manager, ManagerOptions
    from mirrorctl.reconcile import Reconciler, Request, Result, TerminalError


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mirrorctl' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
