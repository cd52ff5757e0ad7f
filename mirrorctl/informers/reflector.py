"""The list+watch loop that keeps a sink in step with the apiserver."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any, Protocol

import structlog

from mirrorctl.client.errors import ApiError, ServerError, TooManyRequestsError
from mirrorctl.client.resource import Resource
from mirrorctl.clock import Clock
from mirrorctl.informers.backoff import ExponentialBackoff
from mirrorctl.informers.errors import WatchSilentError
from mirrorctl.informers.expiry import is_expired, is_too_large_resource_version
from mirrorctl.informers.interface import ListerWatcher
from mirrorctl.informers.pager import list_all
from mirrorctl.informers.tasks import cancel_and_wait
from mirrorctl.metrics.informer import BoundInformerMetrics

__all__ = ["Reflector", "ReflectorSink"]

log = structlog.get_logger(__name__)

# A watch that ends this quickly without a single event points at a broken server or proxy;
# re-opening it at once would spin.
_SHORT_WATCH = 1.0


class ReflectorSink(Protocol):
    """Where a reflector delivers what it lists and watches."""

    def prepare(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Listed objects (one page at a time) made ready for `replace`."""

    def replace(self, items: list[dict[str, Any]], resource_version: str) -> None:
        """A complete list of prepared objects, to replace everything held so far."""

    def apply(self, event_type: str, obj: dict[str, Any]) -> None:
        """One ADDED, MODIFIED or DELETED watch event."""


