"""Shared fixtures: a real local control plane (session), clients for its identities, the CRDs,
the shipped RBAC, and a fresh namespace per test. Unit tests request none of these and never
start a server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog

from mirrorctl.client import Client
from mirrorctl.client.resources import NAMESPACES
from mirrorctl.envtest import ControlPlane
from mirrorctl.manifests import apply_manifests, load_manifests, wait_for_crds

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config"


@pytest.fixture(autouse=True)
def _structlog_defaults(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test that configures structlog (the CLI does) must not leave later tests logging to
    a capture file pytest has already closed. Resetting the configuration is not enough when
    it caches loggers on first use: a module-level logger first bound under it (a cache
    processor's, say) would keep the closed file for the rest of the session."""
    configure = structlog.configure

    def configure_without_caching(**settings: Any) -> None:
        configure(**{**settings, "cache_logger_on_first_use": False})

    monkeypatch.setattr(structlog, "configure", configure_without_caching)
    yield
    if structlog.is_configured():
        structlog.reset_defaults()


@pytest.fixture(scope="session")
def control_plane() -> Iterator[ControlPlane]:
    cp = ControlPlane().start()
    try:
        yield cp
    finally:
        cp.stop()


@pytest.fixture(scope="session")
async def admin_client(control_plane: ControlPlane) -> AsyncIterator[Client]:
    client = await Client.from_kubeconfig(control_plane.admin_kubeconfig)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture(scope="session")
async def crds(admin_client: Client) -> list[str]:
    docs = load_manifests(CONFIG / "crd")
    await apply_manifests(admin_client, docs)
    names = [d["metadata"]["name"] for d in docs]
    await wait_for_crds(admin_client, names)
    return names


@pytest.fixture(scope="session")
async def rbac(admin_client: Client, crds: list[str]) -> None:
    """The least-privilege RBAC that mirrorctl ships, bound to the controller identity."""
    await apply_manifests(
        admin_client,
        [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "mirrorctl-system"}}],
    )
    await apply_manifests(admin_client, load_manifests(CONFIG / "rbac"))


@pytest.fixture(scope="session")
async def controller_client(control_plane: ControlPlane) -> AsyncIterator[Client]:
    """The controller's identity: not in system:masters, it holds only what RBAC grants."""
    client = await Client.from_kubeconfig(control_plane.controller_kubeconfig)
    try:
        yield client
    finally:
        await client.close()


@pytest.fixture
async def namespace(admin_client: Client) -> AsyncIterator[str]:
    # No namespace controller runs, so a deleted namespace stays Terminating; names never repeat.
    name = f"t-{uuid.uuid4().hex[:10]}"
    await admin_client.create(NAMESPACES, {"metadata": {"name": name}})
    yield name
    await admin_client.delete(NAMESPACES, name)
