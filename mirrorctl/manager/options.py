"""Manager settings."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mirrorctl.leaderelection.config import LeaderElectionConfig
from mirrorctl.manager.address import BindAddress

__all__ = ["ManagerOptions"]


@dataclass(frozen=True, slots=True)
class ManagerOptions:
    """How a manager runs.

    - ``metrics_bind_address`` / ``health_probe_bind_address``: ``"host:port"`` to serve
      ``/metrics`` and ``/healthz`` + ``/readyz`` on (port 0: any free port); None serves
      nothing, the default, so that embedding a manager never opens a port by surprise. The
      same address for both gives one listener with every endpoint.
    - ``namespace``: cache (and so watch) one namespace only; None for the whole cluster.
    - ``leader_election``: contend for this Lease and run leader-only runnables (every
      controller, by default) only while holding it; None runs them at once.
    - ``ready_while_standby``: whether ``/readyz`` passes on a replica that is not the leader.
    - ``cache_sync_timeout``: how long informers may take to list before start fails.
    - ``graceful_shutdown_timeout``: how long runnables may drain after a stop before they
      are cancelled.
    - ``install_signal_handlers``: SIGTERM/SIGINT stop the manager gracefully (a second one
      cuts the drain short, a third exits the process at once). Off by default: the
      embedding program owns its signals.
    - ``resync_period``: replay every cached object to handlers this often; None never.
    - ``list_from_etcd``: informers list from etcd in pages, each transformed before the next
      is fetched, instead of from the apiserver's watch cache in one response (see
      `mirrorctl.informers.Reflector`): lower peak and steady memory, more work for etcd.
    """

    metrics_bind_address: str | None = None
    health_probe_bind_address: str | None = None
    namespace: str | None = None
    leader_election: LeaderElectionConfig | None = None
    ready_while_standby: bool = True
    cache_sync_timeout: float = 120.0
    graceful_shutdown_timeout: float = 30.0
    install_signal_handlers: bool = False
    resync_period: float | None = None
    list_from_etcd: bool = False

    def __post_init__(self) -> None:
        for address in (self.metrics_bind_address, self.health_probe_bind_address):
            if address is not None:
                BindAddress.parse(address)
        for name in ("cache_sync_timeout", "graceful_shutdown_timeout"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number of seconds >= 0")
        if self.resync_period is not None and not self.resync_period > 0:
            raise ValueError("resync_period must be positive (or None)")
