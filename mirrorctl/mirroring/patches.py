"""JSON merge patches of exactly the VM/VMI metadata keys mirrorctl owns (spec section 2).

Each returns None when the object already holds the desired values, so an unchanged object is
never written; otherwise a patch that touches only the owned keys (null removes a key), leaving
every other label, annotation and field to its owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.mirroring.configuration import MirroringConfiguration, configuration_matches
from mirrorctl.mirroring.keys import (
    ANALYZER_INTERFACE,
    ANALYZER_POD,
    MIRROR_DESTINATION,
    MIRRORING_CONFIGURATION,
)

__all__ = ["analyzer_vm_patch", "analyzer_vmi_patch", "source_vmi_patch"]


def _section(obj: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    section = meta.get(name) if isinstance(meta, (dict, Mapping)) else None
    return section if isinstance(section, (dict, Mapping)) else {}


def _patch(
    labels: dict[str, str | None], annotations: dict[str, str | None]
) -> dict[str, Any] | None:
    metadata: dict[str, Any] = {}
    if labels:
        metadata["labels"] = labels
    if annotations:
        metadata["annotations"] = annotations
    return {"metadata": metadata} if metadata else None


def _label_change(obj: Mapping[str, Any], key: str, value: str | None) -> dict[str, str | None]:
    current = _section(obj, "labels").get(key)
    return {} if current == value else {key: value}


def analyzer_vm_patch(vm: Mapping[str, Any], analyzer_pod: str | None) -> dict[str, Any] | None:
    """Label the analyzer pod's VM with the pod's analyzer-pod value (None: not an analyzer)."""
    return _patch(_label_change(vm, ANALYZER_POD, analyzer_pod), {})


def analyzer_vmi_patch(vmi: Mapping[str, Any], analyzer: bool) -> dict[str, Any] | None:
    """Label (``""``) or unlabel the VMI of an analyzer interface."""
    return _patch(_label_change(vmi, ANALYZER_INTERFACE, "" if analyzer else None), {})


def source_vmi_patch(
    vmi: Mapping[str, Any],
    destination: str | None,
    configuration: MirroringConfiguration | None,
) -> dict[str, Any] | None:
    """A source VMI's label (while mirroring is requested) and configuration annotation (while
    its destination is valid and resolved; never without the label)."""
    if destination is None:
        configuration = None
    labels = _label_change(vmi, MIRROR_DESTINATION, destination)
    current = _section(vmi, "annotations").get(MIRRORING_CONFIGURATION)
    annotations: dict[str, str | None] = {}
    if configuration is None:
        if current is not None:
            annotations[MIRRORING_CONFIGURATION] = None
    elif not configuration_matches(current if isinstance(current, str) else None, configuration):
        annotations[MIRRORING_CONFIGURATION] = configuration.to_json()
    return _patch(labels, annotations)
