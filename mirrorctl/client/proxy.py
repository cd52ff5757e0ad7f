"""A proxy URL's basic-auth credentials, moved out of the URL and into a header.

aiohttp keeps the proxy URL it is given in its errors (`ClientHttpProxyError`'s message, the
`ConnectionKey` of a `ClientConnectorError`) and in `BasicAuth` reprs, and those are logged.
A URL without userinfo and a `Proxy-Authorization` header (which the client redacts from
errors) keep the password out of all of them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from yarl import URL

__all__ = ["ProxySettings", "proxy_settings"]


@dataclass(frozen=True, slots=True, repr=False)
class ProxySettings:
    url: URL  # without userinfo
    authorization: str | None  # the Proxy-Authorization value, when the URL carried a user

    def __repr__(self) -> str:
        shown = "<redacted>" if self.authorization else None
        return f"ProxySettings(url={str(self.url)!r}, authorization={shown!r})"


def proxy_settings(proxy: str) -> ProxySettings:
    url = URL(proxy)
    if url.user is None:
        return ProxySettings(url, None)
    # yarl decodes percent-escapes in userinfo, as Go's url.Parse does for client-go.
    pair = f"{url.user}:{url.password or ''}".encode()
    return ProxySettings(url.with_user(None), "Basic " + base64.b64encode(pair).decode())