class Reflector:
    """Lists, then watches from the list's resourceVersion, forever (until cancelled).

    * The first list asks for resourceVersion "0", which the apiserver's watch cache serves
      without touching etcd; later lists ask for the last version seen (also cache-served).
      When that version is unavailable (410 Gone / too large) the list falls back to a
      consistent, paginated read from etcd.
    * With ``list_from_etcd`` every list is instead a consistent read from etcd in pages of
      ``page_size``, each page prepared by the sink before the next is asked for: more work
      for etcd, but the untransformed objects of a large list never all exist at once, which
      cuts the peak memory of a start and what the allocator keeps after it.
    * Watches ask for bookmarks, so the resume point advances even when nothing changes.
    * A watch that ends is re-opened from the last version seen; 410 on a watch leads to a
      relist, whose diff the sink turns into events, so no change is lost. The relist is at
      once, unless the 410 came on the first watch after a list: then it backs off.
    * Failures back off exponentially (with jitter, reset after a healthy stretch).
    * Watch timeouts are randomised in [min, 2*min] so that clients spread out, and a stream
      silent for longer than its timeout plus a margin is declared dead and re-opened.
    """

    def __init__(
        self,
        lister_watcher: ListerWatcher,
        resource: Resource,
        sink: ReflectorSink,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        clock: Clock,
        backoff: ExponentialBackoff | None = None,
        rng: random.Random | None = None,
        page_size: int = 500,
        min_watch_timeout: float = 300.0,
        silence_margin: float = 30.0,
        metrics: BoundInformerMetrics | None = None,
        list_from_etcd: bool = False,
    ) -> None:
        if page_size < 1 or min_watch_timeout < 1 or silence_margin <= 0:
            raise ValueError("page_size and min_watch_timeout must be >= 1, margin > 0")
        self._lw = lister_watcher
        self._resource = resource
        self._sink = sink
        self._namespace = namespace
        self._label_selector = label_selector
        self._field_selector = field_selector
        self._clock = clock
        self._rng = rng if rng is not None else random.Random()
        self._backoff = backoff if backoff is not None else ExponentialBackoff(clock, rng=self._rng)
        self._page_size = page_size
        self._min_watch_timeout = min_watch_timeout
        self._silence_margin = silence_margin
        self._metrics = metrics
        self._list_from_etcd = list_from_etcd
        self._log = log.bind(resource=resource.plural, group=resource.group, namespace=namespace)
        self._last_rv = ""
        self._rv_unavailable = False
        self._server_paginates = False
        self._listed_once = False
        self._last_activity = 0.0
        self._watch_events = 0

    @property
    def last_sync_resource_version(self) -> str:
        """The resourceVersion the next watch resumes from ("" before the first list)."""
        return self._last_rv

    async def run(self) -> None:
        """List and watch until cancelled; never returns otherwise."""
        while True:
            try:
                await self._list()
            except Exception as err:
                await self._back_off("list failed", err)
                continue
            await self._watch_until_relist_needed()

    # -- list -----------------------------------------------------------------------------

    async def _list(self) -> None:
        rv = "" if self._rv_unavailable or self._list_from_etcd else (self._last_rv or "0")
        try:
            items, list_rv = await self._list_at(rv)
        except ApiError as err:
            if not (is_expired(err) or is_too_large_resource_version(err)):
                raise
            self._log.info("resourceVersion unavailable, listing from etcd", rv=rv, error=str(err))
            self._rv_unavailable = True
            items, list_rv = await self._list_at("")
        self._rv_unavailable = False
        if self._listed_once and self._metrics is not None:
            self._metrics.relists.inc()
        self._sink.replace(items, list_rv)
        self._last_rv = list_rv
        self._listed_once = True

    async def _list_at(self, rv: str) -> tuple[list[dict[str, Any]], str]:
        # A limit with a specific resourceVersion would bypass the watch cache (served from
        # etcd instead); with "0" the cache ignores it, and with "" (etcd) it pages.
        paginate = rv in ("", "0") or self._server_paginates
        result = await list_all(
            self._lw,
            self._resource,
            self._namespace,
            label_selector=self._label_selector,
            field_selector=self._field_selector,
            resource_version=rv or None,
            page_size=self._page_size if paginate else None,
            prepare=self._sink.prepare,
        )
        if result.paginated and rv == "0":
            # Paged although "0" allows the cache: this server has no watch cache for it.
            self._server_paginates = True
        return result.items, result.resource_version

    # -- watch ----------------------------------------------------------------------------

    async def _watch_until_relist_needed(self) -> None:
        first = True
        while True:
            started = self._clock.monotonic()
            self._watch_events = 0
            try:
                await self._watch_once()
            except WatchSilentError as err:
                self._log.warning("watch went silent, re-opening", error=str(err))
            except Exception as err:
                if await self._relist_needed_after(err, started, first):
                    return
            else:
                if self._watch_events == 0 and self._clock.monotonic() - started < _SHORT_WATCH:
                    await self._back_off("watch closed at once without an event")
            first = False
            if self._metrics is not None:
                self._metrics.watch_restarts.inc()

    async def _relist_needed_after(self, err: Exception, started: float, first: bool) -> bool:
        """Log a failed watch, back off if that is due, and say whether to relist.

        `first`: the watch was the first one after a list.
        """
        unusable = is_expired(err) or is_too_large_resource_version(err)
        if unusable and first and self._watch_events == 0:
            # The version just listed is already unusable for a watch (an apiserver behind
            # the list's): relisting at once would meet the same error, a hot loop of lists.
            await self._back_off("watch of a fresh list refused its version, relisting", err)
        if is_expired(err):
            self._log.info("watch resourceVersion expired, relisting", error=str(err))
            return True
        if is_too_large_resource_version(err):
            self._log.info("watch resourceVersion too large, relisting", error=str(err))
            self._rv_unavailable = True
            return True
        if isinstance(err, ApiError) and not isinstance(err, TooManyRequestsError | ServerError):
            await self._back_off("watch refused, relisting", err)
            return True
        if self._watch_events == 0 and self._clock.monotonic() - started < _SHORT_WATCH:
            await self._back_off("watch failed", err)
        else:
            # The connection broke after a working stretch (an apiserver restart): resume at
            # once from the last version seen; if the server is down, the next try backs off.
            self._log.info("watch connection lost, resuming", error=repr(err))
        return False

    async def _back_off(self, message: str, err: Exception | None = None) -> None:
        delay = self._backoff.next_delay()
        self._log.warning(message, error=repr(err), retry_in=round(delay, 2))
        await self._clock.sleep(delay)

    async def _watch_once(self) -> None:
        lo = self._min_watch_timeout
        timeout = int(self._rng.uniform(lo, 2 * lo))
        stream = self._lw.watch(
            self._resource,
            self._namespace,
            resource_version=self._last_rv,
            label_selector=self._label_selector,
            field_selector=self._field_selector,
            timeout_seconds=timeout,
            allow_bookmarks=True,
        )
        self._last_activity = self._clock.monotonic()
        consumer = asyncio.ensure_future(self._consume(stream))
        try:
            await self._guard(consumer, silence=timeout + self._silence_margin)
        finally:
            await cancel_and_wait(consumer)
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()

    async def _guard(self, consumer: asyncio.Future[None], silence: float) -> None:
        """Wait for the consumer, failing if it sees nothing for `silence` seconds."""
        while True:
            remaining = self._last_activity + silence - self._clock.monotonic()
            if remaining <= 0:
                raise WatchSilentError(f"no event or bookmark for {silence:.0f}s")
            sleeper = asyncio.ensure_future(self._clock.sleep(remaining))
            try:
                await asyncio.wait((consumer, sleeper), return_when=asyncio.FIRST_COMPLETED)
            finally:
                await cancel_and_wait(sleeper)
            if consumer.done():
                consumer.result()
                return

    async def _consume(self, stream: AsyncIterator[dict[str, Any]]) -> None:
        sink_apply = self._sink.apply
        clock = self._clock
        bookmarks = self._metrics.events["BOOKMARK"] if self._metrics is not None else None
        async for event in stream:
            self._last_activity = clock.monotonic()
            self._watch_events += 1
            event_type = event["type"]
            obj = event["object"]
            rv = obj["metadata"]["resourceVersion"]
            if event_type == "BOOKMARK":
                if bookmarks is not None:
                    bookmarks.inc()
            else:
                sink_apply(event_type, obj)
            self._last_rv = rv
