"""`Resource`: one API resource addressed by group, version and plural."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

__all__ = ["Resource"]

# Names and namespaces are DNS labels/subdomains in practice, but some kinds (RBAC) allow ':'
# and a stray '/' or '?' must never silently re-route a request.
_SAFE = ":@"
# What needs no quoting; checking is cheaper than quoting on the per-request path.
_PLAIN = re.compile(r"[A-Za-z0-9._~:@-]*\Z")


def _segment(value: str) -> str:
    return value if _PLAIN.match(value) else quote(value, safe=_SAFE)


@dataclass(frozen=True, slots=True)
class Resource:
    """A group/version/plural with the kind and scope needed to build request paths."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    # Computed once: every cache read looks its informer up by the resource, and every object
    # the reconcilers read is checked against its apiVersion.
    api_version: str = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        api_version = self.version if not self.group else f"{self.group}/{self.version}"
        object.__setattr__(self, "api_version", api_version)
        fields = (self.group, self.version, self.plural, self.kind, self.namespaced)
        object.__setattr__(self, "_hash", hash(fields))

    def __hash__(self) -> int:
        return self._hash

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    def path(
        self,
        namespace: str | None = None,
        name: str | None = None,
        subresource: str | None = None,
    ) -> str:
        """The URL path, e.g. ``/api/v1/namespaces/ns/pods/x/status``.

        A namespaced resource without a namespace addresses all namespaces (list/watch only).
        """
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if namespace is not None:
            if not self.namespaced:
                raise ValueError(f"{self.plural} is cluster-scoped; got namespace {namespace!r}")
            if not namespace:
                raise ValueError("namespace must not be empty")
            base = f"{base}/namespaces/{_segment(namespace)}"
        path = f"{base}/{self.plural}"
        if name is not None:
            if not name:
                raise ValueError("name must not be empty")
            path = f"{path}/{_segment(name)}"
        elif subresource is not None:
            raise ValueError("a subresource needs a name")
        if subresource is not None:
            path = f"{path}/{subresource}"
        return path
