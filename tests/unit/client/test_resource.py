from __future__ import annotations

import dataclasses
import pickle

import pytest

from mirrorctl.client.resource import Resource
from mirrorctl.client.resources import (
    CONFIGMAPS,
    CUSTOMRESOURCEDEFINITIONS,
    EVENTS,
    LEASES,
    NAMESPACES,
    PODS,
    SERVICEACCOUNTS,
    resource,
)

MIRRORS = resource("mirroring.example.com", "v1alpha1", "mirrordestinations", kind="MD")


def test_core_namespaced_paths() -> None:
    assert PODS.path() == "/api/v1/pods"
    assert PODS.path("ns") == "/api/v1/namespaces/ns/pods"
    assert PODS.path("ns", "p") == "/api/v1/namespaces/ns/pods/p"
    assert PODS.path("ns", "p", "status") == "/api/v1/namespaces/ns/pods/p/status"


def test_group_paths() -> None:
    assert LEASES.path("kube-system", "l") == (
        "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l"
    )
    assert MIRRORS.path(None) == "/apis/mirroring.example.com/v1alpha1/mirrordestinations"
    assert MIRRORS.path("a", "b", "status") == (
        "/apis/mirroring.example.com/v1alpha1/namespaces/a/mirrordestinations/b/status"
    )


def test_cluster_scoped_paths() -> None:
    assert NAMESPACES.path() == "/api/v1/namespaces"
    assert NAMESPACES.path(name="x", subresource="finalize") == "/api/v1/namespaces/x/finalize"
    assert CUSTOMRESOURCEDEFINITIONS.path(name="a.b.c") == (
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/a.b.c"
    )


def test_namespace_on_cluster_scoped_resource_is_refused() -> None:
    with pytest.raises(ValueError, match="cluster-scoped"):
        NAMESPACES.path("ns", "x")


@pytest.mark.parametrize(
    ("namespace", "name", "subresource"),
    [("", "x", None), ("ns", "", None), ("ns", None, "status")],
)
def test_malformed_addresses_are_refused(
    namespace: str, name: str | None, subresource: str | None
) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - several distinct messages
        PODS.path(namespace, name, subresource)


def test_names_cannot_escape_their_path_segment() -> None:
    assert CONFIGMAPS.path("ns", "a/b?c") == "/api/v1/namespaces/ns/configmaps/a%2Fb%3Fc"
    rbac = resource("rbac.authorization.k8s.io", "v1", "clusterroles", kind="CR", namespaced=False)
    assert rbac.path(name="system:controller:x").endswith("/clusterroles/system:controller:x")


def test_api_version_and_kinds() -> None:
    assert PODS.api_version == "v1"
    assert LEASES.api_version == "coordination.k8s.io/v1"
    assert EVENTS.list_kind == "EventList"
    assert SERVICEACCOUNTS.kind == "ServiceAccount"
    assert SERVICEACCOUNTS.namespaced


def test_resource_is_a_hashable_value() -> None:
    same = Resource("", "v1", "pods", "Pod", True)
    assert same == PODS
    assert {PODS: 1}[same] == 1
    # What it computes once is no part of its value.
    other = dataclasses.replace(PODS, plural="podz")
    assert other != PODS
    assert other.api_version == "v1"
    assert "api_version" not in repr(PODS)
    assert pickle.loads(pickle.dumps(PODS)) == PODS
    assert hash(pickle.loads(pickle.dumps(PODS))) == hash(PODS)


def test_builder_requires_version_plural_and_kind() -> None:
    with pytest.raises(ValueError, match="required"):
        resource("g", "", "things", kind="Thing")
