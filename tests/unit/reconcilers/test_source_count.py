"""`status.sourceCount` counts the same source interfaces whatever the destination's state."""

from __future__ import annotations

from mirrorctl.mirroring import keys
from tests.unit.reconcilers.scenario import analyzer_pod, analyzer_setup, source_setup
from tests.unit.reconcilers.world import R, World


async def test_the_analyzers_own_request_is_not_counted_while_pending() -> None:
    # The analyzer interface also asks to be mirrored to its own destination: it can never be
    # a source, so it must not count before resolution either (the count would drop by one
    # the moment the analyzer's IP arrives).
    world = World()
    analyzer_setup(
        world,
        pod=analyzer_pod(
            annotations={keys.ANALYZER_INTERFACE: "true", keys.MIRROR_DESTINATION: "md1"}
        ),
    )
    iip = world.obj(R.instance_ips, "a-eth0-ip")
    world.remove(R.instance_ips, iip)
    source_setup(world)
    await world.converge()
    pending = world.status("md1")
    assert (pending["state"], pending["sourceCount"]) == ("Pending", 1)

    world.put(R.instance_ips, iip)
    await world.converge()
    resolved = world.status("md1")
    assert (resolved["state"], resolved["sourceCount"]) == ("Success", 1)
