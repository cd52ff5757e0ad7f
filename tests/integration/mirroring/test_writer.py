"""`ObjectWriter` against the apiserver, as the controller identity: which 404 means the object
is gone (nothing left to write) and which one is a failure to retry."""

from __future__ import annotations

import pytest

from mirrorctl.client import Client, NotFoundError
from mirrorctl.mirroring.resources import contrail_resources
from mirrorctl.reconcilers.keymap import KeyMap
from mirrorctl.reconcilers.writer import ObjectWriter
from mirrorctl.reconcilers.written import WrittenObjects

pytestmark = pytest.mark.integration

VMIS = contrail_resources().virtual_machine_interfaces
# The same group and resource at a version no CRD serves: RBAC (which knows no versions) lets
# the request through, and the apiserver answers the bare 404 it gives for a path it does not
# serve, as a restarted one does for every custom resource until it has installed them.
UNSERVED_VMIS = contrail_resources("v9").virtual_machine_interfaces
PATCH = {"metadata": {"labels": {"example.com/written": "yes"}}}


async def test_only_a_404_naming_the_object_means_it_is_gone(
    admin_client: Client, controller_client: Client, crds: list[str], rbac: None, namespace: str
) -> None:
    body = {
        "apiVersion": VMIS.api_version,
        "kind": VMIS.kind,
        "metadata": {"name": "s.eth0", "namespace": namespace},
        "spec": {},
    }
    vmi = await admin_client.create(VMIS, body, namespace)
    writer = ObjectWriter(controller_client, WrittenObjects(), KeyMap())

    with pytest.raises(NotFoundError) as caught:
        await writer.patch_metadata(UNSERVED_VMIS, vmi, PATCH)
    assert caught.value.object_name is None
    assert await writer.patch_metadata(VMIS, vmi, PATCH) is True
    stored = await admin_client.get(VMIS, "s.eth0", namespace)
    assert stored["metadata"]["labels"] == PATCH["metadata"]["labels"]

    await admin_client.delete(VMIS, "s.eth0", namespace)
    assert await writer.patch_metadata(VMIS, vmi, PATCH) is False
