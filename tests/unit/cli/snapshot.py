"""A cluster snapshot for explain's unit tests: indexed stores read through the reconcilers'
real `MirroringView` (the same indexes the controller registers), filled by hand."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import PODS
from mirrorctl.informers.store import Indexer
from mirrorctl.mirroring.resources import contrail_resources
from mirrorctl.reconcilers.indexes import (
    DESTINATION_BY_SELECTOR,
    INSTANCE_IP_BY_INTERFACE,
    OBJECT_BY_POD,
    POD_BY_ANALYZER,
    POD_BY_DESTINATION,
    Indexes,
)
from mirrorctl.reconcilers.keymap import KeyMap
from mirrorctl.reconcilers.view import MirroringView, object_key
from mirrorctl.reconcilers.written import WrittenObjects
from tests.unit.merge_patch import apply_merge_patch

__all__ = ["R", "Snapshot", "apply_merge_patch"]

R = contrail_resources()
_Objs = list[dict[str, Any]]
_Keys = list[str]


class Snapshot:
    def __init__(self) -> None:
        indexes = Indexes(KeyMap()).guarded()
        wanted = {
            PODS: (POD_BY_DESTINATION, POD_BY_ANALYZER),
            R.virtual_machines: (OBJECT_BY_POD,),
            R.virtual_machine_interfaces: (OBJECT_BY_POD,),
            R.instance_ips: (INSTANCE_IP_BY_INTERFACE,),
            R.mirror_destinations: (DESTINATION_BY_SELECTOR,),
        }
        self.stores = {
            res: Indexer({n: indexes[n] for n in names}) for res, names in wanted.items()
        }
        self.view = MirroringView(self, R, KeyMap(), WrittenObjects())

    def put(self, res: Resource, *objs: dict[str, Any]) -> None:
        for obj in objs:
            cached = copy.deepcopy(obj)
            # List responses carry no kind: the view must add it.
            cached.pop("kind", None)
            cached.pop("apiVersion", None)
            self.stores[res].set(object_key(obj), cached)

    def remove(self, res: Resource, key: str) -> None:
        self.stores[res].pop(key)

    def patch(self, res: Resource, key: str, body: dict[str, Any]) -> None:
        current = self.stores[res].get_by_key(key)
        assert current is not None, key
        self.stores[res].set(key, apply_merge_patch(current, body))

    def get(self, res: Resource, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        return self.stores[res].get_by_key(f"{namespace}/{name}" if namespace else name)

    def list(
        self,
        res: Resource,
        namespace: str | None = None,
        label_selector: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        # Only a namespace's VMIs, when explain looks for those of another cluster.
        if namespace is None or label_selector is not None:
            raise AssertionError("explain reads by key, by index or one namespace at a time")
        return [o for o in self.stores[res].list() if o["metadata"].get("namespace") == namespace]

    def by_index(self, res: Resource, index: str, value: str) -> _Objs:
        return self.stores[res].by_index(index, value)

    def index_keys(self, res: Resource, index: str, value: str) -> _Keys:
        return self.stores[res].index_keys(index, value)

    def revision(self, res: Resource) -> int:
        return self.stores[res].revision
