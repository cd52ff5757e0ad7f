"""The key a reconcile is asked to converge: never the object itself."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Request"]


@dataclass(frozen=True, slots=True)
class Request:
    """Name and namespace of one object; ``namespace`` is None for cluster-scoped objects.

    Only the key travels through the queue so that the reconciler always reads the latest
    state from the cache instead of a stale copy captured when the event fired.
    """

    name: str
    namespace: str | None = None

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
