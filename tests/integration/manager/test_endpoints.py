"""/healthz, /readyz and /metrics of a running manager."""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest

from mirrorctl.client import Client
from mirrorctl.client.resources import CONFIGMAPS, LEASES
from mirrorctl.controller import ControllerBuilder
from mirrorctl.envtest import ControlPlane
from mirrorctl.leaderelection import LeaderElectionConfig
from mirrorctl.manager import BindAddress, Manager, ManagerOptions
from mirrorctl.reconcile import Request, Result

from .support import BOUND, configmap, eventually, get, no_task_leaks, running

pytestmark = pytest.mark.integration

EVERY_METRIC = [
    "controller_runtime_reconcile_total",
    "controller_runtime_reconcile_errors_total",
    "controller_runtime_terminal_reconcile_errors_total",
    "controller_runtime_reconcile_panics_total",
    "controller_runtime_reconcile_timeouts_total",
    "controller_runtime_reconcile_time_seconds",
    "controller_runtime_max_concurrent_reconciles",
    "controller_runtime_active_workers",
    "workqueue_depth",
    "workqueue_adds_total",
    "workqueue_queue_duration_seconds",
    "workqueue_work_duration_seconds",
    "workqueue_unfinished_work_seconds",
    "workqueue_longest_running_processor_seconds",
    "workqueue_retries_total",
    "rest_client_requests_total",
    "rest_client_request_duration_seconds",
    "leader_election_master_status",
    "mirrorctl_informer_objects",
    "mirrorctl_informer_events_total",
    "mirrorctl_informer_relists_total",
    "mirrorctl_informer_watch_restarts_total",
]


def election(lease: str, namespace: str) -> LeaderElectionConfig:
    return LeaderElectionConfig(
        name=lease, namespace=namespace, lease_duration=3.0, renew_deadline=2.0, retry_period=0.3
    )


def families(text: str) -> set[str]:
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def sample(text: str, prefix: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    return None


async def test_probes_and_every_metric(control_plane: ControlPlane, namespace: str) -> None:
    lease = f"endpoints-{uuid.uuid4().hex[:6]}"
    options = ManagerOptions(
        # Two addresses, so two listeners (the same address twice would make one).
        metrics_bind_address="127.0.0.1:0",
        health_probe_bind_address="127.0.0.2:0",
        namespace=namespace,
        leader_election=election(lease, namespace),
    )
    reconciled: list[Request] = []

    async def reconcile(request: Request) -> Result:
        reconciled.append(request)
        return Result()

    async with no_task_leaks():
        manager = await Manager.from_kubeconfig(control_plane.admin_kubeconfig, options=options)
        ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconcile)
        async with running(manager):
            await manager.wait_serving()
            assert manager.metrics_address is not None
            assert manager.health_address is not None
            assert manager.metrics_address.port != 0
            assert manager.health_address.port != 0
            assert manager.health_address != manager.metrics_address

            assert await get(manager.health_address, "/healthz") == (200, "ok")

            async def ready() -> bool:
                return (await get(manager.health_address, "/readyz"))[0] == 200

            await eventually(ready, what="/readyz to pass")
            status, body = await get(manager.health_address, "/readyz?verbose")
            assert status == 200
            assert "[+]informers-synced ok" in body
            assert (await get(manager.health_address, "/healthz/ping")) == (200, "ok")
            assert (await get(manager.health_address, "/readyz/nope"))[0] == 404
            # Each listener serves only its own endpoints.
            assert (await get(manager.health_address, "/metrics"))[0] == 404
            assert (await get(manager.metrics_address, "/healthz"))[0] == 404

            await manager.client.create(CONFIGMAPS, configmap("a"), namespace)
            await eventually(lambda: Request("a", namespace) in reconciled, what="a reconcile")
            await eventually(manager.is_leader, what="leadership")

            async def scraped_success() -> bool:
                _, text = await get(manager.metrics_address, "/metrics")
                key = 'controller_runtime_reconcile_total{controller="configmap",result="success"}'
                return (sample(text, key) or 0) >= 1

            await eventually(scraped_success, what="the success to be counted")
            status, text = await get(manager.metrics_address, "/metrics")
            assert status == 200
            missing = [name for name in EVERY_METRIC if name not in families(text)]
            assert missing == []
            ours = 'controller="configmap"'
            for result in ("error", "requeue", "requeue_after"):
                key = f'controller_runtime_reconcile_total{{{ours},result="{result}"}}'
                assert sample(text, key) == 0
            assert sample(text, f"controller_runtime_max_concurrent_reconciles{{{ours}}}") == 1
            assert sample(text, f'leader_election_master_status{{name="{lease}"}}') == 1
            adds = sample(text, f'workqueue_adds_total{{{ours},name="configmap"}}')
            assert (adds or 0) >= 1
            assert (sample(text, "rest_client_requests_total{") or 0) >= 1
            assert sample(text, 'mirrorctl_informer_objects{resource="configmaps"}') == 1
            # No *_created noise: the text matches controller-runtime's exposition.
            assert "_created" not in text


