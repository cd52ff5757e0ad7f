"""What both kopf baselines share: how they log in, write, and run."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

import kopf
from kubernetes_asyncio import client, config

from benchmarks.peers.desired import vmi_patch
from mirrorctl.cli.event_loop import loop_factory
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.configuration import MirroringConfiguration

__all__ = ["MDS", "VMIS", "VmiEntry", "Writer", "add_session", "entry_of", "run_operator"]

GROUP, VERSION = "core.contrail.juniper.net", "v1alpha1"
MDS = (GROUP, VERSION, "mirrordestinations")
VMIS = (GROUP, VERSION, "virtualmachineinterfaces")
MERGE_PATCH = "application/merge-patch+json"
# (VMI name, its mirror-destination label, its interface and configuration annotations)
VmiEntry = tuple[str, str | None, str | None, str | None]


def entry_of(name: str, labels: Mapping[str, Any], annotations: Mapping[str, Any]) -> VmiEntry:
    return (
        name,
        labels.get(keys.MIRROR_DESTINATION),
        annotations.get(keys.VMI_INTERFACE),
        annotations.get(keys.MIRRORING_CONFIGURATION),
    )


class Writer:
    """The one way the handlers write: merge patches through ``CustomObjectsApi``, at most
    ``workers`` at a time."""

    def __init__(self, api: Any, workers: int) -> None:
        self.custom: Any = client.CustomObjectsApi(api)
        self.limit = asyncio.Semaphore(workers)

    async def configure(
        self,
        namespace: str,
        entry: VmiEntry,
        destination: str | None,
        configuration: MirroringConfiguration | None,
    ) -> None:
        name, label, interface, current = entry
        labels = {keys.MIRROR_DESTINATION: label} if label is not None else {}
        annotations = {keys.VMI_INTERFACE: interface, keys.MIRRORING_CONFIGURATION: current}
        present = {k: v for k, v in annotations.items() if v is not None}
        patch = vmi_patch(labels, present, destination, configuration)
        if patch is None:
            return
        async with self.limit:
            await self.custom.patch_namespaced_custom_object(
                *VMIS[:2], namespace, VMIS[2], name, patch, _content_type=MERGE_PATCH
            )


def add_session(registry: kopf.OperatorRegistry, state: dict[str, Writer], workers: int) -> None:
    """kopf's own login from the kubeconfig, and a kubernetes-asyncio client for the writes."""

    # A registry of one's own starts without kopf's default login handlers.
    @kopf.on.login(registry=registry)
    def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
        return kopf.login_with_kubeconfig(**kwargs)

    @kopf.on.startup(registry=registry)
    async def connect(**_: Any) -> None:
        await config.load_kube_config(config_file=os.environ["KUBECONFIG"])
        state["writer"] = Writer(client.ApiClient(), workers)


def run_operator(registry: kopf.OperatorRegistry, kubeconfig: str, namespace: str) -> None:
    """What ``kopf run --standalone --quiet --namespace NAMESPACE`` does, with our registry,
    including its choice of loop: uvloop when installed, as ``mirrorctl run`` chooses."""
    os.environ["KUBECONFIG"] = kubeconfig  # kopf's own login reads it
    kopf.configure(quiet=True)
    with asyncio.Runner(loop_factory=loop_factory("auto")) as runner:
        kopf.run(loop=runner.get_loop(), registry=registry, standalone=True, namespaces=[namespace])
