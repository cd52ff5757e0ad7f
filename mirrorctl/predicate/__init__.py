"""Predicates: filters applied to informer events before anything is enqueued."""

from mirrorctl.predicate.changed import (
    AnnotationsChanged,
    GenerationChanged,
    LabelsChanged,
    ResourceVersionChanged,
)
from mirrorctl.predicate.combinators import And, Not, Or, and_, not_, or_
from mirrorctl.predicate.funcs import Funcs, from_filter
from mirrorctl.predicate.interface import Object, Predicate
from mirrorctl.predicate.labelselector import LabelSelector, Operator, Requirement
from mirrorctl.predicate.selector import LabelSelectorPredicate

__all__ = [
    "And",
    "AnnotationsChanged",
    "Funcs",
    "GenerationChanged",
    "LabelSelector",
    "LabelSelectorPredicate",
    "LabelsChanged",
    "Not",
    "Object",
    "Operator",
    "Or",
    "Predicate",
    "Requirement",
    "ResourceVersionChanged",
    "and_",
    "from_filter",
    "not_",
    "or_",
]
