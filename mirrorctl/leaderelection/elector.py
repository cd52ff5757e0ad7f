"""`LeaderElector`: contend for a Lease, hold it while leading, hand it back on request."""

from __future__ import annotations

import asyncio
import dataclasses
import math
import random
from collections import deque
from datetime import UTC, datetime
from typing import Any

import structlog

from mirrorctl.clock import Clock, RealClock
from mirrorctl.leaderelection.config import JITTER_FACTOR, LeaderElectionConfig
from mirrorctl.leaderelection.deadline import run_with_deadline
from mirrorctl.leaderelection.errors import LeaseAccessError
from mirrorctl.leaderelection.interface import (
    LeaderMetrics,
    LeaseClient,
    LeaseLock,
    OnNewLeader,
    OnStartedLeading,
    OnStoppedLeading,
)
from mirrorctl.leaderelection.lease_lock import ClientLeaseLock
from mirrorctl.leaderelection.noop_metrics import NoopLeaderMetrics
from mirrorctl.leaderelection.record import LeaderElectionRecord, micro_time

__all__ = ["LeaderElector"]

# The shortest bound on one attempt (see `_attempt`), as controller-runtime's client timeout.
_MIN_ATTEMPT_SECONDS = 1.0


class LeaderElector:
    """One candidate for one Lease. See the package docstring for the contract of `run`."""

    def __init__(
        self,
        client: LeaseClient,
        config: LeaderElectionConfig,
        clock: Clock | None = None,
        metrics: LeaderMetrics | None = None,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self._setup(
            ClientLeaseLock(client, config.namespace, config.name), config, clock, metrics, rng
        )

    @classmethod
    def from_lock(
        cls,
        lock: LeaseLock,
        config: LeaderElectionConfig,
        clock: Clock | None = None,
        metrics: LeaderMetrics | None = None,
        *,
        rng: random.Random | None = None,
    ) -> LeaderElector:
        """An elector over any `LeaseLock` (the record store), not necessarily the apiserver."""
        elector = cls.__new__(cls)
        elector._setup(lock, config, clock, metrics, rng)
        return elector

    def _setup(
        self,
        lock: LeaseLock,
        config: LeaderElectionConfig,
        clock: Clock | None,
        metrics: LeaderMetrics | None,
        rng: random.Random | None,
    ) -> None:
        self._lock = lock
        self._config = config
        self._clock: Clock = clock if clock is not None else RealClock()
        self._metrics: LeaderMetrics = metrics if metrics is not None else NoopLeaderMetrics()
        self._rng = rng if rng is not None else random.Random()
        self._observed: LeaderElectionRecord | None = None
        # Local monotonic time at which `_observed` was last seen to change: the only clock
        # expiry is judged by, so skew between hosts never matters.
        self._observed_at = 0.0
        self._renewed_at = 0.0
        # renewTimes of our writes since the last one known to have landed: a write whose
        # reply was lost may have landed anyway, and must not pass for another process's.
        # Renewals fail for at most renew_deadline before the term ends: at most this many
        # attempts, of up to two writes each.
        attempts = math.ceil(config.renew_deadline / config.retry_period) + 2
        self._unconfirmed: deque[str] = deque(maxlen=2 * attempts)
        # Set when another process renews the Lease under our identity while we lead.
        self._twin = False
        self._leading = False
        self._running = False
        self._reported_leader = ""
        self._log: Any = structlog.get_logger(__name__).bind(
            lease=lock.describe(), identity=config.identity
        )
        # Export the series from the start, so "not leading" is visible rather than absent.
        self._metrics.leader_off(config.name)

    @property
    def config(self) -> LeaderElectionConfig:
        return self._config

    @property
    def identity(self) -> str:
        return self._config.identity

    def is_leader(self) -> bool:
        """True from acquiring the Lease until this process stops leading."""
        return self._leading

    def leader(self) -> str:
        """The holder in the last observed record ("" if none); informational only."""
        return self._observed.holder_identity if self._observed is not None else ""

    async def run(
        self,
        on_started_leading: OnStartedLeading,
        on_stopped_leading: OnStoppedLeading,
        on_new_leader: OnNewLeader | None = None,
    ) -> None:
        """Acquire the Lease, lead until leadership is lost or the caller cancels, then stop.

        Returns normally when leadership was lost; raises `CancelledError` when cancelled and
        the exception of `on_started_leading` when that failed.
        """
        if self._running:
            raise RuntimeError("this elector is already running")
        self._running = True
        try:
            await self._acquire(on_new_leader)
            await self._lead(on_started_leading, on_stopped_leading, on_new_leader)
        finally:
            self._running = False

    async def _acquire(self, on_new_leader: OnNewLeader | None) -> None:
        self._log.info("leader election: attempting to acquire the lease")
        while True:
            acquired = await self._attempt()
            self._report_new_leader(on_new_leader)
            if acquired:
                self._log.info("leader election: acquired the lease")
                return
            period = self._config.retry_period
            await self._clock.sleep(period * (1.0 + self._rng.random() * JITTER_FACTOR))

    async def _lead(
        self,
        on_started_leading: OnStartedLeading,
        on_stopped_leading: OnStoppedLeading,
        on_new_leader: OnNewLeader | None,
    ) -> None:
        self._twin = False
        self._set_leading(True)
        renewal = asyncio.create_task(
            self._renew(on_new_leader), name=f"leader-renew {self._lock.describe()}"
        )
        # Called inside the task so that even a synchronous failure ends the term cleanly.
        work = asyncio.create_task(
            _call(on_started_leading), name=f"leading {self._lock.describe()}"
        )
        try:
            waiting = {renewal, work}
            while renewal in waiting:
                done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if work in done and _failure(work) is not None:
                    break
                # The leading work returning normally does not end the term, as in client-go.
        finally:
            voluntary = not renewal.done()
            # Nested so that a second cancellation while waiting for the work still stops
            # the renewal and still reports the end of the term.
            try:
                try:
                    # Work stops first while the renewal still holds the Lease, so that no
                    # other process can start leading before the guarded code has finished.
                    await _stop(work)
                finally:
                    await _stop(renewal)
                    self._set_leading(False)
                if voluntary and self._config.release_on_cancel:
                    await self._release()
            finally:
                on_stopped_leading()
        for task in (work, renewal):
            error = _failure(task)
            if error is not None:
                raise error

    async def _renew(self, on_new_leader: OnNewLeader | None) -> None:
        """Renew every retry_period; return once renewals failed for renew_deadline."""
        cfg = self._config
        while True:
            await self._clock.sleep(cfg.retry_period)
            while True:
                remaining = self._renewed_at + cfg.renew_deadline - self._clock.monotonic()
                if remaining <= 0:
                    self._log.warning("leader election: renew deadline passed; stepping down")
                    self._set_leading(False)
                    return
                renewed = await self._attempt(remaining)
                self._report_new_leader(on_new_leader)
                if renewed:
                    break
                if self.leader() != cfg.identity or self._twin:
                    # Someone else holds an unexpired Lease: waiting out the deadline would
                    # only prolong the time two processes both believe they lead.
                    self._log.warning(
                        "leader election: lease taken over; stepping down", holder=self.leader()
                    )
                    self._set_leading(False)
                    return
                remaining = self._renewed_at + cfg.renew_deadline - self._clock.monotonic()
                await self._clock.sleep(max(0.0, min(cfg.retry_period, remaining)))

    async def _attempt(self, limit: float | None = None) -> bool:
        """One bounded try to acquire or renew; a failure is logged and is a False, except
        `LeaseAccessError`, which is raised."""
        started = self._clock.monotonic()
        # Half the renew deadline at most, as controller-runtime bounds each Lease request:
        # a request hung on a dead connection (a vanished peer, no reset) then costs one
        # attempt, and a retry on a fresh connection still renews in time, instead of the
        # one request taking the whole deadline and the Lease with it.
        bound = max(_MIN_ATTEMPT_SECONDS, self._config.renew_deadline / 2)
        limit = bound if limit is None else min(limit, bound)
        try:
            success = await run_with_deadline(self._clock, self._try_acquire_or_renew(), limit)
        except LeaseAccessError:
            raise  # no later attempt can succeed: retrying would only hide it
        except Exception as exc:  # any other failure just means "not this time"
            self._log.info("leader election: attempt failed", error=repr(exc))
            return False
        if success:
            # The attempt's start, not its end, bounds when the apiserver stored the renewal,
            # which is the safe side for our own deadline.
            self._renewed_at = started
        return success

    async def _try_acquire_or_renew(self) -> bool:
        cfg = self._config
        now = micro_time(datetime.now(UTC))
        desired = LeaderElectionRecord(
            holder_identity=cfg.identity,
            lease_duration_seconds=cfg.lease_duration_seconds,
            acquire_time=now,
            renew_time=now,
        )
        observed = self._observed
        if self._leading and observed is not None and observed.holder_identity == cfg.identity:
            # Fast path: assume our last write is still the current version.
            renewal = dataclasses.replace(
                desired,
                acquire_time=observed.acquire_time,
                lease_transitions=observed.lease_transitions,
            )
            try:
                await self._write(renewal)
            except Exception as exc:  # fall back to reading the record
                self._log.info("leader election: optimistic renewal failed", error=repr(exc))
            else:
                return True

        current = await self._lock.get()
        if current is None:
            await self._write(desired, create=True)
            return True
        previous = self._observed
        if current != previous:
            self._observe(current)
        holder = current.holder_identity
        if holder and holder != cfg.identity and not self._observed_expired():
            return False
        if holder == cfg.identity and self._leading and self._renewed_by_another(current, previous):
            # Renewing it back would make two leaders that each renew over the other forever.
            self._log.error(
                "leader election: another process renews this lease under our identity; "
                "identities must be unique, stepping down"
            )
            self._twin = True
            return False
        if holder == cfg.identity:
            record = dataclasses.replace(
                desired,
                acquire_time=current.acquire_time,
                lease_transitions=current.lease_transitions,
            )
        else:
            record = dataclasses.replace(desired, lease_transitions=current.lease_transitions + 1)
        await self._write(record)
        return True

    async def _write(self, record: LeaderElectionRecord, *, create: bool = False) -> None:
        if record.renew_time is not None:
            self._unconfirmed.append(record.renew_time)
        if create:
            await self._lock.create(record)
        else:
            await self._lock.update(record)
        self._unconfirmed.clear()
        self._observe(record)

    def _renewed_by_another(
        self, current: LeaderElectionRecord, previous: LeaderElectionRecord | None
    ) -> bool:
        """Whether a record in our name holds a renewal we never sent.

        Only renewTime is compared: it is ours to the microsecond, whereas an edit of other
        fields (by an administrator, say) is no sign of a second holder.
        """
        if previous is None or current.renew_time == previous.renew_time:
            return False
        return current.renew_time not in self._unconfirmed

    async def _release(self) -> None:
        """Hand the Lease back if the last record we saw is ours.

        The lock's conditional update makes this fail, harmlessly, if anyone wrote since.
        """
        observed = self._observed
        if observed is None or observed.holder_identity != self._config.identity:
            return
        now = micro_time(datetime.now(UTC))
        released = LeaderElectionRecord(
            holder_identity="",
            lease_duration_seconds=1,
            acquire_time=now,
            renew_time=now,
            lease_transitions=observed.lease_transitions,
        )
        try:
            await run_with_deadline(
                self._clock, self._lock.update(released), self._config.renew_deadline
            )
        except Exception as exc:  # the Lease then simply expires
            self._log.warning("leader election: failed to release the lease", error=repr(exc))
            return
        self._observe(released)
        self._log.info("leader election: released the lease")

    def _observe(self, record: LeaderElectionRecord) -> None:
        self._observed = record
        self._observed_at = self._clock.monotonic()

    def _observed_expired(self) -> bool:
        if self._observed is None:
            return True
        expires = self._observed_at + self._observed.lease_duration_seconds
        return expires <= self._clock.monotonic()

    def _set_leading(self, leading: bool) -> None:
        self._leading = leading
        if leading:
            self._metrics.leader_on(self._config.name)
        else:
            self._metrics.leader_off(self._config.name)

    def _report_new_leader(self, on_new_leader: OnNewLeader | None) -> None:
        holder = self.leader()
        if not holder or holder == self._reported_leader:
            return
        self._reported_leader = holder
        if on_new_leader is None:
            return
        try:
            on_new_leader(holder)
        except Exception:
            # Informational callback: its failure must not disturb the election.
            self._log.exception("leader election: on_new_leader failed")


async def _call(on_started_leading: OnStartedLeading) -> None:
    await on_started_leading()


async def _stop(task: asyncio.Task[None]) -> None:
    if not task.done():
        task.cancel()
    await asyncio.wait({task})


def _failure(task: asyncio.Task[None]) -> BaseException | None:
    """The exception a finished task raised; None for success or cancellation."""
    if not task.done() or task.cancelled():
        return None
    return task.exception()
