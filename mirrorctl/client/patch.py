"""The patch flavours the apiserver accepts, named by their content types."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["PatchType"]


class PatchType(StrEnum):
    JSON = "application/json-patch+json"
    MERGE = "application/merge-patch+json"
    STRATEGIC = "application/strategic-merge-patch+json"
    # Server-side apply takes YAML; JSON is YAML, so the body is still serialised with orjson.
    APPLY = "application/apply-patch+yaml"

    @property
    def idempotent(self) -> bool:
        """Whether sending the same patch twice has the effect of sending it once."""
        return self is not PatchType.JSON
