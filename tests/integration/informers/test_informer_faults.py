"""Informers through real failures: a watch fallen behind compacted history (410 Gone) and an
apiserver restart in the middle of a watch."""

from __future__ import annotations

from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from mirrorctl.client import Client, GoneError
from mirrorctl.client.resources import CONFIGMAPS
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
        behind_rv = informer.last_sync_resource_version
        gated.gate.clear()
        await eventually(gated.held.is_set, what="the informer waiting to re-watch")
        assert informer.last_sync_resource_version == behind_rv

        changed = await admin_client.patch(CONFIGMAPS, "changed", {"data": {"v": "1"}}, namespace)
        await admin_client.delete(CONFIGMAPS, "removed", namespace)
        await admin_client.create(CONFIGMAPS, configmap("added", namespace))
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
