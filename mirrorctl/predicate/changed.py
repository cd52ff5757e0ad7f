"""Update filters that drop events whose interesting part did not change.

Creates and deletes always pass: they are changes by definition.
"""

from __future__ import annotations

from dataclasses import dataclass

from mirrorctl.predicate.interface import Object

__all__ = [
    "AnnotationsChanged",
    "GenerationChanged",
    "LabelsChanged",
    "ResourceVersionChanged",
]


def _metadata_field(obj: Object, field: str) -> object:
    metadata = obj.get("metadata") or {}
    return metadata.get(field)


@dataclass(frozen=True, slots=True)
class _UpdateOnly:
    def create(self, obj: Object) -> bool:
        return True

    def delete(self, obj: Object) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class GenerationChanged(_UpdateOnly):
    """Passes updates that change ``metadata.generation``, i.e. the spec.

    Status-only and metadata-only writes do not bump the generation, so a reconciler that
    writes its own status does not wake itself up. Kinds without a generation (ConfigMap,
    Secret) never pass an update through this predicate.
    """

    def update(self, old: Object, new: Object) -> bool:
        return _metadata_field(old, "generation") != _metadata_field(new, "generation")


@dataclass(frozen=True, slots=True)
class ResourceVersionChanged(_UpdateOnly):
    """Passes updates that carry a new ``metadata.resourceVersion``: drops resyncs."""

    def update(self, old: Object, new: Object) -> bool:
        return _metadata_field(old, "resourceVersion") != _metadata_field(new, "resourceVersion")


@dataclass(frozen=True, slots=True)
class LabelsChanged(_UpdateOnly):
    """Passes updates that change ``metadata.labels`` (absent and empty are the same)."""

    def update(self, old: Object, new: Object) -> bool:
        return (_metadata_field(old, "labels") or {}) != (_metadata_field(new, "labels") or {})


@dataclass(frozen=True, slots=True)
class AnnotationsChanged(_UpdateOnly):
    """Passes updates that change ``metadata.annotations`` (absent and empty are the same)."""

    def update(self, old: Object, new: Object) -> bool:
        old_annotations = _metadata_field(old, "annotations") or {}
        return old_annotations != (_metadata_field(new, "annotations") or {})
