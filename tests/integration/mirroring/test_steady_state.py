"""Converged means quiet: a full resync reconciles everything again and writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from mirrorctl.client.resources import EVENTS
from mirrorctl.envtest import ControlPlane
from mirrorctl.mirroring import keys

from .conftest import Running, start_controller, stop_controller
from .support import Lab, R, eventually, unique

pytestmark = pytest.mark.integration

RESYNC = 2.0


@pytest.fixture(scope="module")
async def controller(
    control_plane: ControlPlane, crds: list[str], rbac: None
) -> AsyncIterator[Running]:
    running, task = await start_controller(control_plane, resync_period=RESYNC)
    try:
        yield running
    finally:
        await stop_controller(running, task)


def total(registry: CollectorRegistry, name: str, **labels: str) -> float:
    """The sum of a counter's samples whose labels include ``labels``."""
    found = 0.0
    for family in registry.collect():
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                found += sample.value
    return found


def idle(running: Running) -> bool:
    controllers = (
        running.mirroring.analyzer_pod,
        running.mirroring.source_pod,
        running.mirroring.destination,
    )
    return all(len(c.queue) == 0 and c.in_flight == 0 for c in controllers)


async def versions(lab: Lab, pods: list[str], mds: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pod in pods:
        found[f"vm {pod}"] = (await lab.vm(pod))["metadata"]["resourceVersion"]
        for interface, vmi in (await lab.vmis(pod)).items():
            found[f"vmi {pod} {interface}"] = vmi["metadata"]["resourceVersion"]
    for md in mds:
        obj = await lab.admin.get(R.mirror_destinations, md)
        found[f"md {md}"] = obj["metadata"]["resourceVersion"]
    return found


async def test_a_full_resync_writes_nothing(lab: Lab, controller: Running) -> None:
    selector, md, bad, missing = unique("sel"), unique("md"), unique("md"), unique("md")
    await lab.destination(md, selector, {"udpPort": 8099})
    await lab.destination(bad, selector, {"externalAnalyzer": False, "analyzerIP": "0.0.0.0"})
    await lab.pod(
        "an",
        labels={keys.ANALYZER_POD: selector},
        annotations={keys.ANALYZER_INTERFACE: "true"},
    )
    sources = [f"src{i}" for i in range(4)]
    for name in sources:
        await lab.pod(name, annotations={keys.MIRROR_DESTINATION: md})
    await lab.pod("lost", annotations={keys.MIRROR_DESTINATION: missing})
    networks: list[dict[str, Any]] = [{"name": "blue", "cni-args": {keys.MIRROR_DESTINATION: md}}]
    await lab.pod("multi", networks=networks)

    async def converged() -> bool:
        configs = [await lab.configuration(p) for p in sources]
        return (
            all(c is not None for c in configs)
            and await lab.configuration("multi", "eth1") is not None
            and (await lab.status(md)).get("sourceCount") == len(sources) + 1
            and await lab.state(bad) == "Failure"
            and await lab.has_event("lost", "MirrorDestinationNotFound")
        )

    await eventually(converged, what="everything converged")

    async def quiet() -> bool:
        return idle(controller)

    await eventually(quiet, what="the controllers idle")
    registry = controller.manager.registry
    patches = total(registry, "rest_client_requests_total", method="PATCH")
    posts = total(registry, "rest_client_requests_total", method="POST")
    errors = total(registry, "controller_runtime_reconcile_errors_total")
    before = await versions(lab, ["an", *sources, "lost", "multi"], [md, bad])
    events_before = len((await lab.admin.list(EVENTS, lab.namespace))["items"])
    names = ("mirroring-analyzer-pod", "mirroring-source-pod", "mirroring-destination")
    reconciles = {
        n: total(registry, "controller_runtime_reconcile_total", controller=n) for n in names
    }

    async def resynced_twice() -> bool:
        # Every pod and both destinations are reconciled on each resync.
        return all(
            total(registry, "controller_runtime_reconcile_total", controller=n)
            >= reconciles[n] + 2 * 2
            for n in names
        ) and idle(controller)

    await eventually(resynced_twice, what="two full resyncs")
    assert total(registry, "rest_client_requests_total", method="PATCH") == patches
    assert total(registry, "rest_client_requests_total", method="POST") == posts
    assert total(registry, "controller_runtime_reconcile_errors_total") == errors
    assert await versions(lab, ["an", *sources, "lost", "multi"], [md, bad]) == before
    assert len((await lab.admin.list(EVENTS, lab.namespace))["items"]) == events_before
