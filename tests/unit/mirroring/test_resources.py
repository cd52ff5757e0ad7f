from __future__ import annotations

import dataclasses

import pytest

from mirrorctl.mirroring.resources import CONTRAIL_GROUP, contrail_resources


def test_default_version_paths_and_scopes() -> None:
    r = contrail_resources()
    assert r.mirror_destinations.path(name="md1") == (
        "/apis/core.contrail.juniper.net/v1alpha1/mirrordestinations/md1"
    )
    assert r.virtual_machine_interfaces.path("ns", "x") == (
        "/apis/core.contrail.juniper.net/v1alpha1/namespaces/ns/virtualmachineinterfaces/x"
    )
    scopes = {res.kind: res.namespaced for res in r.all()}
    assert scopes == {
        "MirrorDestination": False,
        "VirtualMachine": False,
        "VirtualMachineInterface": True,
        "InstanceIP": False,
        "VirtualNetwork": True,
        "RoutingInstance": True,
    }
    assert {res.group for res in r.all()} == {CONTRAIL_GROUP}


@pytest.mark.parametrize("version", ["v3", "v4", "v1beta2", "v1alpha1"])
def test_configurable_version(version: str) -> None:
    r = contrail_resources(version)
    assert {res.api_version for res in r.all()} == {f"{CONTRAIL_GROUP}/{version}"}


@pytest.mark.parametrize("version", ["", "1", "v0", "V1", "v1alpha", "v1/x", "v1 "])
def test_rejects_non_api_versions(version: str) -> None:
    with pytest.raises(ValueError, match="not a Kubernetes API version"):
        contrail_resources(version)


def test_frozen() -> None:
    r = contrail_resources()
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.mirror_destinations = r.virtual_machines  # type: ignore[misc]
