"""The reconcile metrics, named and labelled exactly as controller-runtime's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from prometheus_client import CollectorRegistry

from mirrorctl.metrics.families import (
    Count,
    CounterFamily,
    Distribution,
    GaugeFamily,
    HistogramFamily,
    Level,
)

__all__ = ["BoundControllerMetrics", "ControllerMetrics", "ReconcileOutcome"]

# The same buckets as controller-runtime so dashboards written for it read ours unchanged.
_RECONCILE_TIME_BUCKETS = (
    *(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5),
    *(0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0),
    *(6.0, 7.0, 8.0, 9.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0),
)


class ReconcileOutcome(StrEnum):
    """The ``result`` label of ``controller_runtime_reconcile_total``."""

    SUCCESS = "success"
    ERROR = "error"
    REQUEUE = "requeue"
    REQUEUE_AFTER = "requeue_after"


class ControllerMetrics:
    """The metric families shared by every controller of one registry (one per manager)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.reconcile_total = CounterFamily(
            "controller_runtime_reconcile_total",
            "Total number of reconciliations per controller",
            ["controller", "result"],
            registry,
        )
        self.reconcile_errors = CounterFamily(
            "controller_runtime_reconcile_errors_total",
            "Total number of reconciliation errors per controller",
            ["controller"],
            registry,
        )
        self.terminal_reconcile_errors = CounterFamily(
            "controller_runtime_terminal_reconcile_errors_total",
            "Total number of terminal reconciliation errors per controller",
            ["controller"],
            registry,
        )
        self.reconcile_panics = CounterFamily(
            "controller_runtime_reconcile_panics_total",
            "Total number of reconciliation panics per controller",
            ["controller"],
            registry,
        )
        self.reconcile_timeouts = CounterFamily(
            "controller_runtime_reconcile_timeouts_total",
            "Total number of reconciliation timeouts per controller",
            ["controller"],
            registry,
        )
        self.reconcile_time = HistogramFamily(
            "controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller",
            ["controller"],
            registry,
            buckets=_RECONCILE_TIME_BUCKETS,
        )
        self.max_concurrent_reconciles = GaugeFamily(
            "controller_runtime_max_concurrent_reconciles",
            "Maximum number of concurrent reconciles per controller",
            ["controller"],
            registry,
        )
        self.active_workers = GaugeFamily(
            "controller_runtime_active_workers",
            "Number of currently used workers per controller",
            ["controller"],
            registry,
        )

    def bind(self, controller: str) -> BoundControllerMetrics:
        """The children of one controller, every series created so scrapes show zeros."""
        totals = {o: self.reconcile_total.labels(controller, o.value) for o in ReconcileOutcome}
        return BoundControllerMetrics(
            reconcile_total=totals,
            reconcile_errors=self.reconcile_errors.labels(controller),
            terminal_reconcile_errors=self.terminal_reconcile_errors.labels(controller),
            reconcile_panics=self.reconcile_panics.labels(controller),
            reconcile_timeouts=self.reconcile_timeouts.labels(controller),
            reconcile_time=self.reconcile_time.labels(controller),
            max_concurrent_reconciles=self.max_concurrent_reconciles.labels(controller),
            active_workers=self.active_workers.labels(controller),
        )


@dataclass(frozen=True, slots=True)
class BoundControllerMetrics:
    """One controller's series; creating a labelled child already exports it at zero."""

    reconcile_total: Mapping[ReconcileOutcome, Count]
    reconcile_errors: Count
    terminal_reconcile_errors: Count
    reconcile_panics: Count
    reconcile_timeouts: Count
    reconcile_time: Distribution
    max_concurrent_reconciles: Level
    active_workers: Level
