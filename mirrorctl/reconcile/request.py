"""The key a reconcile is asked to converge: never the object itself."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Request"]


@dataclass(frozen=True, slots=True)
class Request:
    """Name and namespace of one object; ``namespace`` is None for cluster-scoped objects.

    Only the key travels through the queue so that the reconciler always reads the latest
    state from the cache instead of a stale copy captured when the event fired.
    """

    name: str
    namespace: str | None = None
    # Computed once: a request is hashed some ten times on its way through the queue (its
    # dirty and processing sets, each rate limiter's failures), and a generated dataclass
    # hash builds a tuple each time.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.name, self.namespace)))

    def __hash__(self) -> int:
        return self._hash

    @classmethod
    def from_key(cls, key: str) -> Request:
        """Parse an informer key, ``"ns/name"`` or ``"name"``."""
        namespace, sep, name = key.partition("/")
        if not sep:
            return cls(name=key)
        return cls(name=name, namespace=namespace or None)

    @property
    def key(self) -> str:
        """The informer key of the object, ``"ns/name"`` or ``"name"``."""
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    def __str__(self) -> str:
        return self.key
