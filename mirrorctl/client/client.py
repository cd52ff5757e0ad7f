"""`Client`: a raw-dict async Kubernetes client on one aiohttp session."""

from __future__ import annotations

import os
import ssl
import time
import weakref
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from mirrorctl.client.config import ClientConfig
from mirrorctl.client.credentials import ClientCertificate, Credentials
from mirrorctl.client.decode import loads_bulk
from mirrorctl.client.errors import error_from_response
from mirrorctl.client.http1_parser import Reply
from mirrorctl.client.http1_pool import Http1Pool
from mirrorctl.client.json_codec import dumps, loads
from mirrorctl.client.key_material import load_key_pair
from mirrorctl.client.limiter import RequestLimiter, TokenBucketLimiter
from mirrorctl.client.loading import load_in_cluster, load_kubeconfig
from mirrorctl.client.observer import TRANSPORT_ERROR_CODE, RequestObserver
from mirrorctl.client.patch import PatchType
from mirrorctl.client.proxy import proxy_settings
from mirrorctl.client.resource import Resource
from mirrorctl.client.retry import parse_retry_after, retry_delay
from mirrorctl.client.watch import WatchStream
from mirrorctl.clock import Clock, RealClock

__all__ = ["Client"]

_JSON = "application/json"
# A watch with a server-side timeout gets this long past it before a silent connection
# (no bytes, not even the server closing it) is treated as dead.
_WATCH_READ_GRACE = 30.0

Body = Mapping[str, Any] | list[Any]


