"""REST client metrics, named and labelled as client-go / controller-runtime name them."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from mirrorctl.metrics.families import Count, CounterFamily, Distribution, HistogramFamily

__all__ = ["ClientMetrics"]

# client-go's request latency buckets, so existing dashboards read ours unchanged.
_LATENCY_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


class ClientMetrics:
    """``rest_client_requests_total{code,method,host}`` and
    ``rest_client_request_duration_seconds{verb,host}`` in the given registry.

    Label children are cached per label set, so a request costs two dict lookups and two
    child updates instead of a `labels()` resolution each.
    """

    __slots__ = ("_counters", "_durations", "duration_seconds", "requests_total")

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests_total = CounterFamily(
            "rest_client_requests_total",
            "Number of HTTP requests, partitioned by status code, method, and host.",
            ["code", "method", "host"],
            registry,
        )
        self.duration_seconds = HistogramFamily(
            "rest_client_request_duration_seconds",
            "Request latency in seconds. Broken down by verb, and host.",
            ["verb", "host"],
            registry,
            buckets=_LATENCY_BUCKETS,
        )
        self._counters: dict[tuple[str, int | str, str], Count] = {}
        self._durations: dict[tuple[str, str], Distribution] = {}

    def observe(self, method: str, code: int | str, host: str, seconds: float) -> None:
        counter = self._counters.get((method, code, host))
        if counter is None:
            counter = self.requests_total.labels(str(code), method, host)
            self._counters[(method, code, host)] = counter
        counter.inc()
        duration = self._durations.get((method, host))
        if duration is None:
            duration = self.duration_seconds.labels(method, host)
            self._durations[(method, host)] = duration
        duration.observe(seconds)
