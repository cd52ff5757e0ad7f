"""Fixtures of the fault-injection suite: a control plane of the scenario's own (faults damage
it), and a fleet of a few hundred mirrored pods on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.faults.fleet import Fleet
from tests.faults.plane import Plane, private_plane

# Enough to make a fan-out last a few seconds at the controller's request rate, so a fault
# lands in the middle of it; small enough to build in seconds on two cores.
SOURCES = 240


@pytest.fixture
async def plane() -> AsyncIterator[Plane]:
    async with private_plane() as p:
        yield p


@pytest.fixture
async def fleet(plane: Plane) -> Fleet:
    return await Fleet.create(plane.admin, sources=SOURCES, destinations=2)
