"""``mirrorctl manifests`` applies cleanly; with kubectl, also through ``kubectl apply`` and as
``kubectl kustomize config/default`` builds it."""

from __future__ import annotations

import contextlib
import shutil
from typing import Any

import pytest
import yaml

from mirrorctl.client import Client, NotFoundError
from mirrorctl.envtest import ControlPlane
from mirrorctl.manifests import Discovery, apply_manifests

from .support import ROOT, command, mirrorctl

pytestmark = pytest.mark.integration

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


def _documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def _key(doc: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = doc["metadata"]
    return (doc["apiVersion"], doc["kind"], meta.get("namespace", ""), meta["name"])


@pytest.fixture(scope="module")
async def stream() -> str:
    finished = await mirrorctl("manifests", timeout=60)
    assert finished.code == 0, finished
    assert finished.stderr == ""
    return finished.stdout


async def test_the_stream_applies(admin_client: Client, rbac: None, stream: str) -> None:
    docs = _documents(stream)
    kinds = {d["kind"] for d in docs}
    assert {
        "Namespace",
        "CustomResourceDefinition",
        "ClusterRole",
        "Deployment",
        "Service",
    } <= kinds
    applied = await apply_manifests(admin_client, docs)
    assert [_key(a) for a in applied] == [_key(d) for d in docs]
    # The workload lands where the stream says; nothing runs it here (no controller-manager).
    discovery = Discovery(admin_client)
    try:
        for doc in docs:
            res = await discovery.resource(doc["apiVersion"], doc["kind"])
            namespace = doc["metadata"].get("namespace") if res.namespaced else None
            got = await admin_client.get(res, doc["metadata"]["name"], namespace)
            assert got["metadata"]["uid"]
    finally:
        for doc in docs:
            if doc["kind"] in ("Deployment", "Service"):
                res = await discovery.resource(doc["apiVersion"], doc["kind"])
                with contextlib.suppress(NotFoundError):
                    await admin_client.delete(res, doc["metadata"]["name"], "mirrorctl-system")


@needs_kubectl
async def test_kubectl_applies_the_stream(
    control_plane: ControlPlane, rbac: None, stream: str
) -> None:
    assert KUBECTL is not None
    finished = await command(
        KUBECTL,
        "--kubeconfig",
        str(control_plane.admin_kubeconfig),
        "apply",
        "--dry-run=server",
        "-f",
        "-",
        stdin=stream,
    )
    assert finished.code == 0, finished
    lines = finished.stdout.splitlines()
    assert len(lines) == len(_documents(stream))
    assert all(line.endswith("(server dry run)") for line in lines), lines


@needs_kubectl
async def test_kustomize_builds_the_same(stream: str) -> None:
    assert KUBECTL is not None
    finished = await command(KUBECTL, "kustomize", str(ROOT / "config" / "default"))
    assert finished.code == 0, finished
    ours, theirs = _documents(stream), _documents(finished.stdout)
    assert sorted(map(_key, ours)) == sorted(map(_key, theirs))
    by_key = {_key(d): d for d in theirs}
    for doc in ours:
        assert doc == by_key[_key(doc)], _key(doc)
