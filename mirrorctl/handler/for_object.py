"""Enqueue the object the event is about."""

from __future__ import annotations

from dataclasses import dataclass

from mirrorctl.predicate.interface import Object
from mirrorctl.reconcile.request import Request

__all__ = ["EnqueueRequestForObject", "request_for"]


def request_for(obj: Object) -> Request:
    """The request naming ``obj``."""
    metadata = obj["metadata"]
    return Request(name=metadata["name"], namespace=metadata.get("namespace") or None)


@dataclass(frozen=True, slots=True)
class EnqueueRequestForObject:
    """The handler of a controller's primary resource (``for_``)."""

    def create(self, obj: Object) -> tuple[Request, ...]:
        return (request_for(obj),)

    def update(self, old: Object, new: Object) -> tuple[Request, ...]:
        # An object's name and namespace never change, so the new object names both.
        return (request_for(new),)

    def delete(self, obj: Object) -> tuple[Request, ...]:
        return (request_for(obj),)
