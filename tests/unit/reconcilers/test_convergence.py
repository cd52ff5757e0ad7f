"""Random histories of changes, through the real wiring, end where a fresh start would.

Each seed changes pods, VMs, VMIs, InstanceIPs and MirrorDestinations at random while the
controllers work: writes reach the server at once, but the cache only when the watch
delivers them, in order, interleaved at random with reconciles (and, in half the seeds, a
patch's echo arrives before its reply). The handlers and predicates are the ones
`plan_mirroring` gives `setup_mirroring`. Once nothing is queued or undelivered, fresh
reconcilers (as after a restart) must find nothing to write: anything they would write is
state the running controllers left wrong with no event to correct it.
"""

from __future__ import annotations

import copy
import itertools
import random
from collections.abc import Mapping
from typing import Any

import pytest

from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import PODS
from mirrorctl.handler.queueing import QueueingHandler
from mirrorctl.mirroring import keys
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcilers.view import MirroringView, object_key
from mirrorctl.reconcilers.wiring import plan_mirroring
from mirrorctl.reconcilers.written import WrittenObjects
from tests.unit.mirroring import builders as b
from tests.unit.reconcilers.world import Patch, R, World

VMS, VMIS = R.virtual_machines, R.virtual_machine_interfaces
IIPS, MDS = R.instance_ips, R.mirror_destinations
RI = ["default-domain", "k8s", "vn", "vn"]
CHANGES = 25  # per seed
# a and b are more often analyzers, s1 and s2 sources. With one of each, changes collide on
# the same objects more often: the race fixed in 2098019 (another writer's version landing
# between a reconcile's read and its write) showed in 3 of 900 such seeds, and in none of
# 3,000 seeds with four pods. Seed 34 of "two-pods" hits it.
POPULATIONS = {
    "four-pods": (("a", "b", "s1", "s2"), range(120)),
    "two-pods": (("a", "s1"), range(400)),
}


class Keys:
    """A controller's queue as the handlers see it: a set of keys (no rate limits here)."""

    def __init__(self) -> None:
        self.keys: dict[Request, None] = {}

    def add(self, request: Request, *, priority: int = 0) -> None:
        self.keys[request] = None


