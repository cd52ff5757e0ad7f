"""A request naming a MirrorDestination that cannot exist (a valid label value but not a valid
object name) is still a request: the VMI is labelled, never configured, and the pod is told
why once."""

from __future__ import annotations

from mirrorctl.mirroring import keys
from tests.unit.reconcilers.scenario import analyzer_setup, source_setup
from tests.unit.reconcilers.world import R, World

VMI = R.virtual_machine_interfaces


async def test_an_upper_case_name_is_labelled_and_explained() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world, destination="Foo")
    await world.converge()

    assert world.labels(VMI, "ns/s-eth0")[keys.MIRROR_DESTINATION] == "Foo"
    assert keys.MIRRORING_CONFIGURATION not in world.annotations(VMI, "ns/s-eth0")
    told = [e for e in world.events if e.kind == "Pod"]
    assert [(e.key, e.type, e.reason) for e in told] == [
        ("ns/s", "Warning", "InvalidMirrorDestinationName")
    ]
    assert "no MirrorDestination can have this name" in told[0].message

    # Withdrawn: the label goes.
    source_setup(world, destination=None)
    await world.converge()
    assert keys.MIRROR_DESTINATION not in world.labels(VMI, "ns/s-eth0")


async def test_a_name_that_cannot_be_a_label_value_is_not_labelled() -> None:
    world = World()
    analyzer_setup(world)
    source_setup(world, destination="Not_A_Name!")
    await world.converge()

    assert keys.MIRROR_DESTINATION not in world.labels(VMI, "ns/s-eth0")
    told = [(e.key, e.reason) for e in world.events if e.kind == "Pod"]
    assert told == [("ns/s", "InvalidMirrorDestinationName")]
