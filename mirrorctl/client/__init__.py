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
from mirrorctl.client.patch import PatchType
from mirrorctl.client.resource import Resource
from mirrorctl.client.watch import WatchStream

__all__ = [
    "AlreadyExistsError",
    "ApiError",
    "BadRequestError",
    "Client",
    "ClientConfig",
    "ConflictError",
    "ForbiddenError",
    "GoneError",
    "InvalidError",
    "NotFoundError",
    "PatchType",
    "Resource",
    "ServerError",
    "TooManyRequestsError",
    "UnauthorizedError",
    "WatchStream",
]