class WatchedWorld(World):
    """A World whose cache lags: every write is an event delivered later, in order."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng
        self.pending: list[tuple[Resource, str, dict[str, Any] | None]] = []
        self.echo_first = rng.random() < 0.5
        self.view = MirroringView(self, R, self.keymap, WrittenObjects())
        self.plan = plan_mirroring(self.view, self, self, now=lambda: self.clock)
        self.queues = {c.name: Keys() for c in self.plan.controllers}
        self.handlers: dict[Resource, list[QueueingHandler]] = {}
        for controller in self.plan.controllers:
            for watch in controller.watches:
                handler = QueueingHandler(
                    watch.handler, self.queues[controller.name], watch.predicates
                )
                self.handlers.setdefault(watch.resource, []).append(handler)

    def _store(self, res: Resource, obj: dict[str, Any], *, to_cache: bool = True) -> None:
        super()._store(res, obj, to_cache=False)
        key = object_key(obj)
        self.pending.append((res, key, copy.deepcopy(self.server[res][key])))

    def remove(self, res: Resource, obj: Mapping[str, Any]) -> None:
        key = object_key(obj)
        if self.server[res].pop(key, None) is not None:
            self.pending.append((res, key, None))

    async def patch(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        written = await super().patch(*args, **kwargs)
        if self.echo_first:
            while self.pending:
                self.deliver_next()
        return written

    def deliver_next(self) -> None:
        res, key, obj = self.pending.pop(0)
        store = self.stores[res]
        old = store.get_by_key(key)
        if obj is None:
            if old is not None:
                store.pop(key)
                for handler in self.handlers.get(res, ()):
                    handler.on_delete(old)
            return
        new = self._cached(res, obj)
        store.set(key, new)
        for handler in self.handlers.get(res, ()):
            if old is None:
                handler.on_add(new, False)
            else:
                handler.on_update(old, new)

    async def step(self) -> bool:
        """Deliver an event or run a queued reconcile; False once there is nothing to do."""
        busy = [name for name, queue in self.queues.items() if queue.keys]
        if self.pending and (not busy or self.rng.random() < 0.5):
            self.deliver_next()
            return True
        if not busy:
            return False
        name = self.rng.choice(busy)
        queue = self.queues[name].keys
        request = self.rng.choice(list(queue))
        del queue[request]
        controller = next(c for c in self.plan.controllers if c.name == name)
        await controller.reconciler.reconcile(request)
        return True

    async def settle(self) -> None:
        for _ in range(50_000):
            if not await self.step():
                return
        raise AssertionError("the controllers never went quiet")

    async def fresh_writes(self) -> list[Patch]:
        """What reconcilers started now, on the settled cache, would write."""
        fresh = plan_mirroring(
            MirroringView(self, R, self.keymap, WrittenObjects()),
            self,
            self,
            now=lambda: self.clock,
        )
        before = len(self.patches)
        pods = set(self.server[PODS])
        for res in (VMS, VMIS):  # pods gone, whose Contrail objects may still carry our keys
            for obj in self.server[res].values():
                notes = obj["metadata"].get("annotations") or {}
                if keys.KUBE_MANAGER_POD_NAME in notes:
                    pods.add(
                        f"{notes[keys.KUBE_MANAGER_POD_NAMESPACE]}/{notes[keys.KUBE_MANAGER_POD_NAME]}"
                    )
        for key in sorted(pods):
            await fresh.analyzer_pod.reconciler.reconcile(Request.from_key(key))
            await fresh.source_pod.reconciler.reconcile(Request.from_key(key))
        for name in sorted(self.server[MDS]):
            await fresh.destination.reconciler.reconcile(Request(name=name))
        return self.patches[before:]


# -- the changes --------------------------------------------------------------------------------

_stamps = itertools.count()


def _pod(rng: random.Random, name: str, created: str) -> dict[str, Any]:
    analyzer_like = name in ("a", "b")
    labels: dict[str, str] = {}
    notes: dict[str, str] = {}
    if rng.random() < (0.7 if analyzer_like else 0.15):
        labels[keys.ANALYZER_POD] = rng.choice(["sniffer", "sniffer", "other"])
    if rng.random() < (0.6 if analyzer_like else 0.1):
        notes[keys.ANALYZER_INTERFACE] = "true"
    if rng.random() < (0.2 if analyzer_like else 0.7):
        notes[keys.MIRROR_DESTINATION] = rng.choice(["md1", "md1", "md2", "nowhere"])
    networks = None
    if rng.random() < 0.4:
        args = rng.choice(
            [
                {},
                {keys.ANALYZER_INTERFACE: "true"},
                {keys.MIRROR_DESTINATION: "md1"},
                {keys.MIRROR_DESTINATION: "md2"},
            ]
        )
        networks = [{"name": "net1", "cni-args": args}]
    status = None
    if rng.random() < 0.3:
        address = rng.choice(["10.9.0.1", "10.9.0.2"])
        status = [{"name": "x", "interface": "eth0", "ips": [address], "default": True}]
    return b.pod(
        name,
        labels=labels,
        annotations=notes,
        networks=networks,
        network_status=status,
        phase=rng.choice(["Running"] * 5 + ["Succeeded", "Pending"]),
        created=created,
        uid=f"uid-{name}-{created}",
    )


def _keeping_others(world: WatchedWorld, res: Resource, obj: dict[str, Any]) -> dict[str, Any]:
    """Another writer's update: it mostly keeps the keys it does not own (mirrorctl's too),
    never a MirrorDestination's status, and bumps generation only on a spec change."""
    current = world.server[res].get(object_key(obj))
    if current is not None and world.rng.random() < 0.85:
        for section in ("labels", "annotations"):
            for k, v in (current["metadata"].get(section) or {}).items():
                obj["metadata"].setdefault(section, {}).setdefault(k, v)
    if res is MDS:
        if current is not None and "status" in current:
            obj["status"] = copy.deepcopy(current["status"])
        generation = current["metadata"]["generation"] if current is not None else 0
        changed = current is None or current.get("spec") != obj.get("spec")
        obj["metadata"]["generation"] = generation + int(changed)
    return obj


