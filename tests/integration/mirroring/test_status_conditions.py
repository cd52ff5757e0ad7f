"""A MirrorDestination's status is shared: conditions other controllers add survive mirrorctl's
writes, whichever way its own Ready condition turns."""

from __future__ import annotations

from typing import Any

import pytest

from .support import Lab, R, eventually, unique

pytestmark = pytest.mark.integration

AUDITED = {"type": "Audited", "status": "True", "reason": "Reviewed", "message": "by policy"}
EXTERNAL = {"externalAnalyzer": True, "analyzerIP": "198.51.100.9"}


async def conditions(lab: Lab, name: str) -> dict[str, dict[str, Any]]:
    return {c["type"]: c for c in (await lab.status(name)).get("conditions") or []}


async def ready_is(lab: Lab, name: str, status: str) -> None:
    async def turned() -> bool:
        return (await conditions(lab, name)).get("Ready", {}).get("status") == status

    await eventually(turned, what=f"{name} Ready={status}")


async def test_a_foreign_condition_survives_every_status_write(lab: Lab) -> None:
    md = unique("md")
    await lab.destination(md, None, EXTERNAL)
    await ready_is(lab, md, "True")
    # Another controller adds its condition: the list is atomic, so it sends all of it.
    listed = (await lab.status(md))["conditions"]
    await lab.admin.patch(
        R.mirror_destinations,
        md,
        {"status": {"conditions": [*listed, AUDITED]}},
        subresource="status",
    )
    await lab.edit_destination(md, {"analyzerIP": "0.0.0.0"})  # passes the schema only
    await ready_is(lab, md, "False")
    assert await lab.state(md) == "Failure"
    assert (await conditions(lab, md))["Audited"] == AUDITED
    await lab.edit_destination(md, EXTERNAL)
    await ready_is(lab, md, "True")
    found = await conditions(lab, md)
    assert found["Audited"] == AUDITED
    assert [c["type"] for c in (await lab.status(md))["conditions"]] == ["Ready", "Audited"]
