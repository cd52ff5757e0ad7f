"""Kubernetes label selectors (``metav1.LabelSelector``) evaluated locally."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

__all__ = ["LabelSelector", "Operator", "Requirement"]


class Operator(StrEnum):
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


@dataclass(frozen=True, slots=True)
class Requirement:
    """One ``matchExpressions`` entry."""

    key: str
    operator: Operator
    values: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        needs_values = self.operator in (Operator.IN, Operator.NOT_IN)
        if needs_values and not self.values:
            raise ValueError(f"operator {self.operator.value} on {self.key!r} needs values")
        if not needs_values and self.values:
            raise ValueError(f"operator {self.operator.value} on {self.key!r} takes no values")

    def matches(self, labels: Mapping[str, str]) -> bool:
        match self.operator:
            case Operator.IN:
                return labels.get(self.key) in self.values
            case Operator.NOT_IN:
                # As in Kubernetes: an absent key satisfies NotIn.
                return labels.get(self.key) not in self.values
            case Operator.EXISTS:
                return self.key in labels
            case Operator.DOES_NOT_EXIST:
                return self.key not in labels

    def __str__(self) -> str:
        values = ",".join(sorted(self.values))
        match self.operator:
            case Operator.IN:
                return f"{self.key} in ({values})"
            case Operator.NOT_IN:
                return f"{self.key} notin ({values})"
            case Operator.EXISTS:
                return self.key
            case Operator.DOES_NOT_EXIST:
                return f"!{self.key}"


def _requirement(expr: Mapping[str, Any]) -> Requirement:
    missing = [field for field in ("key", "operator") if field not in expr]
    if missing:
        raise ValueError(f"matchExpressions entry {dict(expr)!r} has no {' or '.join(missing)}")
    return Requirement(
        key=expr["key"],
        operator=Operator(expr["operator"]),
        values=frozenset(expr.get("values") or ()),
    )


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """All of ``match_labels`` and ``requirements`` must hold; the empty selector matches all."""

    match_labels: tuple[tuple[str, str], ...] = ()
    requirements: tuple[Requirement, ...] = ()

    @classmethod
    def parse(cls, selector: Mapping[str, Any]) -> LabelSelector:
        """Read the API form ``{"matchLabels": {...}, "matchExpressions": [...]}``."""
        unknown = set(selector) - {"matchLabels", "matchExpressions"}
        if unknown:
            raise ValueError(f"unknown label selector fields: {sorted(unknown)}")
        match_labels = selector.get("matchLabels") or {}
        requirements = tuple(_requirement(expr) for expr in selector.get("matchExpressions") or ())
        return cls(
            match_labels=tuple(sorted((str(k), str(v)) for k, v in match_labels.items())),
            requirements=requirements,
        )

    @classmethod
    def of(cls, **labels: str) -> LabelSelector:
        """A selector requiring exactly these label values."""
        return cls(match_labels=tuple(sorted(labels.items())))

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(labels.get(k) == v for k, v in self.match_labels) and all(
            r.matches(labels) for r in self.requirements
        )

    def __str__(self) -> str:
        """The query-string form accepted by list and watch (``labelSelector=``)."""
        parts = [f"{k}={v}" for k, v in self.match_labels]
        parts.extend(str(r) for r in self.requirements)
        return ",".join(parts)