async def test_a_standby_is_not_ready_when_configured_so(
    admin_client: Client, namespace: str
) -> None:
    lease = f"standby-{uuid.uuid4().hex[:6]}"
    # Someone else holds the Lease for longer than the test runs.
    await admin_client.create(
        LEASES,
        {
            "metadata": {"name": lease},
            "spec": {
                "holderIdentity": "someone-else",
                "leaseDurationSeconds": 3600,
                "acquireTime": "2024-01-01T00:00:00.000000Z",
                "renewTime": "2024-01-01T00:00:00.000000Z",
            },
        },
        namespace,
    )
    started: list[str] = []

    async def reconcile(request: Request) -> Result:
        started.append(request.name)
        return Result()

    async def check(ready_while_standby: bool, expected: int, line: str) -> None:
        options = ManagerOptions(
            health_probe_bind_address="127.0.0.1:0",
            namespace=namespace,
            leader_election=election(lease, namespace),
            ready_while_standby=ready_while_standby,
        )
        manager = Manager(admin_client, options)
        ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconcile)
        async with running(manager):
            await eventually(lambda: manager.caches_synced, what="caches to sync")
            status, body = await get(manager.health_address, "/readyz?verbose")
            assert (status, line in body) == (expected, True)
            assert await get(manager.health_address, "/healthz") == (200, "ok")
            assert not manager.is_leader()

    async with no_task_leaks():
        await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
        await check(False, 500, "[-]leader failed: not the leader")
        await check(True, 200, "[+]informers-synced ok")
    assert started == []  # a standby never reconciles


async def test_one_address_serves_every_endpoint(admin_client: Client, namespace: str) -> None:
    options = ManagerOptions(
        metrics_bind_address="127.0.0.1:0",
        health_probe_bind_address="127.0.0.1:0",
    )
    async with no_task_leaks():
        manager = Manager(admin_client, options)
        async with running(manager):
            await manager.wait_serving()
            assert manager.metrics_address == manager.health_address
            status, text = await get(manager.metrics_address, "/metrics")
            assert status == 200
            assert "process_cpu_seconds_total" in text
            await eventually(
                lambda: manager.caches_synced, what="the (empty) caches to count as synced"
            )
            assert (await get(manager.health_address, "/readyz"))[0] == 200


async def _refused(address: BindAddress) -> bool:
    try:
        _, writer = await asyncio.open_connection(address.host, address.port)
    except ConnectionRefusedError:
        return True
    writer.close()
    await writer.wait_closed()
    return False


async def test_listeners_release_their_ports_on_shutdown(admin_client: Client) -> None:
    options = ManagerOptions(
        metrics_bind_address="127.0.0.1:0", health_probe_bind_address="127.0.0.2:0"
    )
    async with no_task_leaks():
        first = Manager(admin_client, options)
        async with running(first):
            await first.wait_serving()
            metrics, health = first.metrics_address, first.health_address
            assert metrics is not None
            assert health is not None
            assert (await get(metrics, "/metrics"))[0] == 200
            assert (await get(health, "/healthz"))[0] == 200
        assert await _refused(metrics)
        assert await _refused(health)

        # The same ports at once, as a restarted process would ask for them.
        again = ManagerOptions(
            metrics_bind_address=str(metrics), health_probe_bind_address=str(health)
        )
        second = Manager(admin_client, again)
        async with running(second):
            await second.wait_serving()
            assert (second.metrics_address, second.health_address) == (metrics, health)
            assert (await get(metrics, "/metrics"))[0] == 200
        assert await _refused(metrics)


async def test_a_port_in_use_fails_start_and_frees_the_other_listener(
    admin_client: Client,
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        options = ManagerOptions(
            metrics_bind_address="127.0.0.2:0", health_probe_bind_address=f"127.0.0.1:{port}"
        )
        async with no_task_leaks():
            manager = Manager(admin_client, options)
            with pytest.raises(OSError, match="in use"):
                await asyncio.wait_for(manager.start(), BOUND)
            metrics = manager.metrics_address
            assert metrics is not None
            assert await _refused(metrics)
    finally:
        taken.close()


async def test_readyz_fails_until_the_caches_sync(
    controller_client: Client, namespace: str
) -> None:
    # The controller identity may not list ConfigMaps here, so this cache never syncs.
    options = ManagerOptions(
        health_probe_bind_address="127.0.0.1:0", namespace=namespace, cache_sync_timeout=60.0
    )

    async def reconcile(request: Request) -> Result:
        return Result()

    async with no_task_leaks():
        manager = Manager(controller_client, options)
        ControllerBuilder(manager).for_(CONFIGMAPS).complete(reconcile)
        async with running(manager):
            await manager.wait_serving()
            status, body = await get(manager.health_address, "/readyz?verbose")
            assert status == 500
            assert "[-]informers-synced failed: informer caches have not synced yet" in body
            assert (await get(manager.health_address, "/readyz/informers-synced"))[0] == 500
            # Alive all the same: a liveness restart would not make the cache sync.
            assert await get(manager.health_address, "/healthz") == (200, "ok")
            assert not manager.caches_synced
