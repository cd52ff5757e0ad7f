"""`ClientConfig`: where the apiserver is and how to reach it (never logs secrets)."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from mirrorctl.client.credentials import Credentials, StaticCredentials

__all__ = ["ClientConfig"]


def _shown(url: str | None) -> str | None:
    """`url` with the password of its userinfo (proxy basic auth) redacted."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return parts._replace(netloc=f"{user}:<redacted>@{host}").geturl()


@dataclass(frozen=True, slots=True, repr=False)
class ClientConfig:
    """Connection settings; build one with `mirrorctl.client.loading` or by hand.

    `qps`/`burst` enable the client-side token bucket (off when `qps` is `None`).
    `max_retries` bounds the Retry-After driven retries of one request.
    """

    host: str
    credentials: Credentials = field(default_factory=lambda: StaticCredentials(None))
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    verify_ssl: bool = True
    tls_server_name: str | None = None
    proxy: str | None = None
    # client-go's DisableCompression: do not ask for gzip. Compressing a large list costs the
    # apiserver (and decompressing it the client) more CPU than a fast network saves.
    disable_compression: bool = False
    user_agent: str = "mirrorctl"
    request_timeout: float = 60.0
    connect_timeout: float = 10.0
    max_retries: int = 10
    max_connections: int = 100
    qps: float | None = None
    burst: int = 10
    # How long a watch that receives events in quick succession may hold back reading, to
    # read them in batches (see `mirrorctl.client.read_hold`); 0 reads every event at once.
    watch_hold: float = 0.02

    def __post_init__(self) -> None:
        parts = urlsplit(self.host)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"host must be an http(s) URL, got {self.host!r}")
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.qps is not None and (self.qps <= 0 or self.burst < 1):
            raise ValueError("qps must be > 0 and burst >= 1")
        if not 0 <= self.watch_hold <= 1:
            raise ValueError("watch_hold must be between 0 and 1 second")

    def __repr__(self) -> str:
        # Paths to key material are fine to show; the credentials repr redacts the token, and
        # a URL's password (proxy basic auth) is redacted here.
        return (
            f"ClientConfig(host={_shown(self.host)!r}, credentials={self.credentials!r}, "
            f"ca_file={self.ca_file!r}, cert_file={self.cert_file!r}, "
            f"key_file={self.key_file!r}, verify_ssl={self.verify_ssl}, "
            f"tls_server_name={self.tls_server_name!r}, proxy={_shown(self.proxy)!r}, "
            f"disable_compression={self.disable_compression}, "
            f"qps={self.qps}, burst={self.burst})"
        )

    @property
    def base_url(self) -> str:
        return self.host.rstrip("/")

    @property
    def host_label(self) -> str:
        """The `host` label of the client metrics (host:port, as client-go reports it)."""
        return urlsplit(self.host).netloc

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for an https host (reads the CA and client key pair from disk)."""
        if urlsplit(self.host).scheme != "https":
            return None
        # OpenSSL's messages ("[SSL] PEM lib") say neither what failed nor where.
        try:
            context = ssl.create_default_context(cafile=self.ca_file)
        except ssl.SSLError as error:
            raise ValueError(
                f"the certificate authority is not a PEM certificate: {error.reason or error}"
            ) from None
        if self.cert_file:
            try:
                context.load_cert_chain(self.cert_file, keyfile=self.key_file)
            except ssl.SSLError as error:
                raise ValueError(
                    "the client certificate and key are not a usable PEM pair: "
                    f"{error.reason or error}"
                ) from None
        if not self.verify_ssl:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context
