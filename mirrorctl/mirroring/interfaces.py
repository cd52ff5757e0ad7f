"""A pod's interfaces and what its labels and annotations ask of each (spec section 3)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mirrorctl.mirroring.errors import AnnotationError
from mirrorctl.mirroring.keys import (
    ANALYZER_INTERFACE,
    MIRROR_DESTINATION,
    NETWORK_STATUS,
    NETWORKS,
)
from mirrorctl.mirroring.names import (
    check_interface_name,
    check_mirror_destination_name,
    is_label_value,
)
from mirrorctl.mirroring.network_status import NetworkStatusEntry, parse_network_status
from mirrorctl.mirroring.networks import NetworkSelection, parse_networks
from mirrorctl.mirroring.quoting import shown

__all__ = [
    "DEFAULT_INTERFACE",
    "INVALID_MIRROR_DESTINATION_NAME",
    "PodInterface",
    "PodInterfaces",
    "pod_interfaces",
]

DEFAULT_INTERFACE = "eth0"
INVALID_MIRROR_DESTINATION_NAME = "InvalidMirrorDestinationName"


@dataclass(frozen=True, slots=True)
class PodInterface:
    name: str  # eth0, eth1, ... or the name a networks entry gives
    index: int  # 0 for the default interface, then 1.. in networks-list order
    network: str | None  # "namespace/name" of a secondary network; None for the default one
    analyzer: bool  # marked as an analyzer (receiver) interface
    mirror_destination: str | None  # the MirrorDestination it asks to be mirrored to

    @property
    def is_default(self) -> bool:
        return self.index == 0


@dataclass(frozen=True, slots=True)
class PodInterfaces:
    """The interfaces of one pod; ``problems`` are the annotation faults found on the way (the
    interfaces they affect are left out or left unmarked, never guessed)."""

    interfaces: tuple[PodInterface, ...]
    problems: tuple[AnnotationError, ...] = ()
    network_status: tuple[NetworkStatusEntry, ...] = ()

    def get(self, name: str) -> PodInterface | None:
        return next((i for i in self.interfaces if i.name == name), None)

    def at(self, index: int) -> PodInterface | None:
        return next((i for i in self.interfaces if i.index == index), None)

    @property
    def analyzer_interfaces(self) -> tuple[PodInterface, ...]:
        """The marked secondaries if any (the explicit mark wins), else the marked default."""
        marked = [i for i in self.interfaces if i.analyzer]
        secondaries = tuple(i for i in marked if not i.is_default)
        return secondaries or tuple(marked)

    @property
    def analyzer_mark_overridden(self) -> bool:
        """Both the default and a secondary interface are marked (the secondary is used)."""
        marked = [i for i in self.interfaces if i.analyzer]
        return any(i.is_default for i in marked) and any(not i.is_default for i in marked)

    @property
    def mirror_requests(self) -> tuple[PodInterface, ...]:
        return tuple(i for i in self.interfaces if i.mirror_destination is not None)

    def status_of(self, interface: PodInterface) -> NetworkStatusEntry | None:
        """The network-status entry describing ``interface``, if the CNI reported one."""
        for entry in self.network_status:
            if entry.interface == interface.name:
                return entry
        if interface.is_default:
            return next((e for e in self.network_status if e.default), None)
        return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, (dict, Mapping)) else {}


def _flag(value: object, where: str, problems: list[AnnotationError]) -> bool:
    if value is None or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, str) and value.strip().lower() in ("true", "false", ""):
        return value.strip().lower() == "true"
    problems.append(
        AnnotationError(
            f'{where}: {ANALYZER_INTERFACE} must be "true" or "false", got {shown(value)}'
        )
    )
    return False


def _destination(value: object, where: str, problems: list[AnnotationError]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(
            AnnotationError(f"{where}: {MIRROR_DESTINATION} must be a MirrorDestination name")
        )
        return None
    name = value.strip()
    if not name:
        return None  # an empty value withdraws the request
    try:
        return check_mirror_destination_name(name, what=f"{where}: {MIRROR_DESTINATION}")
    except ValueError as err:
        problem = str(err)
    if not is_label_value(name):
        problems.append(AnnotationError(problem, reason=INVALID_MIRROR_DESTINATION_NAME))
        return None
    # Still a request (spec section 4: the label is kept "always (while requested)", as for a
    # MirrorDestination that does not exist); only the configuration can never follow.
    problems.append(
        AnnotationError(
            f"{problem}; no MirrorDestination can have this name, so the interface is labelled "
            "but never mirrored",
            reason=INVALID_MIRROR_DESTINATION_NAME,
        )
    )
    return name


def _default_name(status: tuple[NetworkStatusEntry, ...], problems: list[AnnotationError]) -> str:
    entry = next((e for e in status if e.default and e.interface), None)
    if entry is None or entry.interface is None:
        return DEFAULT_INTERFACE
    try:
        return check_interface_name(entry.interface, what=f"annotation {NETWORK_STATUS} default")
    except ValueError as err:
        problems.append(AnnotationError(str(err)))
        return DEFAULT_INTERFACE


def _secondary(
    position: int, selection: NetworkSelection, problems: list[AnnotationError]
) -> PodInterface:
    where = f"annotation {NETWORKS} entry {position} ({selection.key})"
    args = selection.cni_args
    return PodInterface(
        name=selection.interface or f"eth{position}",
        index=position,
        network=selection.key,
        analyzer=_flag(args.get(ANALYZER_INTERFACE), f"{where} cni-args", problems),
        mirror_destination=_destination(
            args.get(MIRROR_DESTINATION), f"{where} cni-args", problems
        ),
    )


def pod_interfaces(pod: Mapping[str, Any]) -> PodInterfaces:
    """The interfaces of a raw pod. Never raises on bad annotations: they become ``problems``."""
    if _mapping(pod.get("spec")).get("hostNetwork") is True:
        return PodInterfaces(())  # no VMI exists for a host-network pod
    metadata = _mapping(pod.get("metadata"))
    annotations = _mapping(metadata.get("annotations"))
    namespace = metadata.get("namespace")
    inputs = (
        namespace if isinstance(namespace, str) and namespace else "default",
        annotations.get(NETWORK_STATUS),
        annotations.get(ANALYZER_INTERFACE),
        annotations.get(MIRROR_DESTINATION),
        annotations.get(NETWORKS),
    )
    # Every map function, index and reconcile of a pod asks again, and the sources of a
    # destination mostly carry identical annotations: cached when they are short strings.
    size = 0
    for value in inputs:
        if value is not None:
            if type(value) is not str:
                return _interfaces(*inputs)
            size += len(value)
    if size <= _CACHED_INPUT_MAX:
        return _cached_interfaces(*inputs)
    return _interfaces(*inputs)


_CACHED_INPUT_MAX = 4096  # bytes of annotation text: the cache holds at most 16 MiB of it


@functools.lru_cache(maxsize=4096)
def _cached_interfaces(
    pod_namespace: str,
    raw_status: Any,
    raw_analyzer: Any,
    raw_destination: Any,
    raw_networks: Any,
) -> PodInterfaces:
    return _interfaces(pod_namespace, raw_status, raw_analyzer, raw_destination, raw_networks)


def _interfaces(
    pod_namespace: str,
    raw_status: Any,
    raw_analyzer: Any,
    raw_destination: Any,
    raw_networks: Any,
) -> PodInterfaces:
    problems: list[AnnotationError] = []
    status: tuple[NetworkStatusEntry, ...] = ()
    if isinstance(raw_status, str):
        try:
            status = parse_network_status(raw_status)
        except AnnotationError as err:
            problems.append(err)

    default = PodInterface(
        name=_default_name(status, problems),
        index=0,
        network=None,
        analyzer=_flag(raw_analyzer, "pod annotation", problems),
        mirror_destination=_destination(raw_destination, "pod annotation", problems),
    )
    by_name = {default.name: default}
    selections: tuple[NetworkSelection, ...] = ()
    if isinstance(raw_networks, str):
        try:
            selections = parse_networks(raw_networks, pod_namespace)
        except AnnotationError as err:
            problems.append(err)
    for position, selection in enumerate(selections, start=1):
        interface = _secondary(position, selection, problems)
        clash = by_name.get(interface.name)
        if clash is not None:
            owner = "the default interface" if clash.is_default else f"entry {clash.index}"
            problems.append(
                AnnotationError(
                    f"annotation {NETWORKS} entry {position} ({selection.key}) would be "
                    f"interface {interface.name!r}, already used by {owner}; give the entry a "
                    "distinct 'interface'"
                )
            )
            continue
        by_name[interface.name] = interface
    return PodInterfaces(tuple(by_name.values()), tuple(problems), status)
