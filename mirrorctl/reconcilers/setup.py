"""`setup_mirroring`: the one call that adds port mirroring to a manager."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mirrorctl.cache.informer_cache import InformerCache
from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import PODS
from mirrorctl.controller.builder import ControllerBuilder
from mirrorctl.controller.controller import Controller
from mirrorctl.handler.for_object import EnqueueRequestForObject
from mirrorctl.handler.interface import EventHandler
from mirrorctl.handler.map_func import EnqueueRequestsFromMapFunc as Mapped
from mirrorctl.manager.manager import Manager
from mirrorctl.mirroring.resources import contrail_resources
from mirrorctl.predicate.interface import Object, Predicate
from mirrorctl.reconcile.reconciler import Reconciler
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcilers.analyzer_pod import AnalyzerPodReconciler
from mirrorctl.reconcilers.destination import DestinationReconciler
from mirrorctl.reconcilers.echoes import OwnWrites, ignore_echoes
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
from mirrorctl.reconcilers.predicates import (
    counted_pod_changes,
    destination_changes,
    pod_changes,
)
from mirrorctl.reconcilers.resolve import DestinationResolver
from mirrorctl.reconcilers.settings import MirroringSettings
from mirrorctl.reconcilers.sharing import ValuePool
from mirrorctl.reconcilers.source_pod import SourcePodReconciler
from mirrorctl.reconcilers.trim import kept_fields, trimmer
from mirrorctl.reconcilers.view import MirroringView
from mirrorctl.reconcilers.writer import ObjectWriter
from mirrorctl.reconcilers.written import WrittenObjects

__all__ = [
    "ANALYZER_POD_CONTROLLER",
    "DESTINATION_CONTROLLER",
    "SOURCE_POD_CONTROLLER",
    "Mirroring",
    "setup_mirroring",
]

ANALYZER_POD_CONTROLLER = "mirroring-analyzer-pod"
SOURCE_POD_CONTROLLER = "mirroring-source-pod"
DESTINATION_CONTROLLER = "mirroring-destination"


@dataclass(frozen=True, slots=True)
class Mirroring:
    """What `setup_mirroring` added, for inspection (the manager runs it all)."""

    analyzer_pod: Controller
    source_pod: Controller
    destination: Controller
    view: MirroringView
    writer: ObjectWriter


def setup_mirroring(manager: Manager, settings: MirroringSettings | None = None) -> Mirroring:
    """Add the analyzer-pod, source-pod and MirrorDestination reconcilers, their watches and
    their cache indexes to ``manager``; call it before ``manager.start()``."""
    settings = settings or MirroringSettings()
    resources = contrail_resources(settings.contrail_api_version)
    cache = (
        manager.cache
        if settings.namespace is None or settings.namespace == manager.cache.namespace
        else InformerCache(manager.informers, namespace=settings.namespace)
    )
    keymap = KeyMap(settings.keys)
    cluster = settings.cluster_name
    indexes = Indexes(keymap, cluster).guarded()
    for res, name in (
        (resources.virtual_machines, OBJECT_BY_POD),
        (resources.virtual_machine_interfaces, OBJECT_BY_POD),
        (PODS, POD_BY_DESTINATION),
        (PODS, POD_BY_ANALYZER),
        (resources.mirror_destinations, DESTINATION_BY_SELECTOR),
        (resources.instance_ips, INSTANCE_IP_BY_INTERFACE),
    ):
        cache.add_index(res, name, indexes[name])
    if settings.trim_cache:
        pool = ValuePool()
        for res in (PODS, *resources.all()):
            kept = kept_fields(res, resources)
            if kept is not None:
                informer = cache.informer(res)
                informer.set_transform(trimmer(kept, pool, previous=informer.store.get_by_key))

    written = WrittenObjects()
    view = MirroringView(cache, resources, keymap, written, namespace=cache.namespace)
    writer = ObjectWriter(manager.client, written, keymap)
    # The source writer's echoes are skipped by all three controllers: only the source-pod
    # reconciler reads the keys it writes, and it knows what it wrote.
    source_writes = OwnWrites()
    source_writer = ObjectWriter(manager.client, written, keymap, own_writes=source_writes)
    # The status writer's echoes are skipped by the destination controller, which made them:
    # counting a destination's sources again for its own status write doubles a fan-out's
    # status work.
    status_writes = OwnWrites()
    status_writer = ObjectWriter(manager.client, written, keymap, own_writes=status_writes)
    resolver = DestinationResolver(view, cluster_name=cluster, notified=True)
    recorder = manager.event_recorder(settings.component)
    fanout = Fanout(view, cluster_name=cluster)

    def build(
        name: str,
        reconciler: Reconciler,
        watches: list[tuple[Resource, EventHandler, tuple[Predicate, ...]]],
    ) -> Controller:
        # Sources come from our cache, which is the manager's unless a namespace is set.
        builder = ControllerBuilder(manager).named(name)
        for res, handler, predicates in watches:
            builder = builder.watches(cache.informer(res), handler, predicates=predicates)
        return builder.with_options(max_concurrent_reconciles=settings.workers).build(reconciler)

    vms, vmis = resources.virtual_machines, resources.virtual_machine_interfaces
    iips, mds = resources.instance_ips, resources.mirror_destinations
    news = ignore_echoes(source_writes, vmis)
    analyzer_pod = build(
        ANALYZER_POD_CONTROLLER,
        AnalyzerPodReconciler(view, writer, Notices(recorder), cluster_name=cluster),
        [
            (PODS, Mapped(fanout.analyzer_pod_for_pod), (pod_changes,)),
            (vms, Mapped(fanout.analyzer_pod_for_machine), ()),
            (vmis, Mapped(fanout.analyzer_pod_for_interface), (news,)),
        ],
    )
    source_pod = build(
        SOURCE_POD_CONTROLLER,
        SourcePodReconciler(
            view, source_writer, Notices(recorder), cluster_name=cluster, resolver=resolver
        ),
        [
            (PODS, Mapped(fanout.source_pod_for_pod), (pod_changes,)),
            (vmis, Mapped(fanout.source_pod_for_interface), (news,)),
            (iips, Mapped(fanout.source_pod_for_instance_ip), ()),
            (mds, Mapped(fanout.source_pod_for_destination), (destination_changes,)),
        ],
    )

    def forgetting(fn: Callable[[Object], list[Request]]) -> Mapped:
        """``fn``'s handler, telling the resolver which destinations the event may change:
        the destinations the controller reconciles for an event are those whose inputs it
        touches."""

        def mapped(obj: Object) -> list[Request]:
            try:
                requests = fn(obj)
            except BaseException:
                resolver.forget_all()
                raise
            for request in requests:
                resolver.forget(request.name)
            return requests

        return Mapped(mapped)

    destination = build(
        DESTINATION_CONTROLLER,
        DestinationReconciler(
            view, status_writer, recorder, cluster_name=cluster, resolver=resolver
        ),
        [
            (mds, EnqueueRequestForObject(), (ignore_echoes(status_writes, mds),)),
            (
                PODS,
                forgetting(fanout.destination_for_pod),
                (counted_pod_changes(lambda pod: view.present(PODS, dict(pod))),),
            ),
            (vms, forgetting(fanout.destination_for_owned(vms)), ()),
            (vmis, forgetting(fanout.destination_for_owned(vmis)), (news,)),
            (iips, forgetting(fanout.destination_for_instance_ip), ()),
        ],
    )
    return Mirroring(analyzer_pod, source_pod, destination, view, writer)
