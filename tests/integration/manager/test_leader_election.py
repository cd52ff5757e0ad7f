"""Two managers on one Lease: one leads, they never reconcile at once, leadership moves on."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections import defaultdict

import pytest

from mirrorctl.client import Client
from mirrorctl.client.errors import ForbiddenError, NotFoundError
from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import CONFIGMAPS, LEASES
from mirrorctl.controller import ControllerBuilder
from mirrorctl.leaderelection import LeaderElectionConfig, LeaseAccessError
from mirrorctl.manager import LeaderElectionLostError, Manager, ManagerOptions, RunnableFunc
from mirrorctl.reconcile import Request, Result

from .support import BOUND, configmap, eventually, no_task_leaks

pytestmark = pytest.mark.integration


class Tracker:
    """Shared by the reconcilers of every manager: who reconciles what, and any overlap."""

    def __init__(self) -> None:
        self.active: dict[str, int] = defaultdict(int)
        self.done: dict[str, set[str]] = defaultdict(set)
        self.overlaps = 0

    def reconciler(self, me: str) -> ReconcileAs:
        return ReconcileAs(self, me)


class ReconcileAs:
    def __init__(self, tracker: Tracker, me: str) -> None:
        self.tracker = tracker
        self.me = me

    async def reconcile(self, request: Request) -> Result:
        t = self.tracker
        t.active[self.me] += 1
        t.overlaps += any(n for who, n in t.active.items() if who != self.me)
        try:
            # Long enough that an overlapping leader would be caught in the act.
            await asyncio.sleep(0.02)
            t.done[self.me].add(request.name)
        finally:
            t.active[self.me] -= 1
        return Result()


def manager(
    client: Client, namespace: str, lease: str, identity: str, tracker: Tracker, **timings: float
) -> Manager:
    settings = {"lease_duration": 3.0, "renew_deadline": 2.0, "retry_period": 0.3, **timings}
    election = LeaderElectionConfig(
        name=lease,
        namespace=namespace,
        identity=identity,
        release_on_cancel=True,
        lease_duration=settings["lease_duration"],
        renew_deadline=settings["renew_deadline"],
        retry_period=settings["retry_period"],
    )
    mgr = Manager(client, ManagerOptions(namespace=namespace, leader_election=election))
    ControllerBuilder(mgr).for_(CONFIGMAPS).complete(tracker.reconciler(identity))
    return mgr


async def test_one_leader_reconciles_and_hands_over_on_stop(
    admin_client: Client, namespace: str
) -> None:
    lease = f"pair-{uuid.uuid4().hex[:6]}"
    tracker = Tracker()
    names = [f"cm-{i}" for i in range(5)]
    for name in names[:2]:
        await admin_client.create(CONFIGMAPS, configmap(name), namespace)
    async with no_task_leaks():
        a = manager(admin_client, namespace, lease, "a", tracker)
        b = manager(admin_client, namespace, lease, "b", tracker)
        tasks = {
            "a": asyncio.create_task(a.start(), name="manager a"),
            "b": asyncio.create_task(b.start(), name="manager b"),
        }
        try:
            await eventually(lambda: a.is_leader() or b.is_leader(), what="a leader")
            leader, follower = (a, b) if a.is_leader() else (b, a)
            lid, fid = ("a", "b") if leader is a else ("b", "a")
            for name in names[2:]:
                await admin_client.create(CONFIGMAPS, configmap(name), namespace)
            await eventually(lambda: tracker.done[lid] == set(names), what="the leader's work")
            assert not follower.is_leader()
            assert tracker.done[fid] == set()

            # A graceful stop drains, then releases the Lease: the follower takes over.
            leader.stop()
            await asyncio.wait_for(tasks[lid], BOUND)
            assert tasks[lid].result() is None
            await eventually(follower.is_leader, what="the follower to take over")
            await admin_client.create(CONFIGMAPS, configmap("late"), namespace)
            # The new leader reconciles everything: it queued the keys while standing by.
            await eventually(
                lambda: tracker.done[fid] == {*names, "late"}, what="the new leader's work"
            )
            assert "late" not in tracker.done[lid]
            assert tracker.overlaps == 0
        finally:
            a.stop()
            b.stop()
            await asyncio.wait(tasks.values(), timeout=BOUND)
        for task in tasks.values():
            assert task.done()
            assert task.exception() is None


async def test_losing_the_lease_cancels_leader_work_and_fails_start(
    admin_client: Client, namespace: str
) -> None:
    lease = f"lost-{uuid.uuid4().hex[:6]}"
    release = asyncio.Event()
    entered: list[str] = []
    cancelled: list[str] = []
    everywhere_stopped = asyncio.Event()

    async def reconcile(request: Request) -> Result:
        entered.append(request.name)
        try:
            await release.wait()
        except asyncio.CancelledError:
            cancelled.append(request.name)
            raise
        return Result()

    async def everywhere() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            everywhere_stopped.set()

    # A long lease: only the takeover below can end this leadership.
    election = LeaderElectionConfig(
        name=lease,
        namespace=namespace,
        identity="victim",
        lease_duration=60.0,
        renew_deadline=40.0,
        retry_period=0.3,
    )
    async with no_task_leaks():
        mgr = Manager(admin_client, ManagerOptions(namespace=namespace, leader_election=election))
        ControllerBuilder(mgr).for_(CONFIGMAPS).complete(reconcile)
        mgr.add(RunnableFunc(everywhere, need_leader_election=False))
        task = asyncio.create_task(mgr.start())
        try:
            await eventually(mgr.is_leader, what="leadership")
            await admin_client.create(CONFIGMAPS, configmap("a"), namespace)
            await eventually(lambda: entered == ["a"], what="the reconcile of a")
            takeover = {"spec": {"holderIdentity": "intruder", "leaseDurationSeconds": 3600}}
            await admin_client.patch(LEASES, lease, takeover, namespace)
            with pytest.raises(LeaderElectionLostError):
                await asyncio.wait_for(task, BOUND)
        finally:
            if not task.done():
                mgr.stop()
                await asyncio.wait({task}, timeout=BOUND)
        # No drain without the Lease: the reconcile was cancelled, not awaited.
        assert cancelled == ["a"]
        assert everywhere_stopped.is_set()
        assert not mgr.is_leader()
        spec = (await admin_client.get(LEASES, lease, namespace))["spec"]
        assert spec["holderIdentity"] == "intruder"  # a lost Lease is not "released"


async def test_a_forbidden_lease_fails_start_with_a_clear_error(
    controller_client: Client, namespace: str
) -> None:
    # The controller identity may not touch Leases here: a standby forever would look
    # healthy and ready while never doing anything.
    election = LeaderElectionConfig(
        name="forbidden",
        namespace=namespace,
        lease_duration=3.0,
        renew_deadline=2.0,
        retry_period=0.3,
    )
    started: list[str] = []

    async def leader_work() -> None:
        started.append("leader")

    async with no_task_leaks():
        mgr = Manager(controller_client, ManagerOptions(leader_election=election))
        mgr.add(RunnableFunc(leader_work))
        with pytest.raises(LeaseAccessError, match="forbidden"):
            await asyncio.wait_for(mgr.start(), BOUND)
    assert started == []


async def _lease_held_elsewhere(client: Client, namespace: str, lease: str) -> None:
    body = {
        "metadata": {"name": lease},
        "spec": {"holderIdentity": "someone-else", "leaseDurationSeconds": 3600},
    }
    await client.create(LEASES, body, namespace)


def _standby_election(lease: str, namespace: str) -> LeaderElectionConfig:
    return LeaderElectionConfig(
        name=lease,
        namespace=namespace,
        identity="standby",
        lease_duration=3.0,
        renew_deadline=2.0,
        retry_period=0.3,
    )


async def test_a_standby_that_is_stopping_does_not_take_the_lease(
    admin_client: Client, namespace: str
) -> None:
    lease = f"late-{uuid.uuid4().hex[:6]}"
    await _lease_held_elsewhere(admin_client, namespace, lease)
    drain_asked = asyncio.Event()
    drained = asyncio.Event()
    leader_started = asyncio.Event()

    class SlowToDrain:
        need_leader_election = False

        async def start(self) -> None:
            await drained.wait()

        def stop(self) -> None:
            drain_asked.set()

    async def leader_work() -> None:
        leader_started.set()
        await asyncio.Event().wait()

    options = ManagerOptions(
        namespace=namespace, leader_election=_standby_election(lease, namespace)
    )
    async with no_task_leaks():
        mgr = Manager(admin_client, options)
        mgr.add(SlowToDrain())
        mgr.add(RunnableFunc(leader_work))
        elector = mgr.elector
        assert elector is not None
        task = asyncio.create_task(mgr.start())
        try:
            await eventually(lambda: elector.leader() == "someone-else", what="the holder seen")
            mgr.stop()
            await eventually(drain_asked.is_set, what="the drain to begin")
            # The holder lets go while this replica is still draining its other work.
            released = {"spec": {"holderIdentity": None, "leaseDurationSeconds": 1}}
            await admin_client.patch(LEASES, lease, released, namespace)
            # Several jittered retry periods: time enough for a candidate to take it.
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(leader_started.wait(), 2.0)
            drained.set()
            await asyncio.wait_for(task, BOUND)
        finally:
            if not task.done():
                mgr.stop_now()
                await asyncio.wait({task}, timeout=BOUND)
    assert task.result() is None
    assert not leader_started.is_set()
    spec = (await admin_client.get(LEASES, lease, namespace))["spec"]
    assert "holderIdentity" not in spec


async def test_sigterm_while_acquiring_stops_without_ever_leading(
    admin_client: Client, namespace: str
) -> None:
    lease = f"sigterm-{uuid.uuid4().hex[:6]}"
    await _lease_held_elsewhere(admin_client, namespace, lease)
    leader_started: list[str] = []

    async def leader_work() -> None:
        leader_started.append("leader")

    before = signal.getsignal(signal.SIGTERM)
    options = ManagerOptions(
        namespace=namespace,
        leader_election=_standby_election(lease, namespace),
        install_signal_handlers=True,
    )
    async with no_task_leaks():
        mgr = Manager(admin_client, options)
        mgr.add(RunnableFunc(leader_work))
        elector = mgr.elector
        assert elector is not None
        task = asyncio.create_task(mgr.start())
        await eventually(lambda: elector.leader() == "someone-else", what="the holder seen")
        signal.raise_signal(signal.SIGTERM)
        await asyncio.wait_for(task, BOUND)
    assert task.result() is None
    assert leader_started == []
    assert not mgr.is_leader()
    assert signal.getsignal(signal.SIGTERM) == before
    spec = (await admin_client.get(LEASES, lease, namespace))["spec"]
    assert spec["holderIdentity"] == "someone-else"


ROLES = Resource("rbac.authorization.k8s.io", "v1", "roles", "Role", True)
ROLE_BINDINGS = Resource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True)
CONTROLLER_USER = "system:serviceaccount:mirrorctl-system:mirrorctl"


async def test_access_revoked_while_leading_is_named_as_the_cause_of_the_loss(
    admin_client: Client, controller_client: Client, namespace: str
) -> None:
    rules = [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["*"]}]
    await admin_client.create(ROLES, {"metadata": {"name": "lease"}, "rules": rules}, namespace)
    binding = {
        "metadata": {"name": "lease"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "lease"},
        "subjects": [
            {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": CONTROLLER_USER}
        ],
    }
    await admin_client.create(ROLE_BINDINGS, binding, namespace)

    async def lease_access_is(granted: bool) -> bool:
        try:
            await controller_client.get(LEASES, "revoked", namespace)
        except ForbiddenError:
            return not granted
        except NotFoundError:
            pass
        return granted

    # The apiserver's authorizer learns of RBAC changes a moment after they are stored.
    await eventually(lambda: lease_access_is(True), what="the grant to take effect")
    election = LeaderElectionConfig(
        name="revoked",
        namespace=namespace,
        lease_duration=60.0,
        renew_deadline=40.0,
        retry_period=0.3,
    )
    async with no_task_leaks():
        mgr = Manager(controller_client, ManagerOptions(leader_election=election))
        task = asyncio.create_task(mgr.start())
        try:
            await eventually(mgr.is_leader, what="leadership")
            await admin_client.delete(ROLE_BINDINGS, "lease", namespace)
            with pytest.raises(LeaderElectionLostError) as lost:
                await asyncio.wait_for(task, BOUND)
        finally:
            if not task.done():
                mgr.stop()
                await asyncio.wait({task}, timeout=BOUND)
    # The loss comes at the first refused renewal, not 40 s later, and says why.
    assert isinstance(lost.value.__cause__, LeaseAccessError)
    assert "forbidden" in str(lost.value.__cause__)
