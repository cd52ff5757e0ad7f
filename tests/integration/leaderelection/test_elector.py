"""Leader election against the real apiserver: races, conflicts, expiry, release, RBAC."""

from __future__ import annotations

import asyncio
import contextlib
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from mirrorctl.client import Client
from mirrorctl.client.errors import NotFoundError
from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import LEASES
from mirrorctl.envtest import ControlPlane
from mirrorctl.leaderelection import LeaderElectionConfig, LeaderElector, LeaseAccessError
from mirrorctl.metrics.leader import LeaderElectionMetrics

pytestmark = pytest.mark.integration

# Generous: only to keep a broken build from hanging, never a statement about speed.
BOUND = 30.0
POLL = 0.05
MICRO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
FAST = {"lease_duration": 2.0, "renew_deadline": 1.5, "retry_period": 0.3}
# Long enough that a takeover well inside it can only come from a release.
SLOW = {"lease_duration": 60.0, "renew_deadline": 40.0, "retry_period": 0.3}
# Renewals far apart, so a test can act on the Lease before the leader's next renewal.
SLEEPY = {"lease_duration": 60.0, "renew_deadline": 40.0, "retry_period": 10.0}
# A little slack over FAST for tests that watch a steady state on a busy machine.
STEADY = {"lease_duration": 3.0, "renew_deadline": 2.0, "retry_period": 0.3}


class Candidate:
    """One elector run as a task, with its callbacks turned into events."""

    def __init__(self, client: Client, config: LeaderElectionConfig) -> None:
        self.registry = CollectorRegistry()
        self.elector = LeaderElector(client, config, metrics=LeaderElectionMetrics(self.registry))
        self.identity = config.identity
        self.leading = asyncio.Event()
        self.stopped = asyncio.Event()
        self.leaders: list[str] = []
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(
            self.elector.run(self._lead, self.stopped.set, self.leaders.append),
            name=f"candidate {self.identity}",
        )

    async def _lead(self) -> None:
        self.leading.set()
        await asyncio.get_running_loop().create_future()

    async def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            await asyncio.wait({self.task})

    def status(self) -> float | None:
        name = self.elector.config.name
        return self.registry.get_sample_value("leader_election_master_status", {"name": name})


Spawn = Callable[..., Candidate]


@pytest.fixture
async def spawn() -> AsyncIterator[Spawn]:
    """Makes candidates; cancels them all afterwards and checks nothing of theirs survives."""
    candidates: list[Candidate] = []

    def make(client: Client, namespace: str, lease: str, **overrides: Any) -> Candidate:
        settings: dict[str, Any] = {**FAST, **overrides}
        identity = f"cand-{len(candidates)}-{uuid.uuid4().hex[:6]}"
        config = LeaderElectionConfig(
            name=lease, namespace=namespace, identity=identity, **settings
        )
        candidate = Candidate(client, config)
        candidates.append(candidate)
        return candidate

    yield make
    for candidate in candidates:
        await candidate.cancel()
    await asyncio.sleep(0)
    ours = ("candidate ", "leader-renew ", "leading ")
    alive = [t for t in asyncio.all_tasks() if not t.done() and t.get_name().startswith(ours)]
    assert alive == []


async def _wait(event: asyncio.Event) -> None:
    await asyncio.wait_for(event.wait(), BOUND)


