"""`InformerCache`: the `Reader` over an `InformerFactory`'s informers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.cache.errors import CacheNotSyncedError, NotCachedError
from mirrorctl.client.resource import Resource
from mirrorctl.informers.factory import InformerFactory
from mirrorctl.informers.interface import IndexFunc
from mirrorctl.informers.keys import key_for
from mirrorctl.informers.shared import SharedInformer, resource_label
from mirrorctl.informers.store import NAMESPACE_INDEX, Indexer

__all__ = ["InformerCache"]

# An alias, because the method named `list` shadows the builtin inside the class body.
_Objs = list[dict[str, Any]]
_Keys = list[str]


def _has_labels(obj: dict[str, Any], wanted: Mapping[str, str]) -> bool:
    labels = obj["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in wanted.items())


class InformerCache:
    """Reads from one informer per resource: cluster-wide, or limited to `namespace`.

    Register each resource (`informer`, `add_index`) before the factory starts. A read of a
    resource whose informer has not synced raises `CacheNotSyncedError`. Returned dicts are
    the cached objects themselves: callers must not mutate them.
    """

    def __init__(self, factory: InformerFactory, *, namespace: str | None = None) -> None:
        self._factory = factory
        self._namespace = namespace
        # Every read starts here: the factory's lookup builds a key each time.
        self._informers: dict[Resource, SharedInformer] = {}
        # The stores of informers seen synced: an informer never goes back to unsynced, and a
        # fan-out reads the cache a dozen times per object.
        self._ready: dict[Resource, Indexer] = {}

    @property
    def namespace(self) -> str | None:
        return self._namespace

    def informer(self, res: Resource) -> SharedInformer:
        """The informer that backs reads of `res` (created on first use)."""
        informer = self._informers.get(res)
        if informer is None:
            informer = self._factory.informer(res, self._namespace if res.namespaced else None)
            self._informers[res] = informer
        return informer

    def add_index(self, res: Resource, name: str, fn: IndexFunc) -> None:
        """Index `res` by `fn` under `name` for `by_index`; only before the factory starts."""
        self.informer(res).add_indexers({name: fn})

    def _synced(self, res: Resource) -> Indexer:
        store = self._ready.get(res)
        if store is not None:
            return store
        informer = self.informer(res)
        if not informer.has_synced():
            raise CacheNotSyncedError(
                f"the cache of {resource_label(res)} is not synced "
                "(register the resource before starting the informers and wait for sync)"
            )
        store = self._ready[res] = informer.store
        return store

    def _check_namespace(self, res: Resource, namespace: str | None) -> None:
        if not res.namespaced:
            if namespace is not None:
                raise ValueError(f"{resource_label(res)} is cluster-scoped; got {namespace!r}")
        elif self._namespace is not None and namespace not in (None, self._namespace):
            raise NotCachedError(
                f"the cache holds namespace {self._namespace!r} only, not {namespace!r}"
            )

    def get(self, res: Resource, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        # "" is how object metadata says "no namespace"; it must not become a key of its own.
        namespace = namespace or None
        self._check_namespace(res, namespace)
        if res.namespaced and namespace is None:
            raise ValueError(f"{resource_label(res)} is namespaced: get needs a namespace")
        return self._synced(res).get_by_key(key_for(name, namespace))

    def list(
        self,
        res: Resource,
        namespace: str | None = None,
        label_selector: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        namespace = namespace or None  # "" lists every namespace, as None does
        self._check_namespace(res, namespace)
        store = self._synced(res)
        if namespace is None or namespace == self._namespace:
            objs = store.list()
        elif store.has_index(NAMESPACE_INDEX):
            objs = store.by_index(NAMESPACE_INDEX, namespace)
        else:
            objs = [o for o in store.list() if o["metadata"].get("namespace") == namespace]
        if label_selector:
            objs = [o for o in objs if _has_labels(o, label_selector)]
        return objs

    def by_index(self, res: Resource, index: str, value: str) -> _Objs:
        return self._synced(res).by_index(index, value)

    def index_keys(self, res: Resource, index: str, value: str) -> _Keys:
        return self._synced(res).index_keys(index, value)

    def revision(self, res: Resource) -> int:
        return self._synced(res).revision
