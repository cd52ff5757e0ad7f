"""`ForeignWriter`: another controller that writes labels and annotations of its own on the same
VMIs as mirrorctl, both ways a Kubernetes client does: merge patches, and read-modify-write
updates (PUT with the resourceVersion it read, retried on 409 Conflict). Every key it wrote is
recorded on the fleet, which checks at the end that none was lost."""

from __future__ import annotations

import asyncio
from typing import Any

from mirrorctl.client import ConflictError
from tests.faults.bounded import bounded
from tests.faults.fleet import Fleet, R

__all__ = ["ForeignWriter"]

FIELD_MANAGER = "other-controller"
PREFIX = "writer.example.com"


class ForeignWriter:
    """``think`` is the pause between its read and its write: the window in which a write of
    mirrorctl's makes its update conflict."""

    def __init__(self, fleet: Fleet, *, concurrency: int = 16, think: float = 0.5) -> None:
        self._fleet = fleet
        self._concurrency = concurrency
        self._think = think
        self.rounds = 0
        self.conflicts = 0  # 409s its updates got

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds over every source VMI until ``stop`` is set (the round under way finishes)."""
        while not stop.is_set():
            names = [f"{pod}.eth0" for pod in sorted(self._fleet.sources)]
            await bounded((self._write(name, self.rounds) for name in names), self._concurrency)
            self.rounds += 1

    async def _write(self, name: str, round_: int) -> None:
        fleet = self._fleet
        labels = {f"{PREFIX}/seen-{round_}": "yes"}
        notes = {f"{PREFIX}/last-round": str(round_)}
        await fleet.admin.patch(
            R.virtual_machine_interfaces,
            name,
            {"metadata": {"labels": labels, "annotations": notes}},
            fleet.namespace,
            field_manager=FIELD_MANAGER,
        )
        fleet.foreign_labels.setdefault(name, {}).update(labels)
        fleet.foreign_annotations.setdefault(name, {}).update(notes)
        key = f"{PREFIX}/updated-{round_}"
        while True:
            vmi: dict[str, Any] = await fleet.admin.get(
                R.virtual_machine_interfaces, name, fleet.namespace
            )
            await asyncio.sleep(self._think)
            vmi["metadata"].setdefault("annotations", {})[key] = str(round_)
            try:
                await fleet.admin.replace(
                    R.virtual_machine_interfaces, vmi, field_manager=FIELD_MANAGER
                )
            except ConflictError:
                self.conflicts += 1
                continue
            fleet.foreign_annotations[name][key] = str(round_)
            return
