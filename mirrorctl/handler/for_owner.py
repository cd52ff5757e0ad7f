"""Enqueue the owner of the object the event is about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mirrorctl.client.resource import Resource
from mirrorctl.predicate.interface import Object
from mirrorctl.reconcile.request import Request

__all__ = ["EnqueueRequestForOwner"]


def _group(api_version: str) -> str:
    group, sep, _version = api_version.rpartition("/")
    return group if sep else ""


@dataclass(frozen=True, slots=True)
class EnqueueRequestForOwner:
    """Maps an owned object to its owners of one kind (the handler behind ``owns``).

    Owner references are matched on group and kind but not version, so an owner served at
    several versions is found whichever version wrote the reference. With ``controller_only``
    only the reference marked ``controller: true`` counts, as controllers own what they
    create that way. Owner references cannot cross namespaces: a namespaced owner is looked
    up in the owned object's namespace, a cluster-scoped one without namespace.
    """

    owner: Resource
    controller_only: bool = True

    def _owners(self, obj: Object) -> Iterable[Request]:
        namespace = (obj.get("metadata") or {}).get("namespace") if self.owner.namespaced else None
        for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
            if self.controller_only and not ref.get("controller"):
                continue
            if ref.get("kind") != self.owner.kind:
                continue
            if _group(ref.get("apiVersion", "")) != self.owner.group:
                continue
            yield Request(name=ref["name"], namespace=namespace or None)

    def create(self, obj: Object) -> tuple[Request, ...]:
        return tuple(dict.fromkeys(self._owners(obj)))

    def update(self, old: Object, new: Object) -> tuple[Request, ...]:
        # Both: an owner that was removed from the references must hear about it too.
        return tuple(dict.fromkeys([*self._owners(old), *self._owners(new)]))

    def delete(self, obj: Object) -> tuple[Request, ...]:
        return tuple(dict.fromkeys(self._owners(obj)))
