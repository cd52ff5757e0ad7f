"""Typed errors of the mirroring domain; each carries a condition/Event reason and a message that
tells the user what to change."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AnnotationError",
    "ContrailDataError",
    "MirroringError",
    "SpecError",
]


class MirroringError(ValueError):
    """Bad input to the mirroring logic. ``reason`` is CamelCase (for conditions and Events)."""

    default_reason = "Invalid"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason


class SpecError(MirroringError):
    """A MirrorDestination that can never be applied as written; ``problems`` lists every fault."""

    default_reason = "InvalidSpec"

    def __init__(
        self, problems: Iterable[str], *, name: str | None = None, reason: str | None = None
    ) -> None:
        self.problems = tuple(problems) or ("invalid specification",)
        subject = f"MirrorDestination {name!r}" if name else "MirrorDestination"
        super().__init__(f"{subject} is invalid: {'; '.join(self.problems)}", reason=reason)


class AnnotationError(MirroringError):
    """A pod label or annotation mirrorctl reads is malformed."""

    default_reason = "InvalidPodAnnotation"


class ContrailDataError(MirroringError):
    """A CN2 object (VirtualMachineInterface, InstanceIP, ...) holds unusable data."""

    default_reason = "InvalidContrailData"
