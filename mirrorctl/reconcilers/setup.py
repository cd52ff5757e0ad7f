"""`setup_mirroring`: the one call that adds port mirroring to a manager."""

from __future__ import annotations

from dataclasses import dataclass

from mirrorctl.cache.informer_cache import InformerCache
from mirrorctl.client.resources import PODS
from mirrorctl.controller.builder import ControllerBuilder
from mirrorctl.controller.controller import Controller
from mirrorctl.manager.manager import Manager
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
from mirrorctl.reconcilers.settings import MirroringSettings
from mirrorctl.reconcilers.sharing import ValuePool
from mirrorctl.reconcilers.trim import kept_fields, trimmer
from mirrorctl.reconcilers.view import MirroringView
from mirrorctl.reconcilers.wiring import (
    ANALYZER_POD_CONTROLLER,
    DESTINATION_CONTROLLER,
    SOURCE_POD_CONTROLLER,
    PlannedController,
    plan_mirroring,
)
from mirrorctl.reconcilers.writer import ObjectWriter
from mirrorctl.reconcilers.written import WrittenObjects

__all__ = [
    "ANALYZER_POD_CONTROLLER",
    "DESTINATION_CONTROLLER",
    "SOURCE_POD_CONTROLLER",
    "Mirroring",
    "setup_mirroring",
]


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

    view = MirroringView(cache, resources, keymap, WrittenObjects(), namespace=cache.namespace)
    plan = plan_mirroring(
        view, manager.client, manager.event_recorder(settings.component), cluster_name=cluster
    )

    def build(planned: PlannedController) -> Controller:
        # Sources come from our cache, which is the manager's unless a namespace is set.
        builder = ControllerBuilder(manager).named(planned.name)
        for watch in planned.watches:
            builder = builder.watches(
                cache.informer(watch.resource), watch.handler, predicates=watch.predicates
            )
        options = builder.with_options(max_concurrent_reconciles=settings.workers)
        return options.build(planned.reconciler)

    return Mirroring(
        build(plan.analyzer_pod), build(plan.source_pod), build(plan.destination), view, plan.writer
    )
