"""Informers: list+watch into an indexed cache, with handlers told of every change."""

from mirrorctl.informers.backoff import ExponentialBackoff
from mirrorctl.informers.errors import (
    IndexConflictError,
    InformerError,
    InformerStartedError,
    UnknownIndexError,
    WatchSilentError,
)
from mirrorctl.informers.factory import InformerFactory, InformerKey, normalize_label_selector
from mirrorctl.informers.handler import EventHandlerFuncs, ResourceEventHandler
from mirrorctl.informers.interface import IndexFunc, ListerWatcher, StoreReader
from mirrorctl.informers.keys import key_for, key_of, split_key
from mirrorctl.informers.processor import CacheProcessor
from mirrorctl.informers.reflector import Reflector, ReflectorSink
from mirrorctl.informers.shared import SharedInformer, resource_label
from mirrorctl.informers.store import NAMESPACE_INDEX, Indexer, ReplaceResult, namespace_index
from mirrorctl.informers.tombstone import DeletedFinalStateUnknown
from mirrorctl.informers.transform import Transform, chain, strip_managed_fields

__all__ = [
    "NAMESPACE_INDEX",
    "CacheProcessor",
    "DeletedFinalStateUnknown",
    "EventHandlerFuncs",
    "ExponentialBackoff",
    "IndexConflictError",
    "IndexFunc",
    "Indexer",
    "InformerError",
    "InformerFactory",
    "InformerKey",
    "InformerStartedError",
    "ListerWatcher",
    "Reflector",
    "ReflectorSink",
    "ReplaceResult",
    "ResourceEventHandler",
    "SharedInformer",
    "StoreReader",
    "Transform",
    "UnknownIndexError",
    "WatchSilentError",
    "chain",
    "key_for",
    "key_of",
    "namespace_index",
    "normalize_label_selector",
    "resource_label",
    "split_key",
    "strip_managed_fields",
]
