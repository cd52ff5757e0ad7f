"""`OwnLeaseClient`: the leader election's requests on a client of their own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.client.client import Client
from mirrorctl.client.config import ClientConfig
from mirrorctl.client.observer import RequestObserver
from mirrorctl.client.resource import Resource

__all__ = ["OwnLeaseClient"]


class OwnLeaseClient:
    """A `LeaseClient` over a `Client` built from the manager's client's configuration.

    Lease requests must never queue behind the controllers' own: behind the client-side rate
    limit (``qps``), a renewal waits for every request queued before it, and a burst of
    work that takes longer than the renew deadline to send costs the Lease, then the process.
    As controller-runtime's leader election (its own clients), this client has connections
    and a rate limit of its own, with the same settings. It is built on first use, inside
    the event loop, and ``close`` closes it.
    """

    def __init__(self, config: ClientConfig) -> None:
        self._config = config
        # Where the requests are counted (``rest_client_*``); set before the first request.
        self.observer: RequestObserver | None = None
        self._client: Client | None = None

    def _get_client(self) -> Client:
        if self._client is None:
            self._client = Client(self._config, metrics=self.observer)
        return self._client

    async def get(
        self, resource: Resource, name: str, namespace: str | None = None
    ) -> dict[str, Any]:
        return await self._get_client().get(resource, name, namespace)

    async def create(
        self, resource: Resource, body: Mapping[str, Any], namespace: str | None = None
    ) -> dict[str, Any]:
        return await self._get_client().create(resource, body, namespace)

    async def replace(self, resource: Resource, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self._get_client().replace(resource, body)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()
