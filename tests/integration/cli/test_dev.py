"""``mirrorctl dev`` as a user runs it: up, mirroring its samples, and gone after Ctrl-C."""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections.abc import Mapping
from pathlib import Path

import orjson
import pytest

from mirrorctl.client import Client
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.resources import contrail_resources

from .support import TIMEOUT, Process, mirrorctl, processes_mentioning

pytestmark = pytest.mark.integration

R = contrail_resources()
_KUBECONFIG = re.compile(r"export KUBECONFIG=(\S+)")
# The first run on a machine builds kube-apiserver; CI builds it beforehand (make binaries).
STARTUP = 600.0


async def _source_configuration(client: Client) -> dict[str, object] | None:
    """The mirroring configuration on the eth0 VMI of the sample pod ``source-default``."""
    vmis = await client.list(R.virtual_machine_interfaces, "default")
    for vmi in vmis["items"]:
        annotations = vmi["metadata"].get("annotations") or {}
        if (
            annotations.get(keys.KUBE_MANAGER_POD_NAME) == "source-default"
            and annotations.get(keys.VMI_INTERFACE) == "eth0"
        ):
            text = annotations.get(keys.MIRRORING_CONFIGURATION)
            return None if text is None else dict(orjson.loads(text))
    return None


async def _start_dev(env: Mapping[str, str] | None = None) -> Process:
    """``mirrorctl dev`` on free ports, logging warnings only."""
    return await Process.start(
        "dev",
        "--metrics-bind-address",
        "127.0.0.1:0",
        "--health-probe-bind-address",
        "127.0.0.1:0",
        "--log-level",
        "warning",
        env=env,
    )


async def test_dev_mirrors_its_samples_and_cleans_up() -> None:
    process = await _start_dev()
    directory: Path | None = None
    try:
        line = await process.wait_for_line(
            lambda text: _KUBECONFIG.search(text) is not None, timeout=STARTUP
        )
        match = _KUBECONFIG.search(line)
        assert match is not None
        kubeconfig = Path(match.group(1))
        directory = kubeconfig.parent
        assert directory.name.startswith("mirrorctl-envtest-"), directory
        client = await Client.from_kubeconfig(kubeconfig)
        try:
            deadline = time.monotonic() + TIMEOUT
            while (configuration := await _source_configuration(client)) is None:
                assert time.monotonic() < deadline, f"not mirrored:\n{process.output()}"
                await asyncio.sleep(0.2)
        finally:
            await client.close()
        assert configuration["analyzer_name"] == "md-dynamic-header"
        # explain agrees, from outside, through the same kubeconfig.
        explained = await mirrorctl(
            "explain", "source-default", "--kubeconfig", str(kubeconfig), "-o", "json"
        )
        assert explained.code == 0, explained
        (interface,) = orjson.loads(explained.stdout)["interfaces"]
        assert interface["state"] == "mirrored"
        assert interface["on_vmi"]["mirroring_configuration"] == configuration

        code = await process.stop(signal.SIGINT)
    finally:
        await process.kill()
    assert code == 0, process.output()
    assert directory is not None
    assert not directory.exists(), f"{directory} left behind"
    assert processes_mentioning(str(directory)) == [], "etcd or kube-apiserver left running"


async def test_dev_ignores_the_in_cluster_setting() -> None:
    # dev runs its controller against its own control plane whatever the cluster settings say;
    # in_cluster pointed it at the pod's service account (or, outside a pod, failed).
    process = await _start_dev(env={"MIRRORCTL_IN_CLUSTER": "true"})
    try:
        await process.wait_for_line(lambda text: "Ctrl-C stops everything" in text, STARTUP)
        code = await process.stop(signal.SIGINT)
    finally:
        await process.kill()
    assert code == 0, process.output()
