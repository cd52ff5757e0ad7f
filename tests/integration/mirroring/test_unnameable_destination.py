"""A pod asking for a MirrorDestination name no object can have (upper case: a valid label
value, not a valid name) gets the label on its VMI, never a configuration, and one Warning
that says why."""

from __future__ import annotations

import pytest

from mirrorctl.mirroring import keys

from .support import Lab, eventually

pytestmark = pytest.mark.integration


async def test_an_upper_case_destination_is_labelled_and_explained(lab: Lab) -> None:
    await lab.pod("src", annotations={keys.MIRROR_DESTINATION: "Foo"})

    async def labelled() -> bool:
        return await lab.mirror_label("src") == "Foo"

    await eventually(labelled, what="src eth0 labelled mirror-destination=Foo")

    async def told() -> bool:
        return await lab.has_event("src", "InvalidMirrorDestinationName")

    await eventually(told, what="an InvalidMirrorDestinationName Event about src")
    assert await lab.configuration("src") is None
    assert ("Warning", "MirrorDestinationNotFound") not in await lab.events("src")

    await lab.annotate_pod("src", **{keys.MIRROR_DESTINATION: None})

    async def withdrawn() -> bool:
        return await lab.mirror_label("src") is None

    await eventually(withdrawn, what="the label removed with the request")
