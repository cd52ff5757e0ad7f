"""Fixtures of the fault-injection suite: a control plane of the scenario's own (faults damage
it, and hundreds of objects would outlive the test on a shared one)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.faults.plane import Plane, private_plane


@pytest.fixture
async def plane() -> AsyncIterator[Plane]:
    async with private_plane() as p:
        yield p