class _Response(Protocol):
    """What `Client._send` needs of a response: an `aiohttp.ClientResponse` (watches) or an
    `Http1Pool` `Reply` (everything else)."""

    @property
    def status(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    async def read(self) -> bytes: ...

    def release(self) -> Any: ...


_R = TypeVar("_R", bound=_Response)


def _query(params: Mapping[str, str | int | None]) -> str:
    present = {k: v for k, v in params.items() if v is not None}
    return "?" + urlencode(present) if present else ""


def _metadata(body: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = body.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _stale_connection(error: BaseException, *, method: str) -> bool:
    """Whether ``error`` says a reused connection was dead before the request got through.

    A failed write of the request (``ClientConnectionResetError``, possibly wrapped in a
    ``ClientOSError``) means the server saw nothing. A disconnect without a response may come
    after the server acted on the request: only a GET is repeated then, as client-go and Go's
    transport do (a DELETE or PUT sent again would turn its success into NotFound/Conflict).
    """
    chain = (error, error.__cause__)
    if any(isinstance(e, aiohttp.ClientConnectionResetError) for e in chain):
        return True
    return method == "GET" and isinstance(error, aiohttp.ServerDisconnectedError)


def _drop_credentials(error: aiohttp.ClientResponseError) -> None:
    """Take the credentials out of the request headers ``error`` carries: aiohttp raises it for
    a response it cannot parse (or a proxy's refusal), and its repr, what error logs show,
    prints them."""
    info = error.request_info
    headers = CIMultiDict(info.headers)
    for name in ("Authorization", "Proxy-Authorization"):
        if name in headers:
            headers[name] = "<redacted>"
    error.request_info = aiohttp.RequestInfo(
        info.url, info.method, CIMultiDictProxy(headers), info.real_url
    )


class Client:
    """Kubernetes API client on raw dicts.

    Objects go in as dicts (serialised with orjson) and come out as dicts. Failures raise the
    `mirrorctl.client.errors` tree. A 429 carrying Retry-After (and a 5xx carrying it, for
    requests that are safe to repeat) is retried after the server's delay, at most
    `config.max_retries` times; a 401 with refreshable credentials refreshes them and retries
    once. Transport failures surface as `aiohttp.ClientError` / `TimeoutError`.

    Build it inside a running event loop (the async constructors are the usual way) and
    `close` it when done.
    """

    def __init__(
        self,
        config: ClientConfig,
        *,
        metrics: RequestObserver | None = None,
        limiter: RequestLimiter | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._config = config
        self._base = config.base_url
        self._host = config.host_label
        self._credentials: Credentials = config.credentials
        self._metrics = metrics
        self._clock: Clock = clock if clock is not None else RealClock()
        if limiter is None and config.qps is not None:
            limiter = TokenBucketLimiter(config.qps, config.burst, clock=self._clock)
        self._limiter = limiter
        self._max_retries = config.max_retries
        # Never follow redirects: the Authorization header must not go anywhere but the host.
        self._extra: dict[str, Any] = {"allow_redirects": False}
        if config.tls_server_name:
            self._extra["server_hostname"] = config.tls_server_name
        self._proxy_headers: dict[str, str] = {}
        if config.proxy:
            proxy = proxy_settings(config.proxy)
            self._extra["proxy"] = proxy.url
            if proxy.authorization is not None:
                # An https request reaches the apiserver through a CONNECT, which carries
                # proxy_headers; a plain-http one is sent to the proxy itself.
                self._extra["proxy_headers"] = {"Proxy-Authorization": proxy.authorization}
                if URL(config.base_url).scheme == "http":
                    self._proxy_headers = {"Proxy-Authorization": proxy.authorization}
        self._watch_connect = config.connect_timeout
        self._request_timeout = config.request_timeout
        ssl_context = config.ssl_context()
        # Plain requests go over `Http1Pool` (about two thirds of the CPU of aiohttp's client
        # per request, B5); watches stream over aiohttp, and so does everything when a proxy is
        # configured.
        self._pool = (
            None
            if config.proxy
            else Http1Pool(
                config.base_url,
                ssl_context=ssl_context,
                server_hostname=config.tls_server_name,
                limit=config.max_connections,
                connect_timeout=config.connect_timeout,
                default_headers={
                    "User-Agent": config.user_agent,
                    "Accept": _JSON,
                    **({} if config.disable_compression else {"Accept-Encoding": "gzip"}),
                },
            )
        )
        self._ssl_context = ssl_context
        # The key pair the TLS context holds, when the credentials hand out rotating ones. The
        # config's cert_file holds the pair of when it was loaded: a client built later from
        # the same config (the leader election's) shares credentials another client may have
        # renewed since, so the context takes the credentials' current pair.
        certificate: ClientCertificate | None = getattr(
            self._credentials, "client_certificate", None
        )
        if certificate is not None and ssl_context is not None:
            load_key_pair(ssl_context, certificate.certificate, certificate.key)
        self._client_certificate = certificate
        self._session = self._new_session()
        self._watches: weakref.WeakSet[WatchStream] = weakref.WeakSet()

    def _new_session(self) -> aiohttp.ClientSession:
        config = self._config
        # With the pool taking the requests, the session carries only watches, each holding
        # its connection for minutes: under a limit, the watch of the 101st informer would
        # wait for a connection for good (client-go sets no limit either).
        limit = 0 if self._pool is not None else config.max_connections
        connector = aiohttp.TCPConnector(ssl=self._ssl_context or True, limit=limit)
        return aiohttp.ClientSession(
            connector=connector,
            trust_env=False,
            headers={"User-Agent": config.user_agent, "Accept": _JSON, **self._proxy_headers},
            timeout=aiohttp.ClientTimeout(
                total=config.request_timeout, sock_connect=config.connect_timeout
            ),
            raise_for_status=False,
            skip_auto_headers=("Accept-Encoding",) if config.disable_compression else (),
        )

    def __repr__(self) -> str:
        return f"Client({self._config!r})"

    # -- construction -------------------------------------------------------------------

    @classmethod
    async def from_config(
        cls,
        config: ClientConfig,
        *,
        metrics: RequestObserver | None = None,
        limiter: RequestLimiter | None = None,
    ) -> Client:
        return cls(config, metrics=metrics, limiter=limiter)

    @classmethod
    async def from_kubeconfig(
        cls,
        path: str | os.PathLike[str] | None = None,
        context: str | None = None,
        *,
        metrics: RequestObserver | None = None,
        limiter: RequestLimiter | None = None,
        **options: Any,
    ) -> Client:
        """A client from a kubeconfig ($KUBECONFIG or ~/.kube/config when `path` is None);
        `options` set other `ClientConfig` fields (qps, burst, request_timeout...)."""
        config = await load_kubeconfig(path, context, **options)
        return cls(config, metrics=metrics, limiter=limiter)

    @classmethod
    async def in_cluster(
        cls,
        *,
        metrics: RequestObserver | None = None,
        limiter: RequestLimiter | None = None,
        **options: Any,
    ) -> Client:
        config = await load_in_cluster(**options)
        return cls(config, metrics=metrics, limiter=limiter)

    @property
    def config(self) -> ClientConfig:
        return self._config

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        await self._session.close()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- transport ----------------------------------------------------------------------

    def _observe(self, method: str, code: int | str, started: float) -> None:
        if self._metrics is not None:
            self._metrics.observe(method, code, self._host, time.perf_counter() - started)

    async def _take_client_certificate(self) -> None:
        """When the credentials hand out another pair: the new client certificate is used from
        now on, and no connection authenticated with the old one takes another request. As
        client-go does, watches on them are cut too; informers resume them on new connections."""
        certificate: ClientCertificate | None = getattr(
            self._credentials, "client_certificate", None
        )
        previous, self._client_certificate = self._client_certificate, certificate
        if certificate is None or certificate == previous:
            return
        if not isinstance(self._ssl_context, ssl.SSLContext):
            return  # plain http: no handshake to present it in
        load_key_pair(self._ssl_context, certificate.certificate, certificate.key)
        if self._pool is not None:
            self._pool.retire_connections()
        for stream in list(self._watches):
            stream.interrupt(aiohttp.ClientConnectionError("the client certificate was rotated"))
        retired, self._session = self._session, self._new_session()
        await retired.close()

    async def _send(
        self,
        method: str,
        attempt: Callable[[dict[str, str]], Awaitable[_R]],
        content_type: str | None = None,
        *,
        idempotent: bool,
    ) -> tuple[_R, float]:
        """Call ``attempt`` with the request's headers (credentials, content type) until a 2xx
        comes back (returned unread, with its start time) or an error is final (raised).
        Retries follow Retry-After; a 401 forces one credential refresh."""
        attempt_number = 0
        reauthenticated = False
        stale_retried = False
        credentials = self._credentials
        while True:
            if self._limiter is not None:
                await self._limiter.acquire()
            if credentials.stale():
                await credentials.refresh()
            # Compared on every request, not only after a refresh of ours: the credentials may
            # be shared with another client whose refresh rotated the certificate.
            if getattr(credentials, "client_certificate", None) is not self._client_certificate:
                await self._take_client_certificate()
            headers = {}
            authorization = credentials.authorization
            certificate = self._client_certificate
            if authorization is not None:
                headers["Authorization"] = authorization
            if content_type is not None:
                headers["Content-Type"] = content_type
            started = time.perf_counter()
            try:
                response = await attempt(headers)
            except BaseException as error:
                self._observe(method, TRANSPORT_ERROR_CODE, started)
                if not stale_retried and _stale_connection(error, method=method):
                    # A pooled keep-alive connection the server had closed (it restarted, or
                    # timed the connection out): one more try on a fresh one, as Go's
                    # transport does, for a GET or a request nothing of which was sent.
                    stale_retried = True
                    continue
                if isinstance(error, aiohttp.ClientResponseError):
                    _drop_credentials(error)
                raise
            status = response.status
            if status < 300:
                return response, started
            try:
                body = await response.read()
            finally:
                response.release()
            self._observe(method, status, started)
            retry_after = parse_retry_after(response.headers.get("retry-after"), time.time())
            if status == 401 and credentials.refreshable and not reauthenticated:
                reauthenticated = True
                # As client-go's maybeRefreshCreds: only the credentials this request carried
                # are refreshed. When another request's 401 replaced them since it was sent,
                # sending it again with the new ones is enough; a burst of 401s straddling a
                # renewal must not run an exec plugin once more per late reply.
                if credentials.authorization == authorization and (
                    getattr(credentials, "client_certificate", None) == certificate
                ):
                    await credentials.refresh(force=True)
                continue
            delay = retry_delay(status, retry_after, idempotent=idempotent)
            if delay is not None and attempt_number < self._max_retries:
                attempt_number += 1
                await self._clock.sleep(delay)
                continue
            raise error_from_response(status, body, retry_after)

    async def _request(
        self,
        method: str,
        path: str,
        query: str = "",
        body: Body | None = None,
        content_type: str | None = None,
        *,
        idempotent: bool,
    ) -> bytes:
        data = None
        if body is not None:
            data = dumps(body)
            if content_type is None:
                content_type = _JSON
        pool = self._pool
        if pool is not None:
            target = path + query
            timeout = self._request_timeout

            def plain(headers: dict[str, str]) -> Awaitable[Reply]:
                return pool.request(method, target, headers, data, timeout=timeout)

            reply, started = await self._send(method, plain, content_type, idempotent=idempotent)
            self._observe(method, reply.status, started)
            return reply.body
        url = URL(self._base + path + query, encoded=True)

        def proxied(headers: dict[str, str]) -> Awaitable[aiohttp.ClientResponse]:
            return self._session.request(method, url, data=data, headers=headers, **self._extra)

        response, started = await self._send(method, proxied, content_type, idempotent=idempotent)
        try:
            payload = await response.read()
        except BaseException:
            response.close()
            self._observe(method, TRANSPORT_ERROR_CODE, started)
            raise
        response.release()
        self._observe(method, response.status, started)
        return payload

    async def _request_json(
        self,
        method: str,
        path: str,
        query: str = "",
        body: Body | None = None,
        content_type: str | None = None,
        *,
        idempotent: bool,
    ) -> dict[str, Any]:
        data = await self._request(method, path, query, body, content_type, idempotent=idempotent)
        result: dict[str, Any] = loads(data)
        return result

    # -- verbs --------------------------------------------------------------------------

    async def get(
        self,
        resource: Resource,
        name: str,
        namespace: str | None = None,
        *,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        return await self._request_json(
            "GET", resource.path(namespace, name, subresource), idempotent=True
        )

    async def list_raw(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> bytes:
        """The List response body, unparsed (for callers that parse in bulk themselves)."""
        query = _query(
            {
                "labelSelector": label_selector,
                "fieldSelector": field_selector,
                "limit": limit,
                "continue": continue_,
                "resourceVersion": resource_version,
                "resourceVersionMatch": resource_version_match,
            }
        )
        return await self._request("GET", resource.path(namespace), query, idempotent=True)

    async def list(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> dict[str, Any]:
        """The List object (``items``, ``metadata.resourceVersion``, ``metadata.continue``)."""
        data = await self.list_raw(
            resource,
            namespace,
            label_selector=label_selector,
            field_selector=field_selector,
            limit=limit,
            continue_=continue_,
            resource_version=resource_version,
            resource_version_match=resource_version_match,
        )
        result: dict[str, Any] = loads_bulk(data)
        return result

    def watch(
        self,
        resource: Resource,
        namespace: str | None = None,
        *,
        resource_version: str | None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: int | None = None,
        allow_bookmarks: bool = True,
    ) -> WatchStream:
        """Watch from `resource_version`; see `WatchStream`. An ERROR event raises
        (`GoneError` for 410: relist). With `timeout_seconds` the server ends the stream."""
        query = _query(
            {
                "watch": "true",
                "resourceVersion": resource_version,
                "allowWatchBookmarks": "true" if allow_bookmarks else None,
                "timeoutSeconds": timeout_seconds,
                "labelSelector": label_selector,
                "fieldSelector": field_selector,
            }
        )
        url = URL(self._base + resource.path(namespace) + query, encoded=True)
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self._watch_connect,
            sock_read=None if timeout_seconds is None else timeout_seconds + _WATCH_READ_GRACE,
        )

        extra = {**self._extra, "timeout": timeout}

        def attempt(headers: dict[str, str]) -> Awaitable[aiohttp.ClientResponse]:
            return self._session.request("GET", url, headers=headers, **extra)

        async def open_response() -> aiohttp.ClientResponse:
            response, started = await self._send("GET", attempt, idempotent=True)
            # A watch's latency is the time to its first byte, as client-go reports it.
            self._observe("GET", response.status, started)
            return response

        stream = WatchStream(open_response, hold=self._config.watch_hold)
        self._watches.add(stream)
        return stream

    async def create(
        self,
        resource: Resource,
        body: Mapping[str, Any],
        namespace: str | None = None,
        *,
        field_manager: str | None = None,
        subresource: str | None = None,
    ) -> dict[str, Any]:
        """POST `body`; the namespace defaults to the body's ``metadata.namespace``. With a
        `subresource` (``eviction``, ``token``...) it is posted to that subresource of the
        object named by the body's ``metadata.name``."""
        metadata = _metadata(body)
        if namespace is None and resource.namespaced:
            namespace = metadata.get("namespace")
            if not namespace:
                raise ValueError(f"creating a {resource.kind} needs a namespace")
        name = None
        if subresource is not None:
            name = metadata.get("name")
            if not name:
                raise ValueError("posting to a subresource needs metadata.name")
        return await self._request_json(
            "POST",
            resource.path(namespace, name, subresource),
            _query({"fieldManager": field_manager}),
            body,
            idempotent=False,
        )

    async def replace(
        self,
        resource: Resource,
        body: Mapping[str, Any],
        *,
        subresource: str | None = None,
        field_manager: str | None = None,
    ) -> dict[str, Any]:
        """PUT `body` at its own name/namespace. With ``metadata.resourceVersion`` set the
        write only succeeds against that version; otherwise `ConflictError`."""
        metadata = _metadata(body)
        name = metadata.get("name")
        if not name:
            raise ValueError("replace needs metadata.name")
        namespace = metadata.get("namespace") if resource.namespaced else None
        if resource.namespaced and not namespace:
            raise ValueError(f"replacing a {resource.kind} needs metadata.namespace")
        return await self._request_json(
            "PUT",
            resource.path(namespace, name, subresource),
            _query({"fieldManager": field_manager}),
            body,
            idempotent=True,
        )

    async def patch(
        self,
        resource: Resource,
        name: str,
        body: Body,
        namespace: str | None = None,
        *,
        patch_type: PatchType = PatchType.MERGE,
        subresource: str | None = None,
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> dict[str, Any]:
        """PATCH; server-side apply (`PatchType.APPLY`) needs `field_manager` and may `force`
        ownership of conflicting fields."""
        result: dict[str, Any] = loads(
            await self.patch_raw(
                resource,
                name,
                body,
                namespace,
                patch_type=patch_type,
                subresource=subresource,
                field_manager=field_manager,
                force=force,
            )
        )
        return result

    async def patch_raw(
        self,
        resource: Resource,
        name: str,
        body: Body,
        namespace: str | None = None,
        *,
        patch_type: PatchType = PatchType.MERGE,
        subresource: str | None = None,
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> bytes:
        """`patch`, returning the object the apiserver answered with as its JSON, undecoded,
        for a caller that keeps the answer only in case it is needed and seldom needs it:
        decoding an object of a few KB is a good part of a small request's CPU."""
        if patch_type is PatchType.APPLY:
            if not field_manager:
                raise ValueError("server-side apply needs a field_manager")
        elif force is not None:
            raise ValueError("force only applies to server-side apply")
        if patch_type is PatchType.JSON and not isinstance(body, list):
            raise TypeError("a JSON patch is a list of operations")
        query = (
            _query(
                {
                    "fieldManager": field_manager,
                    "force": None if force is None else ("true" if force else "false"),
                }
            )
            if field_manager is not None or force is not None
            else ""
        )
        return await self._request(
            "PATCH",
            resource.path(namespace, name, subresource),
            query,
            body,
            patch_type.value,
            idempotent=patch_type.idempotent,
        )

    async def delete(
        self,
        resource: Resource,
        name: str,
        namespace: str | None = None,
        *,
        propagation_policy: str | None = None,
        grace_period_seconds: int | None = None,
        preconditions: Mapping[str, str] | None = None,
    ) -> dict[str, Any] | None:
        """DELETE; returns the object as the server left it (finalizers pending, or its last
        state) or the `Status` it sent, `None` for an empty reply."""
        options: dict[str, Any] = {}
        if propagation_policy is not None:
            options["propagationPolicy"] = propagation_policy
        if grace_period_seconds is not None:
            options["gracePeriodSeconds"] = grace_period_seconds
        if preconditions is not None:
            options["preconditions"] = dict(preconditions)
        body = {"kind": "DeleteOptions", "apiVersion": "v1", **options} if options else None
        data = await self._request(
            "DELETE", resource.path(namespace, name), "", body, idempotent=True
        )
        if not data:
            return None
        result: dict[str, Any] = loads(data)
        return result
