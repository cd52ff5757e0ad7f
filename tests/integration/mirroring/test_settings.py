"""Settings take effect end to end: a namespace scope and other label/annotation keys."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import orjson
import pytest

from mirrorctl.client import Client
from mirrorctl.client.resources import NAMESPACES
from mirrorctl.envtest import ControlPlane
from mirrorctl.manager import Manager
from mirrorctl.mirroring import keys
from mirrorctl.reconcilers import MirroringKeys, MirroringSettings, setup_mirroring

from .support import CLUSTER, Lab, eventually, unique

pytestmark = pytest.mark.integration

MIRROR_TO = "example.com/mirror-to"
CONFIGURATION = "example.com/mirroring-configuration"


@pytest.fixture
async def other_namespace(admin_client: Client) -> AsyncIterator[str]:
    name = f"t-{uuid.uuid4().hex[:10]}"
    await admin_client.create(NAMESPACES, {"metadata": {"name": name}})
    yield name
    await admin_client.delete(NAMESPACES, name)


async def test_namespace_scope_and_custom_keys(
    control_plane: ControlPlane,
    crds: list[str],
    rbac: None,
    admin_client: Client,
    namespace: str,
    other_namespace: str,
) -> None:
    manager = await Manager.from_kubeconfig(control_plane.controller_kubeconfig)
    settings = MirroringSettings(
        namespace=namespace,
        cluster_name=CLUSTER,
        keys=MirroringKeys(mirror_destination=MIRROR_TO, mirroring_configuration=CONFIGURATION),
    )
    setup_mirroring(manager, settings)
    task = asyncio.create_task(manager.start(), name="scoped-mirroring")
    inside, outside = Lab(admin_client, namespace), Lab(admin_client, other_namespace)
    try:
        md, selector, lonely, elsewhere = unique("md"), unique("sel"), unique("md"), unique("sel")
        await inside.destination(md, selector)
        await inside.destination(lonely, elsewhere)
        await inside.pod(
            "an",
            labels={keys.ANALYZER_POD: selector},
            annotations={keys.ANALYZER_INTERFACE: "true"},
        )
        await outside.pod(
            "an",
            labels={keys.ANALYZER_POD: elsewhere},
            annotations={keys.ANALYZER_INTERFACE: "true"},
        )
        # The default key means nothing to this controller; its own key does.
        await inside.pod("ignored", annotations={keys.MIRROR_DESTINATION: md})
        await inside.pod("src", annotations={MIRROR_TO: md})
        await outside.pod("src", annotations={MIRROR_TO: md})

        async def configured() -> bool:
            vmi = await inside.vmi("src")
            text = (vmi["metadata"].get("annotations") or {}).get(CONFIGURATION)
            return text is not None and orjson.loads(text)["analyzer_name"] == md

        await eventually(configured, what="the in-scope source configured under our key")
        vmi = await inside.vmi("src")
        assert vmi["metadata"]["labels"][MIRROR_TO] == md
        assert keys.MIRROR_DESTINATION not in vmi["metadata"]["labels"]
        assert keys.MIRRORING_CONFIGURATION not in vmi["metadata"]["annotations"]

        async def pending() -> bool:
            return await inside.ready_reason(lonely) == "AnalyzerPodNotFound"

        # Its only analyzer is outside the scope.
        await eventually(pending, what="a destination whose analyzer is out of scope")
        assert (await inside.status(md))["sourceCount"] == 1
        for lab in (inside, outside):
            await lab.foreign_keys_intact("src")
        ignored = await inside.vmi("ignored")
        assert set(ignored["metadata"].get("labels") or {}).isdisjoint(
            {MIRROR_TO, keys.MIRROR_DESTINATION}
        )
        out_vmi = await outside.vmi("src")
        assert MIRROR_TO not in out_vmi["metadata"]["labels"]
        assert keys.ANALYZER_POD not in (await outside.vm("an"))["metadata"]["labels"]
    finally:
        manager.stop()
        await asyncio.wait({task}, timeout=60)
    assert task.done()
    task.result()
