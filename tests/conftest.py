"""Shared fixtures: a real local control plane (session), clients for its identities, the CRDs,
and a fresh namespace per test. Unit tests request none of these and never start a server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from mirrorctl.envtest import ControlPlane


@pytest.fixture(scope="session")
def control_plane() -> Iterator[ControlPlane]:
    cp = ControlPlane().start()
    try:
        yield cp
    finally:
        cp.stop()
