"""Per-manager Prometheus registries and the metric families of every component.

Each family is registered in the registry it is given (never prometheus-client's global one)
and named as in controller-runtime / client-go where those define it.
"""

from mirrorctl.metrics.client import ClientMetrics
from mirrorctl.metrics.controller import BoundControllerMetrics, ControllerMetrics, ReconcileOutcome
from mirrorctl.metrics.informer import BoundInformerMetrics, InformerMetrics, WatchEventType
from mirrorctl.metrics.leader import LeaderElectionMetrics
from mirrorctl.metrics.registry import CONTENT_TYPE_LATEST, exposition, new_registry
from mirrorctl.metrics.workqueue import PrometheusQueueMetricsProvider

__all__ = [
    "CONTENT_TYPE_LATEST",
    "BoundControllerMetrics",
    "BoundInformerMetrics",
    "ClientMetrics",
    "ControllerMetrics",
    "InformerMetrics",
    "LeaderElectionMetrics",
    "PrometheusQueueMetricsProvider",
    "ReconcileOutcome",
    "WatchEventType",
    "exposition",
    "new_registry",
]
