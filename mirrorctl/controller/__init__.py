"""Controllers: workers over a rate-limited queue, and the builder that wires them."""

from mirrorctl.controller.builder import ControllerBuilder, ControllerHost
from mirrorctl.controller.controller import Controller
from mirrorctl.controller.errors import CacheSyncTimeoutError, ReconcileTimeoutError
from mirrorctl.controller.options import ControllerOptions
from mirrorctl.controller.settle import is_panic, settle
from mirrorctl.controller.source import Source

__all__ = [
    "CacheSyncTimeoutError",
    "Controller",
    "ControllerBuilder",
    "ControllerHost",
    "ControllerOptions",
    "ReconcileTimeoutError",
    "Source",
    "is_panic",
    "settle",
]
