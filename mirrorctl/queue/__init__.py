"""Work queues: de-duplicating priority FIFO, delays, rate-limited retries, and their metrics.

Semantics follow client-go's util/workqueue, with controller-runtime's priority rules: a key is
never handed to two workers at once, re-adding a queued key can only raise its priority, and
re-adding a waiting key can only bring it earlier.
"""

from mirrorctl.queue.delaying import DelayingQueue
from mirrorctl.queue.fifo import FifoQueue
from mirrorctl.queue.interface import (
    LOW_PRIORITY,
    DelayingWorkQueue,
    RateLimiter,
    RateLimitingWorkQueue,
    ShutDown,
    WorkQueue,
)
from mirrorctl.queue.metrics import MetricsProvider, NoopMetricsProvider, QueueMetrics
from mirrorctl.queue.ratelimiters import (
    BucketRateLimiter,
    ItemExponentialRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    WithMaxWaitRateLimiter,
    default_controller_rate_limiter,
)
from mirrorctl.queue.ratelimiting import RateLimitingQueue

__all__ = [
    "LOW_PRIORITY",
    "BucketRateLimiter",
    "DelayingQueue",
    "DelayingWorkQueue",
    "FifoQueue",
    "ItemExponentialRateLimiter",
    "ItemFastSlowRateLimiter",
    "MaxOfRateLimiter",
    "MetricsProvider",
    "NoopMetricsProvider",
    "QueueMetrics",
    "RateLimiter",
    "RateLimitingQueue",
    "RateLimitingWorkQueue",
    "ShutDown",
    "WithMaxWaitRateLimiter",
    "WorkQueue",
    "default_controller_rate_limiter",
]
