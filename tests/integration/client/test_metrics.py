from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from mirrorctl.client import Client, NotFoundError
from mirrorctl.client.resources import CONFIGMAPS
from mirrorctl.envtest import ControlPlane
from mirrorctl.metrics.client import ClientMetrics

pytestmark = pytest.mark.integration


async def test_requests_are_counted_per_status_code(
    control_plane: ControlPlane, namespace: str
) -> None:
    registry = CollectorRegistry()
    client = await Client.from_kubeconfig(
        control_plane.admin_kubeconfig, metrics=ClientMetrics(registry)
    )
    async with client:
        await client.list(CONFIGMAPS, namespace)
        with pytest.raises(NotFoundError):
            await client.get(CONFIGMAPS, "missing", namespace)
        await client.create(CONFIGMAPS, {"metadata": {"name": "a"}}, namespace)
    host = client.config.host_label

    def count(code: str, method: str) -> float | None:
        return registry.get_sample_value(
            "rest_client_requests_total", {"code": code, "method": method, "host": host}
        )

    assert count("200", "GET") == 1
    assert count("404", "GET") == 1
    assert count("201", "POST") == 1
    latency = registry.get_sample_value(
        "rest_client_request_duration_seconds_count", {"verb": "GET", "host": host}
    )
    assert latency == 2
