"""Informers through real failures: a watch fallen behind compacted history (410 Gone) and an
apiserver restart in the middle of a watch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from mirrorctl.client import Client, GoneError, Resource
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.clock import FakeClock
from mirrorctl.envtest import ControlPlane
from mirrorctl.informers import InformerFactory
from mirrorctl.metrics.informer import InformerMetrics
from tests.integration.informers.support import (
    GatedWatches,
    Recorder,
    cache_state,
    eventually,
    server_state,
)

pytestmark = pytest.mark.integration


def configmap(name: str, namespace: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace}, "data": {"v": "0"}}


async def test_gone_watch_relists_and_loses_no_change(
    admin_client: Client, namespace: str, control_plane: ControlPlane
) -> None:
    for name in ("kept", "changed", "removed"):
        await admin_client.create(CONFIGMAPS, configmap(name, namespace))
    gated = GatedWatches(admin_client)
    registry = CollectorRegistry()
    # One-second watches, so the informer soon needs a new one, which the gate holds back.
    factory = InformerFactory(gated, metrics=InformerMetrics(registry), min_watch_timeout=1)
    informer = factory.informer(CONFIGMAPS, namespace)
    rec = Recorder()
    informer.add_event_handler(rec)
    await factory.start()
    try:
        assert await factory.wait_for_sync(timeout=30)
        gated.gate.clear()
        await eventually(gated.held.is_set, what="the informer waiting to re-watch")
        # Read only now: until its watch ended, a bookmark could still move it on.
        behind_rv = informer.last_sync_resource_version

        changed = await admin_client.patch(CONFIGMAPS, "changed", {"data": {"v": "1"}}, namespace)
        await admin_client.delete(CONFIGMAPS, "removed", namespace)
        await admin_client.create(CONFIGMAPS, configmap("added", namespace))
        assert informer.last_sync_resource_version == behind_rv
        # Drop the history the informer would resume from: etcd compacts it, and a restart
        # empties the apiserver's watch cache, which would otherwise still serve it.
        control_plane.compact_etcd()
        await control_plane.arestart_apiserver()
        rec.calls.clear()
        gated.gate.set()

        expected = await server_state(admin_client, namespace)
        await eventually(lambda: cache_state(informer) == expected, what="cache == server")
        assert any(isinstance(err, GoneError) for err in gated.errors), gated.errors
        labels = {"resource": "configmaps"}
        relists = registry.get_sample_value("mirrorctl_informer_relists_total", labels)
        assert relists is not None
        assert relists >= 1
        # Every change made while the informer was behind reaches the handlers via the relist.
        assert ("add", "added", False) in rec.calls
        assert ("update", "changed", changed["metadata"]["resourceVersion"]) in rec.calls
        assert ("tombstone", "removed", f"{namespace}/removed") in rec.calls
        assert "kept" not in {name for _, name, _ in rec.calls}
    finally:
        await factory.stop()


async def test_apiserver_restart_mid_watch_recovers(
    admin_client: Client, namespace: str, control_plane: ControlPlane
) -> None:
    for i in range(3):
        await admin_client.create(CONFIGMAPS, configmap(f"cm-{i}", namespace))
    factory = InformerFactory(admin_client)
    informer = factory.informer(CONFIGMAPS, namespace)
    rec = Recorder()
    informer.add_event_handler(rec)
    await factory.start()
    try:
        assert await factory.wait_for_sync(timeout=30)
        await admin_client.patch(CONFIGMAPS, "cm-0", {"data": {"v": "1"}}, namespace)
        await eventually(lambda: ("update", "cm-0") in {c[:2] for c in rec.calls})

        await control_plane.arestart_apiserver()

        await admin_client.patch(CONFIGMAPS, "cm-1", {"data": {"v": "2"}}, namespace)
        await admin_client.delete(CONFIGMAPS, "cm-2", namespace)
        await admin_client.create(CONFIGMAPS, configmap("cm-after", namespace))
        expected = await server_state(admin_client, namespace)
        await eventually(
            lambda: cache_state(informer) == expected, timeout=60, what="cache == server"
        )
        assert "cm-after" in rec.names("add")
        assert "cm-1" in rec.names("update")
        assert "cm-2" in rec.names("delete") | rec.names("tombstone")
    finally:
        await factory.stop()


class StaleWatches:
    """Lists through a real client but watches from resourceVersion 1: once the apiserver's
    watch cache starts later than that, every watch fails with 410 (as behind a lagging
    apiserver), however fresh the list."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.lists = 0

    async def list(self, resource: Resource, namespace: str | None = None, **kw: Any) -> Any:
        self.lists += 1
        return await self.client.list(resource, namespace, **kw)

    def watch(
        self, resource: Resource, namespace: str | None = None, **kw: Any
    ) -> AsyncIterator[dict[str, Any]]:
        kw["resource_version"] = "1"
        return self.client.watch(resource, namespace, **kw)


def backing_off(clock: FakeClock) -> bool:
    """Whether the informer sleeps a backoff (an open watch's silence timer is 330 s away)."""
    deadline = clock.next_deadline()
    return deadline is not None and deadline - clock.monotonic() < 60


async def test_a_watch_gone_right_after_its_list_backs_off_before_relisting(
    admin_client: Client, namespace: str, control_plane: ControlPlane
) -> None:
    await admin_client.create(CONFIGMAPS, configmap("cm", namespace))
    control_plane.compact_etcd()
    await control_plane.arestart_apiserver()  # a new watch cache, starting after version 1
    stale = StaleWatches(admin_client)
    clock = FakeClock()
    factory = InformerFactory(stale, clock=clock)
    informer = factory.informer(CONFIGMAPS, namespace)
    await factory.start()
    try:
        await eventually(informer.has_synced, what="sync")
        # Relisting at once would meet the same 410 again: a hot loop of full lists.
        await eventually(lambda: backing_off(clock), timeout=10, what="a backoff after the 410")
        assert stale.lists == 1
        await clock.advance(1.0)  # the first delay: 0.8 s plus up to 20% jitter
        await eventually(lambda: stale.lists == 2, what="the relist")
        await eventually(lambda: backing_off(clock), timeout=10, what="a second backoff")
        assert stale.lists == 2
        assert clock.next_deadline() - clock.monotonic() > 1.5  # type: ignore[operator]
    finally:
        await factory.stop()