async def _until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Polls: the apiserver side of these conditions has no event to wait on."""
    for _ in range(int(BOUND / POLL)):
        if await condition():
            return
        await asyncio.sleep(POLL)
    pytest.fail("condition not met in time")


def _sync(check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def condition() -> bool:
        return check()

    return condition


async def _first_leader(*candidates: Candidate) -> Candidate:
    waits = {asyncio.create_task(c.leading.wait()): c for c in candidates}
    done, pending = await asyncio.wait(waits, timeout=BOUND, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    assert done, "nobody acquired the lease"
    return waits[next(iter(done))]


async def _lease(client: Client, namespace: str, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = (await client.get(LEASES, name, namespace))["spec"]
    return spec


async def test_two_candidates_exactly_one_leads(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    # Both start at once, so both try to create the Lease: the apiserver lets one win.
    a = spawn(admin_client, namespace, "race", **STEADY)
    b = spawn(admin_client, namespace, "race", **STEADY)
    a.start()
    b.start()
    leader = await _first_leader(a, b)
    follower = b if leader is a else a

    first = await _lease(admin_client, namespace, "race")
    # Over more than a lease duration the leader keeps renewing and the follower stays out.
    for _ in range(20):
        assert leader.elector.is_leader()
        assert not follower.elector.is_leader()
        await asyncio.sleep(0.2)
    spec = await _lease(admin_client, namespace, "race")

    assert spec["holderIdentity"] == leader.identity
    assert spec["leaseDurationSeconds"] == 3
    assert spec["leaseTransitions"] == 0
    assert spec["acquireTime"] == first["acquireTime"]
    assert MICRO_TIME.match(spec["acquireTime"])
    assert MICRO_TIME.match(spec["renewTime"])
    assert spec["renewTime"] > first["renewTime"]
    assert follower.elector.leader() == leader.identity
    assert follower.leaders == [leader.identity]
    assert leader.leaders == [leader.identity]
    assert not follower.leading.is_set()
    assert (leader.status(), follower.status()) == (1.0, 0.0)


async def test_stopped_leader_is_replaced_after_the_lease_expires(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    a = spawn(admin_client, namespace, "expire")
    a.start()
    await _wait(a.leading)
    b = spawn(admin_client, namespace, "expire")
    b.start()

    await a.cancel()
    assert a.stopped.is_set()
    assert a.status() == 0.0
    # Not released: the record still names the old leader until someone takes it over.
    spec = await _lease(admin_client, namespace, "expire")
    if not b.leading.is_set():
        assert spec["holderIdentity"] == a.identity

    await _wait(b.leading)
    spec = await _lease(admin_client, namespace, "expire")
    assert spec["holderIdentity"] == b.identity
    assert spec["leaseTransitions"] == 1
    assert b.leaders == [a.identity, b.identity]
    assert b.status() == 1.0


async def test_release_on_cancel_hands_the_lease_over_at_once(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    a = spawn(admin_client, namespace, "handover", release_on_cancel=True, **SLOW)
    a.start()
    await _wait(a.leading)
    b = spawn(admin_client, namespace, "handover", **SLOW)
    b.start()
    # b has seen a's record before a lets go.
    await _until(_sync(lambda: b.elector.leader() == a.identity))

    await a.cancel()
    assert a.stopped.is_set()
    # A 60 s lease: b leading within this bound can only be thanks to the release.
    await asyncio.wait_for(b.leading.wait(), 20.0)
    spec = await _lease(admin_client, namespace, "handover")
    assert spec["holderIdentity"] == b.identity
    assert spec["leaseTransitions"] == 1


async def test_release_writes_an_empty_short_record(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    a = spawn(admin_client, namespace, "release", release_on_cancel=True)
    a.start()
    await _wait(a.leading)
    await a.cancel()
    spec = await _lease(admin_client, namespace, "release")
    assert "holderIdentity" not in spec
    assert spec["leaseDurationSeconds"] == 1
    assert spec["leaseTransitions"] == 0
    assert a.elector.leader() == ""


async def test_release_does_not_touch_a_lease_someone_else_wrote(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    a = spawn(admin_client, namespace, "norelease", release_on_cancel=True, **SLEEPY)
    a.start()
    await _wait(a.leading)
    lease = await admin_client.get(LEASES, "norelease", namespace)
    lease["spec"]["holderIdentity"] = "intruder"
    await admin_client.replace(LEASES, lease)
    # a has not renewed since, so it still thinks it leads: its release must hit a 409.
    assert a.elector.is_leader()
    await a.cancel()
    spec = await _lease(admin_client, namespace, "norelease")
    assert spec["holderIdentity"] == "intruder"
    assert spec["leaseDurationSeconds"] == 60


async def test_leader_whose_lease_is_taken_steps_down_and_the_count_goes_on(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    a = spawn(admin_client, namespace, "stolen")
    a.start()
    await _wait(a.leading)

    # An admin replaces the Lease under a's feet (a new resourceVersion and holder).
    lease = await admin_client.get(LEASES, "stolen", namespace)
    spec = lease["spec"]
    spec["holderIdentity"] = "intruder"
    spec["leaseTransitions"] += 1
    await admin_client.replace(LEASES, lease)

    await _wait(a.stopped)
    assert a.task is not None
    await a.task  # losing leadership ends run() normally
    assert not a.elector.is_leader()
    assert a.status() == 0.0
    assert a.elector.leader() == "intruder"
    # a's renewal was refused (409) rather than overwriting the intruder.
    assert (await _lease(admin_client, namespace, "stolen"))["holderIdentity"] == "intruder"

    # The intruder never renews, so a new candidate takes over once it expires.
    c = spawn(admin_client, namespace, "stolen")
    c.start()
    await _wait(c.leading)
    spec = await _lease(admin_client, namespace, "stolen")
    assert spec["holderIdentity"] == c.identity
    assert spec["leaseTransitions"] == 2


async def test_leader_steps_down_when_the_apiserver_stops_answering(
    control_plane: ControlPlane, admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    a = spawn(admin_client, namespace, "paused")
    a.start()
    await _wait(a.leading)
    control_plane.pause_apiserver()
    try:
        # Renewals hang rather than fail: the renew deadline must still cut them off.
        await _wait(a.stopped)
        assert not a.elector.is_leader()
        assert a.task is not None
        await a.task
    finally:
        control_plane.resume_apiserver()


@pytest.mark.usefixtures("rbac")
async def test_controller_identity_can_elect_with_the_shipped_rbac(
    admin_client: Client, controller_client: Client, spawn: Spawn
) -> None:
    name = f"mirrorctl-le-{uuid.uuid4().hex[:8]}"
    a = spawn(controller_client, "mirrorctl-system", name, release_on_cancel=True)
    try:
        a.start()
        await _wait(a.leading)
        first = await _lease(admin_client, "mirrorctl-system", name)

        async def renewed() -> bool:
            spec = await _lease(admin_client, "mirrorctl-system", name)
            return bool(spec["renewTime"] != first["renewTime"])

        await _until(renewed)
        await a.cancel()
        spec = await _lease(admin_client, "mirrorctl-system", name)
        assert "holderIdentity" not in spec
    finally:
        with contextlib.suppress(NotFoundError):
            await admin_client.delete(LEASES, name, "mirrorctl-system")


async def test_a_leader_recreates_a_lease_deleted_under_it(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    a = spawn(admin_client, namespace, "deleted", **STEADY)
    a.start()
    await _wait(a.leading)
    await admin_client.delete(LEASES, "deleted", namespace)

    async def recreated() -> bool:
        with contextlib.suppress(NotFoundError):
            return bool((await _lease(admin_client, namespace, "deleted")).get("holderIdentity"))
        return False

    # As in client-go: the next renewal finds no Lease and creates it again, still leading.
    await _until(recreated)
    spec = await _lease(admin_client, namespace, "deleted")
    assert spec["holderIdentity"] == a.identity
    assert spec["leaseTransitions"] == 0
    assert a.elector.is_leader()
    assert not a.stopped.is_set()


async def test_a_forbidden_lease_is_a_clear_error_not_a_silent_retry(
    controller_client: Client, namespace: str, spawn: Spawn
) -> None:
    # The controller identity holds no rights on Leases in this namespace.
    a = spawn(controller_client, namespace, "forbidden")
    a.start()
    assert a.task is not None
    with pytest.raises(LeaseAccessError, match=rf"{namespace}/forbidden.*forbidden"):
        await asyncio.wait_for(a.task, BOUND)
    assert not a.leading.is_set()
    assert not a.stopped.is_set()


async def test_a_lease_in_a_missing_namespace_is_a_clear_error(
    admin_client: Client, spawn: Spawn
) -> None:
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    a = spawn(admin_client, missing, "nowhere")
    a.start()
    assert a.task is not None
    with pytest.raises(LeaseAccessError, match=rf"namespace {missing!r} does not exist"):
        await asyncio.wait_for(a.task, BOUND)
    assert not a.leading.is_set()


async def test_two_processes_with_one_identity_do_not_both_lead(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    a = spawn(admin_client, namespace, "twins", **STEADY)
    a.start()
    await _wait(a.leading)
    # A second process under the same identity (a copied --identity, a cloned pod) reads
    # its own name on the Lease and renews it, as a restarted process rightly would.
    config = a.elector.config
    b = spawn(admin_client, namespace, "twins", **STEADY)
    b.elector = LeaderElector(admin_client, config)
    b.identity = config.identity
    b.start()
    await _wait(b.leading)
    # a's next renewal meets b's write (409), re-reads a record in its name it never wrote,
    # and must step down rather than renew it back: otherwise both lead for good.
    await _wait(a.stopped)
    assert a.task is not None
    await a.task
    assert not a.elector.is_leader()
    for _ in range(10):  # several renewals: b keeps the Lease, a does not come back
        await asyncio.sleep(STEADY["retry_period"])
        assert b.elector.is_leader()
    spec = await _lease(admin_client, namespace, "twins")
    assert spec["holderIdentity"] == config.identity
    assert spec["leaseTransitions"] == 0


class LosingReplies:
    """The real client, except that the reply to the next replace is lost after the
    apiserver applied it (a timeout or a reset connection on the way back)."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self.lose_next = False
        self.lost = 0

    async def get(self, resource: Resource, name: str, namespace: str | None = None) -> Any:
        return await self._client.get(resource, name, namespace)

    async def create(
        self, resource: Resource, body: Mapping[str, Any], namespace: str | None = None
    ) -> Any:
        return await self._client.create(resource, body, namespace)

    async def replace(self, resource: Resource, body: Mapping[str, Any]) -> Any:
        reply = await self._client.replace(resource, body)
        if self.lose_next:
            self.lose_next = False
            self.lost += 1
            raise ConnectionResetError("reply lost")
        return reply


