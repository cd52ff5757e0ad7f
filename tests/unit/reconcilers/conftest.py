from __future__ import annotations

import pytest

from tests.unit.reconcilers import world


@pytest.fixture(autouse=True, params=[False, True], ids=["whole-cache", "trimmed-cache"])
def _trim_caches(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reconcilers must decide the same whether or not the cache is trimmed."""
    monkeypatch.setattr(world, "TRIM_CACHES", request.param)
