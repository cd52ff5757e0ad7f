"""`EventRecorder`: core/v1 Events about objects, correlated and written in the background."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import socket
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Protocol

import aiohttp
import structlog

from mirrorctl.client.client import Client
from mirrorctl.client.errors import AlreadyExistsError, NotFoundError, ServerError
from mirrorctl.client.event_correlator import (
    CorrelationSettings,
    Decision,
    EventCorrelator,
    WriteKind,
)
from mirrorctl.client.resources import EVENTS
from mirrorctl.clock import Clock, RealClock

__all__ = ["MESSAGE_MAX_BYTES", "NORMAL", "WARNING", "EventRecorder", "Recorder"]

NORMAL = "Normal"
WARNING = "Warning"

# The apiserver's limit on an Event's note (events.k8s.io); the scheduler and kubelet truncate
# core/v1 messages to it too. Longer ones would also be held in full by the correlator.
MESSAGE_MAX_BYTES = 1024
_CUT = " ..."

# Transient write failures (apiserver restarting) get a few tries; events are best effort.
_WRITE_ATTEMPTS = 3
_WRITE_BACKOFF = 1.0


class Recorder(Protocol):
    """What reconcilers use: record an Event about `obj` without ever waiting."""

    def event(
        self,
        obj: Mapping[str, Any],
        type_: str,
        reason: str,
        message: str,
        *,
        field_path: str | None = None,
    ) -> None: ...


def _truncated(message: str) -> str:
    encoded = message.encode()
    if len(encoded) <= MESSAGE_MAX_BYTES:
        return message
    # Cut on a character boundary: a split UTF-8 sequence is dropped, not sent broken.
    kept = encoded[: MESSAGE_MAX_BYTES - len(_CUT)].decode(errors="ignore")
    return kept + _CUT


def _rfc3339(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class EventRecorder:
    """Records Events for objects (raw dicts) as `component`.

    `event()` only correlates (repeats become count patches, floods are dropped by a
    per-object token bucket) and queues; one background task writes. A full queue drops the
    event: recording must never slow the caller down. Use ``async with`` or `start` and
    `close` (which writes what is queued, up to a timeout).
    """

    def __init__(
        self,
        client: Client,
        component: str,
        *,
        host: str | None = None,
        reporting_instance: str | None = None,
        queue_size: int = 1000,
        settings: CorrelationSettings | None = None,
        clock: Clock | None = None,
        wall: Callable[[], datetime.datetime] = _utcnow,
        logger: Any = None,
    ) -> None:
        if not component:
            raise ValueError("component is required")
        self._client = client
        self._component = component
        self._host = host if host is not None else socket.gethostname()
        self._instance = reporting_instance if reporting_instance is not None else self._host
        self._clock: Clock = clock if clock is not None else RealClock()
        self._wall = wall
        self._correlator = EventCorrelator(settings)
        self._queue: asyncio.Queue[Decision] = asyncio.Queue(maxsize=queue_size)
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        self._last_name_nanos = 0
        self._log: Any = (logger if logger is not None else structlog.get_logger(__name__)).bind(
            component=component
        )
        self._overflowing = False
        self.dropped = 0

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        if self._closed:
            raise RuntimeError("event recorder is closed")
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(
                self._run(), name=f"event-recorder-{self._component}"
            )

    async def flush(self) -> None:
        """Wait until every event queued so far has been written (or given up on)."""
        if self._worker is None:
            raise RuntimeError("event recorder is not running")
        await self._queue.join()

    async def close(self, timeout: float = 5.0) -> None:
        """Stop accepting events, write the queued ones (for at most `timeout` seconds of real
        time), then stop the writer."""
        self._closed = True
        worker, self._worker = self._worker, None
        if worker is None:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._queue.join()
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    async def __aenter__(self) -> EventRecorder:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- recording ----------------------------------------------------------------------

    def event(
        self,
        obj: Mapping[str, Any],
        type_: str,
        reason: str,
        message: str,
        *,
        field_path: str | None = None,
    ) -> None:
        if self._closed:
            self.dropped += 1
            return
        decision = self._correlator.correlate(
            self._build(obj, type_, reason, message, field_path), self._clock.monotonic()
        )
        if decision.kind is WriteKind.DROP:
            self.dropped += 1
            return
        try:
            self._queue.put_nowait(decision)
        except asyncio.QueueFull:
            self.dropped += 1
            # Once per overflow, not per event: the log must not become the next flood.
            if not self._overflowing:
                self._overflowing = True
                self._log.warning("event queue full, dropping events", dropped=self.dropped)
        else:
            self._overflowing = False

    def normal(self, obj: Mapping[str, Any], reason: str, message: str) -> None:
        self.event(obj, NORMAL, reason, message)

    def warning(self, obj: Mapping[str, Any], reason: str, message: str) -> None:
        self.event(obj, WARNING, reason, message)

    def _event_name(self, object_name: str, now: datetime.datetime) -> str:
        # client-go names events <object>.<unix nanos in hex>; bump on ties so two events
        # recorded within one clock tick never collide.
        nanos = int(now.timestamp() * 1_000_000_000)
        nanos = max(nanos, self._last_name_nanos + 1)
        self._last_name_nanos = nanos
        return f"{object_name}.{nanos:x}"

    def _build(
        self,
        obj: Mapping[str, Any],
        type_: str,
        reason: str,
        message: str,
        field_path: str | None,
    ) -> dict[str, Any]:
        metadata = obj.get("metadata") or {}
        name = str(metadata.get("name", ""))
        namespace = metadata.get("namespace") or "default"
        reference: dict[str, Any] = {
            "kind": obj.get("kind", ""),
            "apiVersion": obj.get("apiVersion", ""),
            "name": name,
        }
        if metadata.get("namespace"):
            reference["namespace"] = metadata["namespace"]
        for source_key, ref_key in (("uid", "uid"), ("resourceVersion", "resourceVersion")):
            if metadata.get(source_key):
                reference[ref_key] = metadata[source_key]
        if field_path:
            reference["fieldPath"] = field_path
        now = self._wall()
        stamp = _rfc3339(now)
        return {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": self._event_name(name, now), "namespace": namespace},
            "involvedObject": reference,
            "reason": reason,
            "message": _truncated(message),
            "type": type_,
            "source": {"component": self._component, "host": self._host},
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "reportingComponent": self._component,
            "reportingInstance": self._instance,
        }

    # -- writing ------------------------------------------------------------------------

    async def _run(self) -> None:
        while True:
            decision = await self._queue.get()
            try:
                await self._write(decision)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # one bad event must not stop the writer
                self._log.warning(
                    "event not recorded", reason=decision.event.get("reason"), error=str(error)
                )
            finally:
                self._queue.task_done()

    async def _write(self, decision: Decision) -> None:
        event = decision.event
        namespace = event["metadata"]["namespace"]
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                if decision.kind is WriteKind.PATCH and decision.patch is not None:
                    try:
                        await self._client.patch(
                            EVENTS, event["metadata"]["name"], decision.patch, namespace
                        )
                        return
                    except NotFoundError:
                        pass  # expired or never written (queue overflow): create it whole
                # AlreadyExists: an earlier attempt got through before its reply was lost.
                with contextlib.suppress(AlreadyExistsError):
                    await self._client.create(EVENTS, event, namespace)
                return
            except (ServerError, aiohttp.ClientError, TimeoutError) as error:
                if attempt + 1 == _WRITE_ATTEMPTS:
                    raise
                self._log.debug("event write failed, retrying", error=str(error))
                await self._clock.sleep(_WRITE_BACKOFF * (attempt + 1))
