"""Event handlers: which requests an informer event enqueues, and with which priority."""

from mirrorctl.handler.for_object import EnqueueRequestForObject, request_for
from mirrorctl.handler.for_owner import EnqueueRequestForOwner
from mirrorctl.handler.interface import EventHandler, RequestQueue
from mirrorctl.handler.map_func import EnqueueRequestsFromMapFunc, MapFunc
from mirrorctl.handler.queueing import NORMAL_PRIORITY, QueueingHandler

__all__ = [
    "NORMAL_PRIORITY",
    "EnqueueRequestForObject",
    "EnqueueRequestForOwner",
    "EnqueueRequestsFromMapFunc",
    "EventHandler",
    "MapFunc",
    "QueueingHandler",
    "RequestQueue",
    "request_for",
]
