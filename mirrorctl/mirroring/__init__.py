"""The port-mirroring domain: models, pure resolution logic and the Contrail resources.

Everything here is pure (raw dicts in, models out) and never performs I/O; the reconcilers feed it
objects from their caches and write what it returns.
"""

from mirrorctl.mirroring.analyzer import AnalyzerCandidate, AnalyzerSearch, find_analyzer
from mirrorctl.mirroring.configuration import (
    MirroringConfiguration,
    StaticNhHeader,
    configuration_matches,
    parse_configuration,
)
from mirrorctl.mirroring.configure import build_configuration
from mirrorctl.mirroring.destination import (
    MirrorDestination,
    analyzer_display,
    parse_mirror_destination,
)
from mirrorctl.mirroring.errors import AnnotationError, ContrailDataError, MirroringError, SpecError
from mirrorctl.mirroring.interfaces import PodInterface, PodInterfaces, pod_interfaces
from mirrorctl.mirroring.matching import PodVmis, pod_vm, pod_vmis
from mirrorctl.mirroring.patches import analyzer_vm_patch, analyzer_vmi_patch, source_vmi_patch
from mirrorctl.mirroring.report import destination_status
from mirrorctl.mirroring.resolution import (
    Receiver,
    Resolution,
    Resolved,
    Unresolved,
    resolve_receiver,
)
from mirrorctl.mirroring.resources import (
    CONTRAIL_GROUP,
    DEFAULT_CONTRAIL_VERSION,
    ContrailResources,
    contrail_resources,
)
from mirrorctl.mirroring.self_mirror import is_self_mirror
from mirrorctl.mirroring.spec import MirrorDestinationSpec, StaticNextHopHeader, parse_spec
from mirrorctl.mirroring.status import (
    Condition,
    MirrorDestinationStatus,
    ObjectReference,
    PodReference,
    State,
)

__all__ = [
    "CONTRAIL_GROUP",
    "DEFAULT_CONTRAIL_VERSION",
    "AnalyzerCandidate",
    "AnalyzerSearch",
    "AnnotationError",
    "Condition",
    "ContrailDataError",
    "ContrailResources",
    "MirrorDestination",
    "MirrorDestinationSpec",
    "MirrorDestinationStatus",
    "MirroringConfiguration",
    "MirroringError",
    "ObjectReference",
    "PodInterface",
    "PodInterfaces",
    "PodReference",
    "PodVmis",
    "Receiver",
    "Resolution",
    "Resolved",
    "SpecError",
    "State",
    "StaticNextHopHeader",
    "StaticNhHeader",
    "Unresolved",
    "analyzer_display",
    "analyzer_vm_patch",
    "analyzer_vmi_patch",
    "build_configuration",
    "configuration_matches",
    "contrail_resources",
    "destination_status",
    "find_analyzer",
    "is_self_mirror",
    "parse_configuration",
    "parse_mirror_destination",
    "parse_spec",
    "pod_interfaces",
    "pod_vm",
    "pod_vmis",
    "resolve_receiver",
    "source_vmi_patch",
]
