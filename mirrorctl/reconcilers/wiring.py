"""`plan_mirroring`: the three controllers of port mirroring as data, before any exists.

Each controller is its reconciler and its watches: which kind, which handler maps an event to
keys, which predicates filter it. `setup_mirroring` builds the controllers from this plan on a
manager; the convergence tests deliver events to the same handlers, so what they check is the
wiring that runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from mirrorctl.client.events import Recorder
from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import PODS
from mirrorctl.handler.for_object import EnqueueRequestForObject
from mirrorctl.handler.interface import EventHandler
from mirrorctl.handler.map_func import EnqueueRequestsFromMapFunc as Mapped
from mirrorctl.predicate.interface import Object, Predicate
from mirrorctl.reconcile.reconciler import Reconciler
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcilers.analyzer_pod import AnalyzerPodReconciler
from mirrorctl.reconcilers.destination import DestinationReconciler
from mirrorctl.reconcilers.echoes import OwnWrites, ignore_echoes
from mirrorctl.reconcilers.fanout import Fanout
from mirrorctl.reconcilers.notices import Notices
from mirrorctl.reconcilers.predicates import (
    counted_pod_changes,
    destination_changes,
    pod_changes,
)
from mirrorctl.reconcilers.resolve import DestinationResolver
from mirrorctl.reconcilers.source_pod import SourcePodReconciler
from mirrorctl.reconcilers.view import MirroringView
from mirrorctl.reconcilers.writer import ObjectWriter, Patcher

__all__ = [
    "ANALYZER_POD_CONTROLLER",
    "DESTINATION_CONTROLLER",
    "SOURCE_POD_CONTROLLER",
    "MirroringPlan",
    "PlannedController",
    "Watch",
    "plan_mirroring",
]

ANALYZER_POD_CONTROLLER = "mirroring-analyzer-pod"
SOURCE_POD_CONTROLLER = "mirroring-source-pod"
DESTINATION_CONTROLLER = "mirroring-destination"


@dataclass(frozen=True, slots=True)
class Watch:
    resource: Resource
    handler: EventHandler
    predicates: tuple[Predicate, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedController:
    name: str
    reconciler: Reconciler
    watches: tuple[Watch, ...]


@dataclass(frozen=True, slots=True)
class MirroringPlan:
    analyzer_pod: PlannedController
    source_pod: PlannedController
    destination: PlannedController
    writer: ObjectWriter  # the analyzer-pod writer (the plain one, without echo tracking)

    @property
    def controllers(self) -> tuple[PlannedController, ...]:
        return (self.analyzer_pod, self.source_pod, self.destination)


def plan_mirroring(
    view: MirroringView,
    client: Patcher,
    recorder: Recorder,
    *,
    cluster_name: str | None = None,
    now: Callable[[], datetime] | None = None,
) -> MirroringPlan:
    """The reconcilers and watches of port mirroring over ``view``, writing through
    ``client`` and recording Events with ``recorder`` (``now``: the status clock, UTC wall
    time unless given)."""
    written, keymap, resources = view.written, view.keymap, view.resources
    writer = ObjectWriter(client, written, keymap)
    # The source writer's echoes are skipped by all three controllers: only the source-pod
    # reconciler reads the keys it writes, and it knows what it wrote.
    source_writes = OwnWrites(written=written)
    source_writer = ObjectWriter(client, written, keymap, own_writes=source_writes)
    # The status writer's echoes are skipped by the destination controller, which made them:
    # counting a destination's sources again for its own status write doubles a fan-out's
    # status work.
    status_writes = OwnWrites(written=written)
    status_writer = ObjectWriter(client, written, keymap, own_writes=status_writes)
    resolver = DestinationResolver(view, cluster_name=cluster_name, notified=True)
    fanout = Fanout(view, cluster_name=cluster_name)

    vms, vmis = resources.virtual_machines, resources.virtual_machine_interfaces
    iips, mds = resources.instance_ips, resources.mirror_destinations
    news = ignore_echoes(source_writes, vmis)

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

    return MirroringPlan(
        PlannedController(
            ANALYZER_POD_CONTROLLER,
            AnalyzerPodReconciler(view, writer, Notices(recorder), cluster_name=cluster_name),
            (
                Watch(PODS, Mapped(fanout.analyzer_pod_for_pod), (pod_changes,)),
                Watch(vms, Mapped(fanout.analyzer_pod_for_machine)),
                Watch(vmis, Mapped(fanout.analyzer_pod_for_interface), (news,)),
            ),
        ),
        PlannedController(
            SOURCE_POD_CONTROLLER,
            SourcePodReconciler(
                view,
                source_writer,
                Notices(recorder),
                cluster_name=cluster_name,
                resolver=resolver,
            ),
            (
                Watch(PODS, Mapped(fanout.source_pod_for_pod), (pod_changes,)),
                Watch(vmis, Mapped(fanout.source_pod_for_interface), (news,)),
                Watch(iips, Mapped(fanout.source_pod_for_instance_ip)),
                Watch(mds, Mapped(fanout.source_pod_for_destination), (destination_changes,)),
            ),
        ),
        PlannedController(
            DESTINATION_CONTROLLER,
            DestinationReconciler(
                view,
                status_writer,
                recorder,
                cluster_name=cluster_name,
                resolver=resolver,
                now=now,
            ),
            (
                Watch(mds, EnqueueRequestForObject(), (ignore_echoes(status_writes, mds),)),
                Watch(
                    PODS,
                    forgetting(fanout.destination_for_pod),
                    (counted_pod_changes(lambda pod: view.present(PODS, dict(pod))),),
                ),
                Watch(vms, forgetting(fanout.destination_for_owned(vms))),
                Watch(vmis, forgetting(fanout.destination_for_owned(vmis)), (news,)),
                Watch(iips, forgetting(fanout.destination_for_instance_ip)),
            ),
        ),
        writer,
    )
