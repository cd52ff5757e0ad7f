"""A MirrorDestination's receiver, resolved from what the cache holds right now."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mirrorctl.mirroring.configuration import MirroringConfiguration
from mirrorctl.mirroring.configure import build_configuration
from mirrorctl.mirroring.destination import MirrorDestination, parse_mirror_destination
from mirrorctl.mirroring.errors import SpecError
from mirrorctl.mirroring.pods import pod_identity
from mirrorctl.mirroring.resolution import (
    Receiver,
    Resolution,
    Resolved,
    Unresolved,
    resolve_receiver,
)
from mirrorctl.reconcilers.view import MirroringView, object_key

__all__ = ["DestinationOutcome", "DestinationResolver", "resolve_destination"]


@dataclass(frozen=True, slots=True)
class DestinationOutcome:
    destination: MirrorDestination | None  # None when the object is invalid
    resolution: Resolution
    # What every source of the destination carries (self-mirroring aside); None unless
    # valid and resolved.
    configuration: MirroringConfiguration | None = field(default=None, compare=False)

    @classmethod
    def of(
        cls, destination: MirrorDestination | None, resolution: Resolution
    ) -> DestinationOutcome:
        configuration = None
        if destination is not None and isinstance(resolution, Resolved):
            configuration = build_configuration(destination, resolution.receiver)
        return cls(destination, resolution, configuration)

    @property
    def receiver(self) -> Receiver | None:
        """Where the sources send copies; None unless valid and resolved."""
        return self.resolution.receiver if isinstance(self.resolution, Resolved) else None


@dataclass(frozen=True, slots=True)
class _Inputs:
    """The cluster objects a destination's receiver is resolved from."""

    pods: list[dict[str, Any]]
    vms: list[dict[str, Any]]
    vmis: list[dict[str, Any]]
    instance_ips: list[dict[str, Any]]

    def objects(self) -> Iterable[Mapping[str, Any]]:
        yield from self.pods
        yield from self.vms
        yield from self.vmis
        yield from self.instance_ips


def _gather(view: MirroringView, destination: MirrorDestination) -> _Inputs:
    """Reads only what the indexes lead to: the pods the selector matches and their VMs, VMIs
    and InstanceIPs."""
    pods: list[dict[str, Any]] = []
    vms: list[dict[str, Any]] = []
    vmis: list[dict[str, Any]] = []
    instance_ips: dict[str, dict[str, Any]] = {}
    if not destination.spec.external_analyzer and destination.selector is not None:
        pods = view.analyzer_pods(destination.selector)
        for pod in pods:
            namespace, name, _ = pod_identity(pod)
            vms.extend(view.machines_of_pod(namespace, name))
            vmis.extend(view.interfaces_of_pod(namespace, name))
        for vmi in vmis:
            for iip in view.instance_ips_of(vmi):
                instance_ips.setdefault(object_key(iip), iip)
    return _Inputs(pods, vms, vmis, list(instance_ips.values()))


def _resolve(
    destination: MirrorDestination, inputs: _Inputs, cluster_name: str | None
) -> DestinationOutcome:
    resolution = resolve_receiver(
        destination,
        pods=inputs.pods,
        vmis=inputs.vmis,
        instance_ips=inputs.instance_ips,
        vms=inputs.vms,
        cluster_name=cluster_name,
    )
    return DestinationOutcome.of(destination, resolution)


def resolve_destination(
    view: MirroringView, obj: dict[str, Any], *, cluster_name: str | None = None
) -> DestinationOutcome:
    """Validate the MirrorDestination ``obj`` and resolve its receiver."""
    try:
        destination = parse_mirror_destination(obj)
    except SpecError as err:
        return DestinationOutcome.of(None, Unresolved.from_error(err))
    return _resolve(destination, _gather(view, destination), cluster_name)


_Version = tuple[str, object, object]


def _version(obj: Mapping[str, Any]) -> _Version | None:
    """An object's identity and version; None when it has no resourceVersion to go by."""
    metadata = obj.get("metadata")
    meta: Mapping[str, Any] = metadata if isinstance(metadata, (dict, Mapping)) else {}
    version = meta.get("resourceVersion")
    return None if not version else (object_key(obj), meta.get("uid"), version)


@dataclass(frozen=True, slots=True)
class _Memo:
    version: _Version
    parsed: MirrorDestination | DestinationOutcome  # an outcome when the object is invalid
    inputs: tuple[_Version | None, ...] = ()
    outcome: DestinationOutcome | None = None


class DestinationResolver:
    """`resolve_destination`, remembering each destination's outcome for as long as neither it
    nor any object it was resolved from has a new resourceVersion: all sources of a destination
    ask for the same answer, and a fan-out asks once per source. Still level-triggered: the
    inputs are read from the cache on every call; only the parsing and resolving are saved.

    ``notified``: every change of the cache that can alter a destination's inputs calls
    `forget` for it (or `forget_all`) before any reconcile runs, as `setup_mirroring` has the
    destination controller's event handlers do. The inputs are then not read again while a
    destination keeps its resourceVersion: in a fan-out, reading them costs more than all
    the rest of a source's reconcile but its write.
    """

    def __init__(
        self,
        view: MirroringView,
        *,
        cluster_name: str | None = None,
        limit: int = 4096,
        notified: bool = False,
    ) -> None:
        self._view = view
        self._cluster_name = cluster_name
        self._limit = limit
        self._notified = notified
        self._memo: dict[str, _Memo] = {}

    def forget(self, name: str) -> None:
        """The inputs of the destination ``name`` may have changed."""
        self._memo.pop(name, None)

    def forget_all(self) -> None:
        self._memo.clear()

    def resolve(self, obj: dict[str, Any]) -> DestinationOutcome:
        version = _version(obj)
        if version is None:
            return resolve_destination(self._view, obj, cluster_name=self._cluster_name)
        name = version[0]
        memo = self._memo.get(name)
        if memo is None or memo.version != version:
            try:
                memo = _Memo(version, parse_mirror_destination(obj))
            except SpecError as err:
                memo = _Memo(version, DestinationOutcome.of(None, Unresolved.from_error(err)))
        if isinstance(memo.parsed, DestinationOutcome):
            self._remember(name, memo)
            return memo.parsed
        if self._notified and memo.outcome is not None:
            return memo.outcome
        inputs = _gather(self._view, memo.parsed)
        versions = tuple(_version(o) for o in inputs.objects())
        if memo.outcome is not None and memo.inputs == versions and None not in versions:
            return memo.outcome
        outcome = _resolve(memo.parsed, inputs, self._cluster_name)
        self._remember(name, _Memo(version, memo.parsed, versions, outcome))
        return outcome

    def _remember(self, name: str, memo: _Memo) -> None:
        self._memo.pop(name, None)
        self._memo[name] = memo
        while len(self._memo) > self._limit:
            del self._memo[next(iter(self._memo))]
