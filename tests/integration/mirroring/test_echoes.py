"""A fan-out reconciles each affected object once: the watch echoes of our own writes (a
source VMI's configuration, a destination's status) start no second reconcile, even when
the echo arrives before the write's reply."""

from __future__ import annotations

import pytest

from mirrorctl.mirroring import keys

from .conftest import Running
from .support import Lab, R, eventually, unique
from .test_steady_state import idle, total

pytestmark = pytest.mark.integration

SOURCES = 6


async def test_an_analyzer_move_reconciles_each_source_and_its_destination_once(
    lab: Lab, controller: Running
) -> None:
    selector, md = unique("sel"), unique("md")
    await lab.destination(md, selector, {})
    await lab.pod(
        "an", labels={keys.ANALYZER_POD: selector}, annotations={keys.ANALYZER_INTERFACE: "true"}
    )
    sources = [f"src{i}" for i in range(SOURCES)]
    for name in sources:
        await lab.pod(name, annotations={keys.MIRROR_DESTINATION: md})

    async def configured_to(address: str) -> bool:
        configs = [await lab.configuration(p) for p in sources]
        return all(c is not None and c["analyzer_ip_address"] == address for c in configs) and (
            (await lab.status(md)).get("ipAddress") == address
        )

    address, _ = await lab.analyzer_address("an")
    await eventually(lambda: configured_to(address), what="the sources configured")

    async def quiet() -> bool:
        return idle(controller)

    await eventually(quiet, what="the controllers idle")
    registry = controller.manager.registry

    def reconciles(name: str) -> float:
        return total(registry, "controller_runtime_reconcile_total", controller=name)

    sources_before = reconciles("mirroring-source-pod")
    destination_before = reconciles("mirroring-destination")
    await lab.admin.patch(
        R.instance_ips,
        await lab.instance_ip("an"),
        {"spec": {"instanceIPAddress": "10.99.0.9"}},
    )
    await eventually(lambda: configured_to("10.99.0.9"), what="the sources moved")
    await eventually(quiet, what="the controllers idle again")
    assert reconciles("mirroring-source-pod") - sources_before == SOURCES
    assert reconciles("mirroring-destination") - destination_before == 1
