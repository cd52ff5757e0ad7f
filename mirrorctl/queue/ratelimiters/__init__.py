"""Rate limiters for `RateLimitingQueue.add_rate_limited`."""

from mirrorctl.queue.ratelimiters.bucket import BucketRateLimiter
from mirrorctl.queue.ratelimiters.default import default_controller_rate_limiter
from mirrorctl.queue.ratelimiters.exponential import ItemExponentialRateLimiter
from mirrorctl.queue.ratelimiters.fast_slow import ItemFastSlowRateLimiter
from mirrorctl.queue.ratelimiters.max_of import MaxOfRateLimiter
from mirrorctl.queue.ratelimiters.max_wait import WithMaxWaitRateLimiter

__all__ = [
    "BucketRateLimiter",
    "ItemExponentialRateLimiter",
    "ItemFastSlowRateLimiter",
    "MaxOfRateLimiter",
    "WithMaxWaitRateLimiter",
    "default_controller_rate_limiter",
]
