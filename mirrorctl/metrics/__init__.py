"""Per-manager Prometheus registries and the controller-runtime-named metrics."""

from mirrorctl.metrics.controller import BoundControllerMetrics, ControllerMetrics, ReconcileOutcome
from mirrorctl.metrics.registry import CONTENT_TYPE_LATEST, exposition, new_registry

__all__ = [
    "CONTENT_TYPE_LATEST",
    "BoundControllerMetrics",
    "ControllerMetrics",
    "ReconcileOutcome",
    "exposition",
    "new_registry",
]
