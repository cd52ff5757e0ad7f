"""Leader election on a coordination.k8s.io/v1 Lease (semantics of client-go's leaderelection).

Usage::

    config = LeaderElectionConfig(name="mirrorctl", namespace="mirrorctl-system")
    elector = LeaderElector(client, config, metrics=LeaderElectionMetrics(registry))
    await elector.run(start_controllers, on_stopped_leading=stop_or_exit)

`await elector.run(on_started_leading, on_stopped_leading, on_new_leader=None)`:

1. Acquires: creates the Lease, or takes it over when it has no holder or when its record has
   not changed for `leaseDurationSeconds` *as observed locally* (remote timestamps are never
   compared with the local clock). A takeover increments `leaseTransitions`. Attempts repeat
   every `retry_period` (jittered by up to x1.2).
2. Leads: `on_started_leading()` (a coroutine function) runs as a task. Its returning does not
   end the term; its raising does. Meanwhile the Lease is renewed every `retry_period` by a
   replace of the last version seen (a 409 means someone else wrote: the record is re-read).
   Every attempt, acquiring or renewing, is cut off after half `renew_deadline` (at least a
   second), so that one request hung on a dead connection is retried in time.
3. Stops when the caller cancels `run`, when the leading work raises, when no renewal has
   succeeded for `renew_deadline` since the last successful one, or at once when the re-read
   record shows another holder, or a renewal in our name that this process never sent
   (another process under the same identity: renewing it back would make two leaders).
   Then, in order: the leading task is cancelled and awaited (renewals continue meanwhile),
   renewal stops, `is_leader()` turns False, on a voluntary stop with `release_on_cancel`
   the Lease is released (holder cleared, `leaseDurationSeconds=1`, conditional on nobody
   having written since), and `on_stopped_leading()` is called — only if this process had
   been leading.
4. Returns normally after losing leadership; re-raises `CancelledError` when cancelled and the
   leading task's exception when it failed. An elector runs once at a time; it may be re-run.
5. Raises `LeaseAccessError` at once, while acquiring or leading (after stopping as in 3),
   when the apiserver forbids the Lease or its namespace does not exist: no retry can help,
   and quietly retrying would look like a healthy standby that never leads.

`on_new_leader(identity)` (optional, synchronous) is called for each newly observed holder,
this process included. `is_leader()` and `leader()` (last observed holder) may be polled.
`LeaderElector.from_lock(lock, config, ...)` runs the same logic over another `LeaseLock`.
"""

from mirrorctl.leaderelection.config import JITTER_FACTOR, LeaderElectionConfig, default_identity
from mirrorctl.leaderelection.elector import LeaderElector
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

__all__ = [
    "JITTER_FACTOR",
    "ClientLeaseLock",
    "LeaderElectionConfig",
    "LeaderElectionRecord",
    "LeaderElector",
    "LeaderMetrics",
    "LeaseAccessError",
    "LeaseClient",
    "LeaseLock",
    "NoopLeaderMetrics",
    "OnNewLeader",
    "OnStartedLeading",
    "OnStoppedLeading",
    "default_identity",
    "micro_time",
]
