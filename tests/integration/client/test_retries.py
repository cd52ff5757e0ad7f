from __future__ import annotations

from typing import Any

import pytest
from kubernetes_asyncio.client import Configuration
from prometheus_client import CollectorRegistry

from mirrorctl.client import Client, TooManyRequestsError
from mirrorctl.client.loading import config_from_configuration
from mirrorctl.client.resources import NAMESPACES, PODS, resource
from mirrorctl.envtest import ControlPlane
from mirrorctl.metrics.client import ClientMetrics

pytestmark = pytest.mark.integration

PDBS = resource("policy", "v1beta1", "poddisruptionbudgets", kind="PodDisruptionBudget")


def requests(registry: CollectorRegistry, client: Client, code: str, method: str) -> float:
    value = registry.get_sample_value(
        "rest_client_requests_total",
        {"code": code, "method": method, "host": client.config.host_label},
    )
    return value or 0.0


async def test_refusal_without_retry_after_is_not_retried(
    control_plane: ControlPlane, admin_client: Client, namespace: str
) -> None:
    labels = {"app": "guarded"}
    pod: dict[str, Any] = {
        "metadata": {"name": "p", "labels": labels},
        "spec": {"containers": [{"name": "c", "image": "x"}]},
    }
    await admin_client.create(PODS, pod, namespace)
    # Only running pods are guarded by budgets; no kubelet here, so say it runs.
    await admin_client.patch(
        PODS, "p", {"status": {"phase": "Running"}}, namespace, subresource="status"
    )
    pdb = {
        "metadata": {"name": "guard"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": labels}},
    }
    await admin_client.create(PDBS, pdb, namespace)

    registry = CollectorRegistry()
    client = await Client.from_kubeconfig(
        control_plane.admin_kubeconfig, metrics=ClientMetrics(registry)
    )
    eviction = {
        "apiVersion": "policy/v1beta1",
        "kind": "Eviction",
        "metadata": {"name": "p", "namespace": namespace},
    }
    async with client:
        with pytest.raises(TooManyRequestsError) as caught:
            await client.create(PODS, eviction, namespace, subresource="eviction")
    # The budget blocks the eviction: a refusal the server gives no retry time for.
    assert caught.value.retry_after is None
    assert "disruption budget" in caught.value.message
    assert requests(registry, client, "429", "POST") == 1


async def test_unauthorized_refreshes_credentials_once(control_plane: ControlPlane) -> None:
    good = control_plane.identities["admin"].token
    configuration = Configuration()
    configuration.host = control_plane.url
    configuration.ssl_ca_cert = str(control_plane.ca_cert)
    configuration.api_key["BearerToken"] = "Bearer revoked"
    refreshed: list[str] = []

    def rotate(cfg: Any) -> None:
        refreshed.append("rotated")
        cfg.api_key["BearerToken"] = f"Bearer {good}"

    configuration.refresh_api_key_hook = rotate
    registry = CollectorRegistry()
    async with await Client.from_config(
        config_from_configuration(configuration), metrics=ClientMetrics(registry)
    ) as client:
        listed = await client.list(NAMESPACES, limit=1)
        assert listed["kind"] == "NamespaceList"
        assert refreshed == ["rotated"]
        assert requests(registry, client, "401", "GET") == 1
        assert requests(registry, client, "200", "GET") == 1
