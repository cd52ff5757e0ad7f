"""Cached reads for reconcilers: the `Reader` protocol and its informer-backed implementation."""

from mirrorctl.cache.errors import CacheError, CacheNotSyncedError, NotCachedError
from mirrorctl.cache.informer_cache import InformerCache
from mirrorctl.cache.reader import Reader

__all__ = ["CacheError", "CacheNotSyncedError", "InformerCache", "NotCachedError", "Reader"]
