"""An in-memory cluster for the reconcilers' unit tests: indexed stores read through the real
`MirroringView`, a patch sink that applies merge patches to them, and an Event sink.

It models only what the reconcilers' decisions depend on (what the cache shows, what they
write); apiserver behaviour is exercised by the integration tests.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mirrorctl.cache.errors import CacheNotSyncedError
from mirrorctl.client.errors import error_from_response, error_from_status
from mirrorctl.client.json_codec import dumps
from mirrorctl.client.patch import PatchType
from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import PODS
from mirrorctl.informers.store import Indexer
from mirrorctl.informers.transform import Transform
from mirrorctl.mirroring.resources import contrail_resources
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcilers.analyzer_pod import AnalyzerPodReconciler
from mirrorctl.reconcilers.destination import DestinationReconciler
from mirrorctl.reconcilers.fanout import Fanout
from mirrorctl.reconcilers.indexes import (
    DESTINATION_BY_SELECTOR,
    INSTANCE_IP_BY_INTERFACE,
    OBJECT_BY_POD,
    POD_BY_ANALYZER,
    POD_BY_DESTINATION,
    Indexes,
)
from mirrorctl.reconcilers.keymap import KeyMap
from mirrorctl.reconcilers.notices import Notices
from mirrorctl.reconcilers.settings import MirroringSettings
from mirrorctl.reconcilers.source_pod import SourcePodReconciler
from mirrorctl.reconcilers.trim import kept_fields, trimmer
from mirrorctl.reconcilers.view import MirroringView, object_key
from mirrorctl.reconcilers.writer import ObjectWriter
from mirrorctl.reconcilers.written import WrittenObjects
from tests.unit.merge_patch import apply_merge_patch

__all__ = ["Event", "Patch", "World", "apply_merge_patch"]

R = contrail_resources()
# Set by conftest: every reconciler test runs against whole and against trimmed caches.
TRIM_CACHES = False
# An alias, because the method named `list` shadows the builtin inside the class body.
_Objs = list[dict[str, Any]]
_Keys = list[str]


@dataclass(frozen=True)
class Patch:
    kind: str
    key: str
    body: dict[str, Any]
    subresource: str | None


@dataclass(frozen=True)
class Event:
    kind: str
    key: str
    type: str
    reason: str
    message: str


class World:
    def __init__(self, settings: MirroringSettings | None = None) -> None:
        self.settings = settings or MirroringSettings()
        self.keymap = KeyMap(self.settings.keys)
        indexes = Indexes(self.keymap, self.settings.cluster_name).guarded()
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
        trim = self.settings.trim_cache or TRIM_CACHES
        self._trims: dict[Resource, Transform] = {}
        for res in wanted:
            kept = kept_fields(res, R) if trim else None
            if kept is not None:
                self._trims[res] = trimmer(kept)
        self.server: dict[Resource, dict[str, dict[str, Any]]] = {res: {} for res in wanted}
        self.patches: list[Patch] = []
        self.events: list[Event] = []
        self.stale = False  # when set, writes reach the server but not the cache
        self.unsynced: set[Resource] = set()  # reads of these raise CacheNotSyncedError
        # Writes of these meet the bare 404 of a path not served, as a restarted apiserver
        # answers for custom resources until it has installed their handlers.
        self.unserved: set[Resource] = set()
        self._versions = itertools.count(100)
        self.clock = datetime(2025, 1, 1, tzinfo=UTC)
        written = WrittenObjects()
        self.view = MirroringView(self, R, self.keymap, written, namespace=self.settings.namespace)
        self.writer = ObjectWriter(self, written, self.keymap)
        cluster = self.settings.cluster_name
        self.analyzer = AnalyzerPodReconciler(
            self.view, self.writer, Notices(self), cluster_name=cluster
        )
        self.source = SourcePodReconciler(
            self.view, self.writer, Notices(self), cluster_name=cluster
        )
        self.destination = DestinationReconciler(
            self.view, self.writer, self, cluster_name=cluster, now=lambda: self.clock
        )
        self.fanout = Fanout(self.view, cluster_name=cluster)

    # -- Reader --------------------------------------------------------------------------------

    def _check_synced(self, res: Resource) -> None:
        if res in self.unsynced:
            raise CacheNotSyncedError(f"{res.plural} not synced")

    def get(self, res: Resource, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        self._check_synced(res)
        return self.stores[res].get_by_key(f"{namespace}/{name}" if namespace else name)

    def list(
        self,
        res: Resource,
        namespace: str | None = None,
        label_selector: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        raise AssertionError("the reconcilers must not list: they read by key or by index")

    def by_index(self, res: Resource, index: str, value: str) -> _Objs:
        self._check_synced(res)
        return self.stores[res].by_index(index, value)

    def index_keys(self, res: Resource, index: str, value: str) -> _Keys:
        self._check_synced(res)
        return self.stores[res].index_keys(index, value)

    def revision(self, res: Resource) -> int:
        self._check_synced(res)
        return self.stores[res].revision

    # -- Patcher -------------------------------------------------------------------------------

    async def patch(
        self,
        resource: Resource,
        name: str,
        body: Any,
        namespace: str | None = None,
        *,
        patch_type: PatchType = PatchType.MERGE,
        subresource: str | None = None,
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> dict[str, Any]:
        assert patch_type is PatchType.MERGE
        if resource in self.unserved:
            raise error_from_response(404, b"404 page not found")
        key = f"{namespace}/{name}" if namespace else name
        current = self.server[resource].get(key)
        if current is None:
            # The apiserver's Status for a missing object names it.
            details = {"name": name, "group": resource.group, "kind": resource.plural}
            raise error_from_status(
                {
                    "kind": "Status",
                    "reason": "NotFound",
                    "message": f"{key} not found",
                    "details": details,
                },
                404,
            )
        if subresource == "status":
            assert set(body) == {"status"}, "a status patch changes nothing but status"
        else:
            assert set(body) == {"metadata"}, "only metadata is ever patched"
            assert set(body["metadata"]) <= {"labels", "annotations"}
        self.patches.append(Patch(resource.kind, key, body, subresource))
        updated = apply_merge_patch(current, body)
        self._store(resource, updated, to_cache=not self.stale)
        return copy.deepcopy(updated)

    async def patch_raw(self, *args: Any, **kwargs: Any) -> bytes:
        """`patch`, answered as the apiserver does: the object's JSON (through ``self.patch``,
        so that tests replacing it see every write)."""
        return dumps(await self.patch(*args, **kwargs))

    # -- Recorder ------------------------------------------------------------------------------

    def event(
        self,
        obj: Mapping[str, Any],
        type_: str,
        reason: str,
        message: str,
        *,
        field_path: str | None = None,
    ) -> None:
        assert obj.get("kind"), "Events need the involved object's kind"
        self.events.append(Event(str(obj["kind"]), object_key(obj), type_, reason, message))

    # -- test controls -------------------------------------------------------------------------

    def _cached(self, res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        cached = copy.deepcopy(obj)
        trim = self._trims.get(res)
        if trim is not None:
            cached = trim(cached)
        # List responses carry no kind; the reconcilers must not depend on it.
        cached.pop("kind", None)
        cached.pop("apiVersion", None)
        return cached

    def _store(self, res: Resource, obj: dict[str, Any], *, to_cache: bool = True) -> None:
        # A new metadata map: a merge patch result may share it with the version before.
        obj["metadata"] = {**obj.get("metadata", {}), "resourceVersion": str(next(self._versions))}
        key = object_key(obj)
        self.server[res][key] = obj
        if to_cache:
            self.stores[res].set(key, self._cached(res, obj))

    def put(self, res: Resource, *objs: dict[str, Any]) -> None:
        for obj in objs:
            self._store(res, copy.deepcopy(obj))

    def remove(self, res: Resource, obj: Mapping[str, Any]) -> None:
        key = object_key(obj)
        self.server[res].pop(key, None)
        self.stores[res].pop(key)

    def write_unseen(self, res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        """Another writer's change that the watch has not delivered yet; returns it."""
        stored = copy.deepcopy(obj)
        self._store(res, stored, to_cache=False)
        return copy.deepcopy(stored)

    def deliver(self, res: Resource, obj: dict[str, Any]) -> None:
        """The watch delivers ``obj`` (a version the server had) to the cache."""
        self.stores[res].set(object_key(obj), self._cached(res, obj))

    def sync_cache(self) -> None:
        """Let the cache catch up with every write."""
        for res, objs in self.server.items():
            for key, obj in objs.items():
                self.stores[res].set(key, self._cached(res, obj))

    def obj(self, res: Resource, key: str) -> dict[str, Any]:
        return self.server[res][key]

    def labels(self, res: Resource, key: str) -> dict[str, str]:
        return dict(self.server[res][key]["metadata"].get("labels") or {})

    def annotations(self, res: Resource, key: str) -> dict[str, str]:
        return dict(self.server[res][key]["metadata"].get("annotations") or {})

    def status(self, name: str) -> dict[str, Any]:
        return dict(self.server[R.mirror_destinations][name].get("status") or {})

    def pod_keys(self) -> Iterator[Request]:
        for key in list(self.server[PODS]):
            yield Request.from_key(key)

    async def converge(self, *, extra_pods: tuple[str, ...] = ()) -> int:
        """Reconcile every pod (and the gone ``extra_pods``) and every MirrorDestination until
        a round writes nothing; returns the number of writes."""
        start = len(self.patches)
        for _ in range(10):
            before = len(self.patches)
            pods = [*self.pod_keys(), *(Request.from_key(k) for k in extra_pods)]
            for request in pods:
                await self.analyzer.reconcile(request)
                await self.source.reconcile(request)
            for name in list(self.server[R.mirror_destinations]):
                await self.destination.reconcile(Request(name=name))
            for request in pods:
                await self.source.reconcile(request)
            if len(self.patches) == before:
                return len(self.patches) - start
        raise AssertionError("the reconcilers never settle")
