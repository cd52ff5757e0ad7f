"""The port-mirroring reconcilers (analyzer pod, source pod, MirrorDestination) and the one call
that adds them to a manager: ``setup_mirroring(manager, MirroringSettings(...))``."""

from mirrorctl.reconcilers.analyzer_pod import AnalyzerPodReconciler
from mirrorctl.reconcilers.destination import DestinationReconciler
from mirrorctl.reconcilers.settings import MirroringKeys, MirroringSettings
from mirrorctl.reconcilers.setup import (
    ANALYZER_POD_CONTROLLER,
    DESTINATION_CONTROLLER,
    SOURCE_POD_CONTROLLER,
    Mirroring,
    setup_mirroring,
)
from mirrorctl.reconcilers.source_pod import SourcePodReconciler

__all__ = [
    "ANALYZER_POD_CONTROLLER",
    "DESTINATION_CONTROLLER",
    "SOURCE_POD_CONTROLLER",
    "AnalyzerPodReconciler",
    "DestinationReconciler",
    "Mirroring",
    "MirroringKeys",
    "MirroringSettings",
    "SourcePodReconciler",
    "setup_mirroring",
]
