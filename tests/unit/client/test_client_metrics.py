from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from mirrorctl.client.observer import TRANSPORT_ERROR_CODE, RequestObserver
from mirrorctl.metrics.client import ClientMetrics


def sample(registry: CollectorRegistry, name: str, labels: dict[str, str]) -> float | None:
    return registry.get_sample_value(name, labels)


def test_requests_are_counted_by_code_method_and_host() -> None:
    registry = CollectorRegistry()
    metrics: RequestObserver = ClientMetrics(registry)
    metrics.observe("PATCH", 200, "10.0.0.1:6443", 0.01)
    metrics.observe("PATCH", 200, "10.0.0.1:6443", 0.02)
    metrics.observe("PATCH", 409, "10.0.0.1:6443", 0.03)
    metrics.observe("GET", TRANSPORT_ERROR_CODE, "10.0.0.1:6443", 1.0)
    host = "10.0.0.1:6443"
    total = "rest_client_requests_total"
    assert sample(registry, total, {"code": "200", "method": "PATCH", "host": host}) == 2
    assert sample(registry, total, {"code": "409", "method": "PATCH", "host": host}) == 1
    assert sample(registry, total, {"code": "<error>", "method": "GET", "host": host}) == 1
    duration = "rest_client_request_duration_seconds"
    labels = {"verb": "PATCH", "host": host}
    assert sample(registry, f"{duration}_count", labels) == 3
    assert abs((sample(registry, f"{duration}_sum", labels) or 0) - 0.06) < 1e-9
    assert sample(registry, f"{duration}_bucket", {**labels, "le": "0.025"}) == 2


def test_metrics_live_only_in_the_given_registry() -> None:
    first, second = CollectorRegistry(), CollectorRegistry()
    ClientMetrics(first).observe("GET", 200, "h", 0.1)
    ClientMetrics(second)
    assert b'rest_client_requests_total{code="200",host="h",method="GET"} 1.0' in generate_latest(
        first
    )
    assert b"rest_client_requests_total{" not in generate_latest(second)
