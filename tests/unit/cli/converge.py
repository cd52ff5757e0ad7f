"""Play the controller on a snapshot: apply the writes the dry run plans until none is left."""

from __future__ import annotations

from mirrorctl.cli.explain_dryrun import DryRun
from mirrorctl.cli.explain_model import PlannedWrite
from mirrorctl.client.resources import PODS
from tests.unit.cli.snapshot import R, Snapshot

__all__ = ["converge"]

_BY_KIND = {
    res.kind: res
    for res in (R.virtual_machines, R.virtual_machine_interfaces, R.mirror_destinations)
}


async def converge(snapshot: Snapshot) -> int:
    """Rounds until the reconcilers plan nothing more (at most a few)."""
    dry_run = DryRun(snapshot.view)
    for rounds in range(1, 6):
        writes: list[PlannedWrite] = []
        pods = snapshot.stores[PODS].keys()
        for key in pods:
            namespace, name = key.split("/")
            writes.extend((await dry_run.pod(namespace, name)).writes)
        destinations = snapshot.stores[R.mirror_destinations].keys()
        for name in destinations:
            writes.extend((await dry_run.destination(name)).writes)
        if not writes:
            return rounds
        for write in writes:
            snapshot.patch(_BY_KIND[write.kind], write.key, write.patch)
    raise AssertionError("the reconcilers never stop planning writes")
