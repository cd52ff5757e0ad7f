"""``mirrorctl run``: the controller against a cluster."""

from __future__ import annotations

from dataclasses import replace

from mirrorctl.cli.gc_tuning import freeze_once_synced
from mirrorctl.cli.paths import not_a_file
from mirrorctl.cli.settings import RunSettings
from mirrorctl.leaderelection.config import LeaderElectionConfig
from mirrorctl.manager.manager import Manager
from mirrorctl.manager.options import ManagerOptions
from mirrorctl.reconcilers import MirroringSettings, setup_mirroring

__all__ = ["ClusterConfigError", "build_manager", "mirroring_settings", "run"]


class ClusterConfigError(Exception):
    """The cluster configuration (kubeconfig or in-cluster) cannot be loaded."""


def mirroring_settings(settings: RunSettings) -> MirroringSettings:
    return MirroringSettings(
        contrail_api_version=settings.contrail_api_version,
        workers=settings.workers,
        cluster_name=settings.cluster_name,
        namespace=settings.namespace,
    )


async def build_manager(settings: RunSettings, *, install_signal_handlers: bool) -> Manager:
    election = (
        LeaderElectionConfig(
            name=settings.lease_name,
            namespace=settings.lease_namespace,
            lease_duration=settings.lease_duration,
            renew_deadline=settings.renew_deadline,
            retry_period=settings.retry_period,
        )
        if settings.leader_elect
        else None
    )
    options = ManagerOptions(
        metrics_bind_address=settings.metrics_bind_address,
        health_probe_bind_address=settings.health_probe_bind_address,
        namespace=settings.namespace,
        leader_election=election,
        install_signal_handlers=install_signal_handlers,
        # With the trimmed cache below, listing page by page keeps the untrimmed objects of
        # a start from all existing at once (measured in BENCHMARKS.md, B7).
        list_from_etcd=True,
    )
    client_options: dict[str, object] = {
        "disable_compression": settings.disable_compression,
        "watch_hold": settings.watch_hold,
    }
    if settings.qps is not None:
        client_options.update(qps=settings.qps, burst=settings.burst)
    problem = None if settings.kubeconfig is None else not_a_file(settings.kubeconfig)
    if problem is not None:
        raise ClusterConfigError(f"kubeconfig {settings.kubeconfig} {problem}")
    try:
        if settings.in_cluster:
            manager = await Manager.in_cluster(options, **client_options)
        else:
            manager = await Manager.from_kubeconfig(
                settings.kubeconfig, settings.context, options, **client_options
            )
    except Exception as error:  # the loaders raise their own types for bad configs
        detail = " ".join(str(error).split())
        raise ClusterConfigError(f"cannot load the cluster configuration: {detail}") from error
    # The process's cache serves mirroring alone, so it keeps only what mirroring reads.
    setup_mirroring(manager, replace(mirroring_settings(settings), trim_cache=True))
    return manager


async def run(settings: RunSettings) -> int:
    manager = await build_manager(settings, install_signal_handlers=True)
    freeze_once_synced(manager)
    await manager.start()
    return 0
