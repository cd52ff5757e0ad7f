"""Complete lists assembled from pages (limit/continue), as a reflector needs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog

from mirrorctl.client.errors import ApiError
from mirrorctl.client.resource import Resource
from mirrorctl.informers.expiry import is_expired
from mirrorctl.informers.interface import ListerWatcher

__all__ = ["ListResult", "list_all"]

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ListResult:
    """Every item of a list, the resourceVersion it is consistent at, and whether the server
    answered in more than one page."""

    items: list[dict[str, Any]]
    resource_version: str
    paginated: bool


def _continue_token(page: dict[str, Any]) -> str | None:
    token = page.get("metadata", {}).get("continue")
    return token if isinstance(token, str) and token else None


async def list_all(
    lister: ListerWatcher,
    resource: Resource,
    namespace: str | None = None,
    *,
    label_selector: str | None = None,
    field_selector: str | None = None,
    resource_version: str | None = None,
    page_size: int | None = None,
    prepare: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
) -> ListResult:
    """List everything, following continue tokens when the server pages.

    ``prepare`` maps each page's items as the page arrives, before the next is asked for: a
    transform that drops most of each object then bounds the memory a list needs to one
    untransformed page. If a continue token expires half-way (etcd compacted past the list's
    revision), the pages so far are dropped and the list is redone in one consistent, unpaged
    request.
    """

    def items_of(current: dict[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = current.get("items") or []
        return prepare(found) if prepare is not None else found

    async def page(**kw: Any) -> dict[str, Any]:
        return await lister.list(
            resource,
            namespace,
            label_selector=label_selector,
            field_selector=field_selector,
            **kw,
        )

    current = await page(limit=page_size, resource_version=resource_version or None)
    items = items_of(current)
    token = _continue_token(current)
    paginated = token is not None
    while token:
        try:
            # A continued request carries the first page's snapshot in its token, and the
            # apiserver refuses a resourceVersion beside it.
            current = await page(limit=page_size, continue_=token)
        except ApiError as err:
            if not is_expired(err):
                raise
            log.info("continue token expired, listing in one request", resource=resource.plural)
            current = await page()
            items = items_of(current)
            break
        items.extend(items_of(current))
        token = _continue_token(current)
    rv = current.get("metadata", {}).get("resourceVersion")
    if not isinstance(rv, str) or not rv:
        raise ApiError(500, "InternalError", "list response without a resourceVersion")
    return ListResult(items=items, resource_version=rv, paginated=paginated)
