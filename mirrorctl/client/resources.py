"""Resource constants for the built-in kinds the project uses, and a builder for any other."""

from __future__ import annotations

from mirrorctl.client.resource import Resource

__all__ = [
    "CONFIGMAPS",
    "CUSTOMRESOURCEDEFINITIONS",
    "EVENTS",
    "LEASES",
    "NAMESPACES",
    "PODS",
    "SERVICEACCOUNTS",
    "resource",
]


def resource(
    group: str, version: str, plural: str, *, kind: str, namespaced: bool = True
) -> Resource:
    """A `Resource` for any group/version/plural (use "" as the group of the core API)."""
    if not version or not plural or not kind:
        raise ValueError("version, plural and kind are required")
    return Resource(group=group, version=version, plural=plural, kind=kind, namespaced=namespaced)


PODS = resource("", "v1", "pods", kind="Pod")
NAMESPACES = resource("", "v1", "namespaces", kind="Namespace", namespaced=False)
EVENTS = resource("", "v1", "events", kind="Event")
SERVICEACCOUNTS = resource("", "v1", "serviceaccounts", kind="ServiceAccount")
CONFIGMAPS = resource("", "v1", "configmaps", kind="ConfigMap")
LEASES = resource("coordination.k8s.io", "v1", "leases", kind="Lease")
CUSTOMRESOURCEDEFINITIONS = resource(
    "apiextensions.k8s.io",
    "v1",
    "customresourcedefinitions",
    kind="CustomResourceDefinition",
    namespaced=False,
)
