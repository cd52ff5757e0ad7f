"""Map functions: which keys of which reconciler an event on a watched object affects.

They run inside informer dispatch, so they only read the cache (through the view) and enqueue
keys; the reconcilers read the current state again. An event that arrives before the cache it
reads from has synced maps as if that cache held nothing relevant: the keys it would have
reached are queued by their own initial list anyway. The one exception is an object whose
mirroring keys must be removed, which always enqueues its pod.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mirrorctl.cache.errors import CacheNotSyncedError
from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import PODS
from mirrorctl.mirroring.contrail import kube_manager_pod, references
from mirrorctl.mirroring.interfaces import pod_interfaces
from mirrorctl.mirroring.keys import (
    ANALYZER_INTERFACE,
    ANALYZER_POD,
    ANALYZER_POD_SELECTOR,
    MIRROR_DESTINATION,
    MIRRORING_CONFIGURATION,
)
from mirrorctl.mirroring.pods import pod_identity
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcilers.analyzer_pod import is_analyzer_pod
from mirrorctl.reconcilers.meta import section
from mirrorctl.reconcilers.source_pod import is_source_pod
from mirrorctl.reconcilers.view import MirroringView

__all__ = ["Fanout"]

_Obj = Mapping[str, Any]
MapFn = Callable[[_Obj], list[Request]]


def _pod_request(pod: _Obj) -> Request:
    namespace, name, _ = pod_identity(pod)
    return Request(name=name, namespace=namespace)


def _unique(requests: Iterable[Request]) -> list[Request]:
    return list(dict.fromkeys(requests))


class Fanout:
    """The map functions of the three reconcilers over one view."""

    def __init__(self, view: MirroringView, *, cluster_name: str | None = None) -> None:
        self._view = view
        self._cluster_name = cluster_name

    def _present(self, res: Resource, obj: _Obj) -> dict[str, Any]:
        return self._view.present(res, dict(obj))

    # -- relations ---------------------------------------------------------------------------

    def _owner(self, obj: _Obj) -> tuple[str, str] | None:
        """(namespace, name) of the pod a VM or VMI was made for, if mirrored here."""
        owner = kube_manager_pod(obj, self._cluster_name)
        return owner if owner is not None and self._view.in_scope(owner[0]) else None

    def _owner_pod(self, obj: _Obj) -> dict[str, Any] | None:
        owner = self._owner(obj)
        if owner is None:
            return None
        try:
            return self._view.pod(*owner)
        except CacheNotSyncedError:
            return None

    def _interfaces_of_instance_ip(self, iip: _Obj) -> list[dict[str, Any]]:
        spec = iip.get("spec")
        refs = spec.get("virtualMachineInterfaceReferences") if isinstance(spec, Mapping) else None
        found: list[dict[str, Any]] = []
        partial: list[Mapping[str, Any]] = []
        for ref in refs if isinstance(refs, list) else []:
            if not isinstance(ref, (dict, Mapping)):
                continue
            namespace, name = ref.get("namespace"), ref.get("name")
            if isinstance(namespace, str) and namespace and isinstance(name, str) and name:
                try:
                    vmi = self._view.interface(namespace, name)
                except CacheNotSyncedError:
                    vmi = None
                if vmi is not None:
                    found.append(vmi)
            elif ref.get("uid") or name:
                partial.append(ref)
        if partial:
            found.extend(vmi for vmi in self._analyzer_interfaces() if references(partial, vmi))
        return found

    def _analyzer_interfaces(self) -> list[dict[str, Any]]:
        """The VMIs of every pod some MirrorDestination selects as its analyzer: the only
        ones an InstanceIP can matter for. A reference without a namespace and name (a uid
        alone, or a bare name) is matched against these rather than indexed, since filing
        every VMI under its uid would cost each cached VMI an index entry."""
        try:
            selectors = {
                section(md, "labels").get(ANALYZER_POD_SELECTOR) for md in self._view.destinations()
            }
            found: list[dict[str, Any]] = []
            for selector in selectors:
                if not isinstance(selector, str) or not selector:
                    continue
                for pod in self._view.analyzer_pods(selector):
                    namespace, name, _ = pod_identity(pod)
                    if self._view.in_scope(namespace):
                        found.extend(self._view.interfaces_of_pod(namespace, name))
            return found
        except CacheNotSyncedError:
            return []

    def _destinations_of_analyzer(self, pod: _Obj | None) -> list[str]:
        """MirrorDestinations whose selector matches the pod's analyzer-pod label."""
        if pod is None:
            return []
        selector = section(pod, "labels").get(ANALYZER_POD)
        if not isinstance(selector, str) or not selector:
            return []
        try:
            found = self._view.destinations_selecting(selector)
        except CacheNotSyncedError:
            return []
        return [str(md["metadata"]["name"]) for md in found]

    def _sources_of(self, destinations: Iterable[str]) -> list[Request]:
        requests: list[Request] = []
        for name in destinations:
            try:
                requests.extend(map(Request.from_key, self._view.source_pod_keys(name)))
            except CacheNotSyncedError:
                return requests
        return requests

    def _requested_destinations(self, pod: _Obj) -> list[str]:
        return [
            i.mirror_destination
            for i in pod_interfaces(pod).mirror_requests
            if i.mirror_destination is not None
        ]

    def _owner_request(
        self, obj: _Obj, relevant: Callable[[_Obj], bool], ours: bool
    ) -> list[Request]:
        """The VM/VMI's pod, if the object carries keys of ours (they may have to go) or the
        pod asks for something (the object may need them)."""
        owner = self._owner(obj)
        if owner is None:
            return []
        request = Request(name=owner[1], namespace=owner[0])
        if ours:
            return [request]
        try:
            pod = self._view.pod(*owner)
        except CacheNotSyncedError:
            return [request]
        return [request] if pod is not None and relevant(pod) else []

    # -- analyzer-pod reconciler -------------------------------------------------------------

    def analyzer_pod_for_pod(self, raw: _Obj) -> list[Request]:
        pod = self._present(PODS, raw)
        return [_pod_request(pod)] if is_analyzer_pod(pod) else []

    def analyzer_pod_for_machine(self, raw: _Obj) -> list[Request]:
        vm = self._present(self._view.resources.virtual_machines, raw)
        ours = ANALYZER_POD in section(vm, "labels")
        return self._owner_request(vm, is_analyzer_pod, ours)

    def analyzer_pod_for_interface(self, raw: _Obj) -> list[Request]:
        vmi = self._present(self._view.resources.virtual_machine_interfaces, raw)
        ours = ANALYZER_INTERFACE in section(vmi, "labels")
        return self._owner_request(vmi, is_analyzer_pod, ours)

    # -- source-pod reconciler ---------------------------------------------------------------

    def source_pod_for_pod(self, raw: _Obj) -> list[Request]:
        """The pod itself if it asks for mirroring; and, if it is an analyzer, every source
        of every MirrorDestination that selects it."""
        pod = self._present(PODS, raw)
        own = [_pod_request(pod)] if is_source_pod(pod) else []
        return _unique([*own, *self._sources_of(self._destinations_of_analyzer(pod))])

    def source_pod_for_interface(self, raw: _Obj) -> list[Request]:
        vmi = self._present(self._view.resources.virtual_machine_interfaces, raw)
        ours = MIRROR_DESTINATION in section(vmi, "labels") or MIRRORING_CONFIGURATION in (
            section(vmi, "annotations")
        )
        own = self._owner_request(vmi, is_source_pod, ours)
        fanned = self._sources_of(self._destinations_of_analyzer(self._owner_pod(vmi)))
        return _unique([*own, *fanned])

    def source_pod_for_instance_ip(self, raw: _Obj) -> list[Request]:
        iip = self._present(self._view.resources.instance_ips, raw)
        destinations: list[str] = []
        for vmi in self._interfaces_of_instance_ip(iip):
            destinations.extend(self._destinations_of_analyzer(self._owner_pod(vmi)))
        return _unique(self._sources_of(dict.fromkeys(destinations)))

    def source_pod_for_destination(self, raw: _Obj) -> list[Request]:
        md = self._present(self._view.resources.mirror_destinations, raw)
        return _unique(self._sources_of([str(md["metadata"]["name"])]))

    # -- MirrorDestination reconciler ----------------------------------------------------------

    def destination_for_pod(self, raw: _Obj) -> list[Request]:
        """MirrorDestinations that select the pod as analyzer or that it asks to mirror to."""
        pod = self._present(PODS, raw)
        names = [*self._destinations_of_analyzer(pod), *self._requested_destinations(pod)]
        return _unique(Request(name=n) for n in names)

    def destination_for_owned(self, res: Resource) -> MapFn:
        """For VMs and VMIs: the destinations selecting the pod they were made for."""

        def map_owned(raw: _Obj) -> list[Request]:
            obj = self._present(res, raw)
            return [Request(name=n) for n in self._destinations_of_analyzer(self._owner_pod(obj))]

        return map_owned

    def destination_for_instance_ip(self, raw: _Obj) -> list[Request]:
        iip = self._present(self._view.resources.instance_ips, raw)
        names: list[str] = []
        for vmi in self._interfaces_of_instance_ip(iip):
            names.extend(self._destinations_of_analyzer(self._owner_pod(vmi)))
        return _unique(Request(name=n) for n in names)