async def test_a_renewal_whose_reply_was_lost_is_recognised_as_our_own(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    lossy = LosingReplies(admin_client)
    a = spawn(admin_client, namespace, "lossy", **STEADY)
    a.elector = LeaderElector(lossy, a.elector.config)
    a.start()
    await _wait(a.leading)
    lossy.lose_next = True
    await _until(_sync(lambda: lossy.lost == 1))
    first = await _lease(admin_client, namespace, "lossy")

    async def renewed_again() -> bool:
        spec = await _lease(admin_client, namespace, "lossy")
        return bool(spec["renewTime"] != first["renewTime"])

    # The next renewal meets a 409 against its own applied write: not another process.
    await _until(renewed_again)
    assert a.elector.is_leader()
    assert not a.stopped.is_set()


async def test_an_edit_of_the_lease_that_keeps_the_renewal_does_not_unseat_the_leader(
    admin_client: Client, namespace: str, spawn: Spawn
) -> None:
    a = spawn(admin_client, namespace, "edited", **STEADY)
    a.start()
    await _wait(a.leading)
    lease = await admin_client.get(LEASES, "edited", namespace)
    lease["metadata"]["labels"] = {"edited": "yes"}
    lease["spec"]["leaseDurationSeconds"] = 30
    await admin_client.replace(LEASES, lease)

    async def renewed_after_the_edit() -> bool:
        spec = await _lease(admin_client, namespace, "edited")
        return bool(spec["renewTime"] != lease["spec"]["renewTime"])

    await _until(renewed_after_the_edit)
    assert a.elector.is_leader()
    assert not a.stopped.is_set()
