"""Cache keys: "namespace/name" for namespaced objects, "name" for cluster-scoped ones."""

from __future__ import annotations

from typing import Any

from mirrorctl.informers.tombstone import DeletedFinalStateUnknown

__all__ = ["key_for", "key_of", "split_key"]


def key_of(obj: dict[str, Any] | DeletedFinalStateUnknown) -> str:
    """The cache key of an object, or the key a tombstone was filed under."""
    if isinstance(obj, DeletedFinalStateUnknown):
        return obj.key
    metadata = obj["metadata"]
    namespace = metadata.get("namespace")
    if namespace:
        return f"{namespace}/{metadata['name']}"
    return str(metadata["name"])


def key_for(name: str, namespace: str | None = None) -> str:
    """The key an object with this name and namespace is cached under."""
    return f"{namespace}/{name}" if namespace else name


def split_key(key: str) -> tuple[str | None, str]:
    """(namespace, name) of a key; namespace is None for cluster-scoped keys."""
    namespace, sep, name = key.partition("/")
    if not sep:
        return None, key
    if not namespace or not name or "/" in name:
        raise ValueError(f"malformed cache key {key!r}")
    return namespace, name
