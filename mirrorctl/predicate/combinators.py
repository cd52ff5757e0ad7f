"""Boolean combinations of predicates."""

from __future__ import annotations

from dataclasses import dataclass

from mirrorctl.predicate.interface import Object, Predicate

__all__ = ["And", "Not", "Or", "and_", "not_", "or_"]


@dataclass(frozen=True, slots=True)
class And:
    """Passes an event only if every predicate does; no predicates pass everything."""

    predicates: tuple[Predicate, ...]

    def create(self, obj: Object) -> bool:
        return all(p.create(obj) for p in self.predicates)

    def update(self, old: Object, new: Object) -> bool:
        return all(p.update(old, new) for p in self.predicates)

    def delete(self, obj: Object) -> bool:
        return all(p.delete(obj) for p in self.predicates)


@dataclass(frozen=True, slots=True)
class Or:
    """Passes an event if any predicate does; no predicates pass nothing."""

    predicates: tuple[Predicate, ...]

    def create(self, obj: Object) -> bool:
        return any(p.create(obj) for p in self.predicates)

    def update(self, old: Object, new: Object) -> bool:
        return any(p.update(old, new) for p in self.predicates)

    def delete(self, obj: Object) -> bool:
        return any(p.delete(obj) for p in self.predicates)


@dataclass(frozen=True, slots=True)
class Not:
    """Inverts a predicate for every event kind."""

    predicate: Predicate

    def create(self, obj: Object) -> bool:
        return not self.predicate.create(obj)

    def update(self, old: Object, new: Object) -> bool:
        return not self.predicate.update(old, new)

    def delete(self, obj: Object) -> bool:
        return not self.predicate.delete(obj)


def and_(*predicates: Predicate) -> And:
    return And(predicates)


def or_(*predicates: Predicate) -> Or:
    return Or(predicates)


def not_(predicate: Predicate) -> Not:
    return Not(predicate)
