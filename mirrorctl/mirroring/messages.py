"""Turns pydantic validation errors into sentences a user can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from mirrorctl.mirroring.quoting import shown

__all__ = ["describe_validation_error", "field_path"]

_TYPE_NAMES = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "a list",
    "tuple_type": "a list",
}


def field_path(prefix: str, loc: Sequence[int | str]) -> str:
    """``spec.staticNextHopHeader.vxlanID`` / ``items[2].name`` from a pydantic location."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else part
    return path or "value"


def _sentence(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return "is required"
    if kind in _TYPE_NAMES:
        return f"must be {_TYPE_NAMES[kind]}, got {shown(value)}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {"greater_than_equal": "at least", "less_than_equal": "at most"}.get(
            kind, "greater than" if kind == "greater_than" else "less than"
        )
        limit = next(iter(ctx.values()), "?")
        return f"must be {bound} {limit}, got {shown(value)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '?')}, got {shown(value)}"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind in ("string_too_long", "too_long"):
        return f"is too long (at most {ctx.get('max_length', '?')})"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "is invalid")))
    return str(error.get("msg", "is invalid"))


def describe_validation_error(error: ValidationError, *, prefix: str = "") -> tuple[str, ...]:
    """One ``path: sentence`` per fault, in pydantic's (declaration) order."""
    problems: list[str] = []
    for item in error.errors(include_url=False):
        if item["type"] == "combination":
            problems.extend(str(p) for p in (item.get("ctx") or {}).get("problems", ()))
            continue
        problems.append(f"{field_path(prefix, item['loc'])}: {_sentence(item)}")
    return tuple(problems)
