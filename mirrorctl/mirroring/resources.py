"""API resources of the Contrail kinds, for a configurable API version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from mirrorctl.client.resource import Resource

__all__ = [
    "CONTRAIL_GROUP",
    "DEFAULT_CONTRAIL_VERSION",
    "ContrailResources",
    "contrail_resources",
]

CONTRAIL_GROUP: Final = "core.contrail.juniper.net"
# CN2 22.x serves v1alpha1; later releases moved some kinds to v3/v4, hence a setting.
DEFAULT_CONTRAIL_VERSION: Final = "v1alpha1"
_VERSION = re.compile(r"v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?")


@dataclass(frozen=True, slots=True)
class ContrailResources:
    """The Contrail kinds mirrorctl reads or writes, all at one API version."""

    mirror_destinations: Resource
    virtual_machines: Resource
    virtual_machine_interfaces: Resource
    instance_ips: Resource
    virtual_networks: Resource
    routing_instances: Resource

    def all(self) -> tuple[Resource, ...]:
        return (
            self.mirror_destinations,
            self.virtual_machines,
            self.virtual_machine_interfaces,
            self.instance_ips,
            self.virtual_networks,
            self.routing_instances,
        )


def contrail_resources(version: str = DEFAULT_CONTRAIL_VERSION) -> ContrailResources:
    """The Contrail resources at ``version`` (a Kubernetes API version such as ``v1alpha1``)."""
    if not _VERSION.fullmatch(version):
        raise ValueError(
            f"Contrail API version {version!r} is not a Kubernetes API version "
            "(expected e.g. v1alpha1, v3 or v4)"
        )

    def make(plural: str, kind: str, *, namespaced: bool) -> Resource:
        return Resource(CONTRAIL_GROUP, version, plural, kind, namespaced)

    return ContrailResources(
        mirror_destinations=make("mirrordestinations", "MirrorDestination", namespaced=False),
        virtual_machines=make("virtualmachines", "VirtualMachine", namespaced=False),
        virtual_machine_interfaces=make(
            "virtualmachineinterfaces", "VirtualMachineInterface", namespaced=True
        ),
        instance_ips=make("instanceips", "InstanceIP", namespaced=False),
        virtual_networks=make("virtualnetworks", "VirtualNetwork", namespaced=True),
        routing_instances=make("routinginstances", "RoutingInstance", namespaced=True),
    )
