"""Raw-dict async Kubernetes client: resources, errors, configuration, events."""

from mirrorctl.client.client import Client
from mirrorctl.client.config import ClientConfig
from mirrorctl.client.errors import (
    AlreadyExistsError,
    ApiError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    GoneError,
    InvalidError,
    NotFoundError,
    ServerError,
    TooManyRequestsError,
    UnauthorizedError,
)
from mirrorctl.client.events import NORMAL, WARNING, EventRecorder, Recorder
from mirrorctl.client.patch import PatchType
from mirrorctl.client.resource import Resource
from mirrorctl.client.watch import WatchStream

__all__ = [
    "NORMAL",
    "WARNING",
    "AlreadyExistsError",
    "ApiError",
    "BadRequestError",
    "Client",
    "ClientConfig",
    "ConflictError",
    "EventRecorder",
    "ForbiddenError",
    "GoneError",
    "InvalidError",
    "NotFoundError",
    "PatchType",
    "Recorder",
    "Resource",
    "ServerError",
    "TooManyRequestsError",
    "UnauthorizedError",
    "WatchStream",
]