def _change(world: WatchedWorld, pods: tuple[str, ...]) -> None:
    rng = world.rng
    roll = rng.random()
    name = rng.choice(pods)
    interface = rng.choice(["eth0", "eth0", "eth1"])
    if roll < 0.25:
        current = world.server[PODS].get(f"ns/{name}")
        created = current["metadata"]["creationTimestamp"] if current else None
        if current is None or rng.random() < 0.3:  # a new pod under the name
            if current is not None:
                world.remove(PODS, current)
            created = f"2024-01-01T00:{next(_stamps) % 60:02d}:00Z"
        world._store(PODS, _pod(rng, name, str(created)))
    elif roll < 0.32:
        world.remove(PODS, world.server[PODS].get(f"ns/{name}") or {"metadata": {"name": name}})
    elif roll < 0.55:
        vmi = b.vmi(
            f"{name}-{interface}",
            pod_name=name,
            interface=interface,
            index="0/2" if interface == "eth0" else "1/2",
            mac=rng.choice(["02:00:00:00:00:01", "02:00:00:00:00:02", None]),
            routing_instance=rng.choice([RI, RI, None]),
            labels={"team": "x"},
            annotations={"keep": "me"},
        )
        world._store(VMIS, _keeping_others(world, VMIS, vmi))
    elif roll < 0.6:
        key = f"ns/{name}-{interface}"
        world.remove(VMIS, world.server[VMIS].get(key) or {"metadata": {"name": key}})
    elif roll < 0.75:
        address = rng.choice(["10.0.0.1", "10.0.0.2", "fd00::1", ""])
        world._store(IIPS, b.iip(f"{name}-{interface}-ip", address, vmi_name=f"{name}-{interface}"))
    elif roll < 0.78:
        key = f"{name}-{interface}-ip"
        world.remove(IIPS, world.server[IIPS].get(key) or {"metadata": {"name": key}})
    elif roll < 0.83:
        world._store(VMS, _keeping_others(world, VMS, b.vm(f"vm-{name}", pod_name=name)))
    else:
        destination = rng.choice(["md1", "md2"])
        if roll < 0.95:
            spec: dict[str, Any] = rng.choice(
                [
                    {},
                    {"udpPort": 9000},
                    {"nextHopMode": "static"},
                    {"externalAnalyzer": True, "analyzerIP": "192.0.2.9"},
                    {"juniperHeader": False},
                    {"trafficDirection": "ingress"},
                ]
            )
            selector = rng.choice(["sniffer", "sniffer", "other", None])
            md = b.md(destination, spec, selector=selector)
            world._store(MDS, _keeping_others(world, MDS, md))
        else:
            gone = world.server[MDS].get(destination) or {"metadata": {"name": destination}}
            world.remove(MDS, gone)


@pytest.mark.parametrize(
    ("pods", "seed"),
    [
        pytest.param(pods, seed, id=f"{population}-{seed}")
        for population, (pods, seeds) in POPULATIONS.items()
        for seed in seeds
    ],
)
async def test_random_histories_end_where_a_fresh_start_would(
    pods: tuple[str, ...], seed: int
) -> None:
    world = WatchedWorld(random.Random(seed))
    for _ in range(CHANGES):
        _change(world, pods)
        for _ in range(world.rng.randint(0, 6)):
            await world.step()
    await world.settle()
    assert await world.fresh_writes() == []
