"""`ClientLeaseLock`: the election record kept in a coordination.k8s.io/v1 Lease."""

from __future__ import annotations

from typing import Any

from mirrorctl.client.errors import ForbiddenError, NotFoundError
from mirrorctl.client.resources import LEASES
from mirrorctl.leaderelection.errors import LeaseAccessError
from mirrorctl.leaderelection.interface import LeaseClient
from mirrorctl.leaderelection.record import MANAGED_SPEC_FIELDS, LeaderElectionRecord

__all__ = ["ClientLeaseLock"]


class ClientLeaseLock:
    """A `LeaseLock` over the apiserver.

    It remembers the Lease it last read or wrote and replaces exactly that version, so the
    apiserver answers 409 (`ConflictError`) when anyone else wrote in between. A 403, or a
    create refused because the namespace does not exist, is a `LeaseAccessError`.
    """

    def __init__(self, client: LeaseClient, namespace: str, name: str) -> None:
        self._client = client
        self._namespace = namespace
        self._name = name
        self._lease: dict[str, Any] | None = None

    def describe(self) -> str:
        return f"{self._namespace}/{self._name}"

    async def get(self) -> LeaderElectionRecord | None:
        try:
            lease = await self._client.get(LEASES, self._name, self._namespace)
        except NotFoundError:
            self._lease = None
            return None
        except ForbiddenError as exc:
            raise self._forbidden("get", exc) from exc
        self._lease = lease
        return LeaderElectionRecord.from_spec(_spec(lease))

    async def create(self, record: LeaderElectionRecord) -> None:
        body: dict[str, Any] = {
            "apiVersion": LEASES.api_version,
            "kind": LEASES.kind,
            "metadata": {"name": self._name, "namespace": self._namespace},
            "spec": record.to_spec(),
        }
        try:
            self._lease = await self._client.create(LEASES, body, self._namespace)
        except ForbiddenError as exc:
            raise self._forbidden("create", exc) from exc
        except NotFoundError as exc:
            # The only thing a create can miss is its namespace.
            if exc.details.get("kind") != "namespaces":
                raise
            raise LeaseAccessError(
                f"lease {self.describe()}: namespace {self._namespace!r} does not exist"
            ) from exc

    async def update(self, record: LeaderElectionRecord) -> None:
        if self._lease is None:
            raise RuntimeError(f"lease {self.describe()} must be read or created before update")
        # Fields this record does not manage (e.g. strategy, preferredHolder) are kept.
        spec = {k: v for k, v in _spec(self._lease).items() if k not in MANAGED_SPEC_FIELDS}
        spec.update(record.to_spec())
        try:
            self._lease = await self._client.replace(LEASES, {**self._lease, "spec": spec})
        except ForbiddenError as exc:
            raise self._forbidden("update", exc) from exc

    def _forbidden(self, verb: str, exc: ForbiddenError) -> LeaseAccessError:
        return LeaseAccessError(f"lease {self.describe()}: {verb} forbidden: {exc.message}")


def _spec(lease: dict[str, Any]) -> dict[str, Any]:
    spec = lease.get("spec")
    return spec if isinstance(spec, dict) else {}
