"""A pydantic field whose JSON name differs from its Python name."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic_core import PydanticUndefined

__all__ = ["json_field"]


def json_field(name: str, default: Any = PydanticUndefined, **constraints: Any) -> Any:
    """A field read and written as ``name`` in JSON but constructed by its Python name.

    Plain ``alias`` would make type checkers expect the JSON name in constructors.
    """
    return Field(default, validation_alias=name, serialization_alias=name, **constraints)
