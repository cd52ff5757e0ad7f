"""``mirrorctl explain POD``: for each interface of a pod, the chain from the pod to the analyzer
that receives its copies, what the VMI carries, and what the controller would change now."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from mirrorctl.cli.explain_dryrun import DryRun
from mirrorctl.cli.explain_model import (
    InterfaceExplanation,
    InterfaceState,
    Link,
    Mark,
    OwnedKeys,
    PlannedWrite,
    PodExplanation,
    ReceiverExplanation,
    first_broken,
)
from mirrorctl.cli.explain_receiver import explain_receiver
from mirrorctl.mirroring.contrail import kube_manager_pod
from mirrorctl.mirroring.interfaces import PodInterface, pod_interfaces
from mirrorctl.mirroring.keys import (
    ANALYZER_INTERFACE,
    ANALYZER_POD,
    KUBE_MANAGER_POD_CLUSTER_NAME,
    KUBE_MANAGER_POD_NAME,
    MIRROR_DESTINATION,
    MIRRORING_CONFIGURATION,
)
from mirrorctl.mirroring.matching import pod_vm, pod_vmis
from mirrorctl.mirroring.pods import pod_identity
from mirrorctl.mirroring.resolution import Resolved
from mirrorctl.mirroring.self_mirror import is_self_mirror
from mirrorctl.reconcilers.resolve import DestinationOutcome
from mirrorctl.reconcilers.view import MirroringView, object_key

__all__ = ["PodExplainer", "describe_link", "owned_keys"]

_Obj = Mapping[str, Any]


def _section(obj: _Obj, name: str) -> Mapping[str, Any]:
    metadata = obj.get("metadata")
    section = metadata.get(name) if isinstance(metadata, Mapping) else None
    return section if isinstance(section, Mapping) else {}


def _parsed(text: object) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def owned_keys(labels: Mapping[str, Any], annotations: Mapping[str, Any]) -> OwnedKeys:
    destination = labels.get(MIRROR_DESTINATION)
    return OwnedKeys(
        mirror_destination=destination if isinstance(destination, str) else None,
        mirroring_configuration=_parsed(annotations.get(MIRRORING_CONFIGURATION)),
        analyzer_interface=ANALYZER_INTERFACE in labels,
    )


def _merged(current: Mapping[str, Any], change: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def describe_link(link: Link) -> str:
    subject = f"{link.kind} {link.name}" if link.name else link.kind
    return f"{subject}: {link.detail}" if link.detail else subject


def _pending_text(write: PlannedWrite) -> str:
    metadata = write.patch.get("metadata")
    changed: list[str] = []
    for section in ("labels", "annotations"):
        values = metadata.get(section) if isinstance(metadata, Mapping) else None
        for key, value in (values or {}).items():
            changed.append(f"remove {key}" if value is None else f"set {key}")
    return ", ".join(changed) or "change it"


class PodExplainer:
    """Explains pods against one cache snapshot; MirrorDestinations are resolved once each."""

    def __init__(
        self, view: MirroringView, dry_run: DryRun, *, cluster_name: str | None = None
    ) -> None:
        self._view = view
        self._dry_run = dry_run
        self._cluster_name = cluster_name
        self._receivers: dict[str, tuple[DestinationOutcome | None, ReceiverExplanation]] = {}

    def receiver(self, name: str) -> tuple[DestinationOutcome | None, ReceiverExplanation]:
        found = self._receivers.get(name)
        if found is None:
            found = explain_receiver(self._view, name, cluster_name=self._cluster_name)
            self._receivers[name] = found
        return found

    async def explain(self, namespace: str, name: str) -> PodExplanation | None:
        """None when the pod does not exist."""
        view = self._view
        pod = view.pod(namespace, name)
        if pod is None:
            return None
        run = await self._dry_run.pod(namespace, name)
        cluster = self._cluster_name
        _, _, uid = pod_identity(pod)
        spec = pod.get("spec")
        host_network = isinstance(spec, Mapping) and spec.get("hostNetwork") is True
        label = _section(pod, "labels").get(ANALYZER_POD)
        analyzer_label = label if isinstance(label, str) and label else None
        interfaces = pod_interfaces(pod)
        vmis = view.interfaces_of_pod(namespace, name)
        matched = pod_vmis(pod, interfaces, vmis, cluster_name=cluster)
        vm = pod_vm(pod, view.machines_of_pod(namespace, name), cluster_name=cluster)
        chosen = self._chosen_interfaces(namespace, name, analyzer_label)
        vmi_kind = view.resources.virtual_machine_interfaces.kind
        missing_any = any(matched.get(i.name) is None for i in interfaces.interfaces)
        other_clusters = self._other_clusters_vmis(namespace, name) if missing_any else []
        explained = []
        for interface in interfaces.interfaces:
            vmi = matched.get(interface.name)
            writes = [
                w
                for w in run.writes
                if vmi is not None and w.kind == vmi_kind and w.key == object_key(vmi)
            ]
            explained.append(
                self._interface(
                    pod,
                    interface,
                    vmi,
                    writes,
                    chosen.get(interface.name, ()),
                    analyzer_label,
                    other_clusters,
                )
            )
        if host_network:
            summary = "a hostNetwork pod: it has no VMIs, mirroring ignores it"
        elif not explained:
            summary = "no interfaces"
        else:
            summary = "; ".join(f"{i.name} {i.state.value}" for i in explained)
        return PodExplanation(
            namespace=namespace,
            name=name,
            uid=uid,
            host_network=host_network,
            analyzer_label=analyzer_label,
            virtual_machine=object_key(vm) if vm is not None else None,
            interfaces=tuple(explained),
            problems=run.events,
            pending=run.writes,
            summary=summary,
        )

    def _other_clusters_vmis(self, namespace: str, name: str) -> list[str]:
        """The pod's VMIs that kube-manager made for another cluster than ``--cluster-name``.

        The view's index leaves them out, so they are looked for here: an interface without a
        VMI of its cluster must not read as one kube-manager has not made yet."""
        cluster = self._cluster_name
        if cluster is None:
            return []
        view = self._view
        found = []
        for raw in view.reader.list(view.resources.virtual_machine_interfaces, namespace):
            vmi = view.keymap.canonical_view(raw)
            if kube_manager_pod(vmi) == (namespace, name) and not kube_manager_pod(vmi, cluster):
                other = _section(vmi, "annotations").get(KUBE_MANAGER_POD_CLUSTER_NAME)
                found.append(f"{object_key(vmi)} (cluster {other!r})")
        return sorted(found)

    def _missing_vmi(self, interface: str, other_clusters: list[str]) -> str:
        how = f"(a VMI is found by its {KUBE_MANAGER_POD_NAME} annotations)"
        cluster = self._cluster_name
        if cluster is None:
            return f"kube-manager has not made one for interface {interface} yet {how}"
        if not other_clusters:
            return (
                f"kube-manager has not made one of cluster {cluster!r} for interface "
                f"{interface} yet {how}"
            )
        return (
            f"none of cluster {cluster!r} (--cluster-name) for interface {interface}: the pod's "
            "VMIs were made for another cluster, which mirrorctl leaves alone: "
            + ", ".join(other_clusters)
        )

    def _chosen_interfaces(
        self, namespace: str, name: str, analyzer_label: str | None
    ) -> dict[str, tuple[str, ...]]:
        """Interface name -> the MirrorDestinations that chose it as their analyzer interface
        (whether or not they resolved)."""
        if analyzer_label is None:
            return {}
        chosen: dict[str, list[str]] = {}
        for md in self._view.destinations_selecting(analyzer_label):
            md_name = str(md["metadata"]["name"])
            outcome, _ = self.receiver(md_name)
            if outcome is None:
                continue
            resolution = outcome.resolution
            pod, interface = (
                (resolution.receiver.pod, resolution.receiver.interface)
                if isinstance(resolution, Resolved)
                else (resolution.pod, resolution.interface)
            )
            if pod is not None and interface and (pod.namespace, pod.name) == (namespace, name):
                chosen.setdefault(interface, []).append(md_name)
        return {k: tuple(sorted(v)) for k, v in chosen.items()}

    def _interface(
        self,
        pod: _Obj,
        interface: PodInterface,
        vmi: _Obj | None,
        writes: list[PlannedWrite],
        analyzer_for: tuple[str, ...],
        analyzer_label: str | None,
        other_clusters: list[str],
    ) -> InterfaceExplanation:
        namespace, name, uid = pod_identity(pod)
        on_vmi = expected = None
        if vmi is not None:
            labels, annotations = _section(vmi, "labels"), _section(vmi, "annotations")
            on_vmi = owned_keys(labels, annotations)
            for write in writes:
                # The patch carries the configured keys; read it as the view reads objects.
                shown = self._view.keymap.canonical_view(dict(write.patch))
                labels = _merged(labels, _section(shown, "labels"))
                annotations = _merged(annotations, _section(shown, "annotations"))
            expected = owned_keys(labels, annotations)
        links: list[Link] = [
            Link("VirtualMachineInterface", object_key(vmi), Mark.OK)
            if vmi is not None
            else Link(
                "VirtualMachineInterface",
                None,
                Mark.MISSING,
                self._missing_vmi(interface.name, other_clusters),
            )
        ]
        receiver: ReceiverExplanation | None = None
        wanted = interface.mirror_destination
        if wanted is not None:
            outcome, receiver = self.receiver(wanted)
            links.extend(receiver.links)
            resolved = outcome.receiver if outcome is not None else None
            if resolved is not None and is_self_mirror(
                resolved, namespace=namespace, pod=name, interface=interface.name, uid=uid
            ):
                links.append(
                    Link(
                        "self-mirroring",
                        f"{namespace}/{name} {interface.name}",
                        Mark.INVALID,
                        f"this interface is the analyzer interface of MirrorDestination "
                        f"{wanted!r} and cannot be mirrored to itself",
                    )
                )
        state, summary = self._verdict(
            interface, links, receiver, expected, writes, analyzer_for, analyzer_label
        )
        return InterfaceExplanation(
            name=interface.name,
            index=interface.index,
            network=interface.network,
            mirror_destination=wanted,
            analyzer_mark=interface.analyzer,
            vmi=object_key(vmi) if vmi is not None else None,
            state=state,
            summary=summary,
            links=tuple(links),
            receiver=receiver,
            on_vmi=on_vmi,
            expected=expected,
            analyzer_for=analyzer_for,
        )

    def _verdict(
        self,
        interface: PodInterface,
        links: list[Link],
        receiver: ReceiverExplanation | None,
        expected: OwnedKeys | None,
        writes: list[PlannedWrite],
        analyzer_for: tuple[str, ...],
        analyzer_label: str | None,
    ) -> tuple[InterfaceState, str]:
        pending = "; ".join(_pending_text(w) for w in writes)
        unconverged = (
            f"the controller would now {pending} on the VMI (it has not: is mirrorctl running?)"
        )
        if interface.mirror_destination is not None:
            configured = expected is not None and expected.mirroring_configuration is not None
            if configured and receiver is not None:
                if writes:
                    return InterfaceState.OUT_OF_SYNC, unconverged
                return InterfaceState.MIRRORED, receiver.message
            broken = first_broken(tuple(links))
            why = describe_link(broken) if broken is not None else "see the chain"
            if writes:
                why = f"{why}; {unconverged}"
            return InterfaceState.NOT_MIRRORED, why
        if writes:
            return InterfaceState.OUT_OF_SYNC, unconverged
        if analyzer_for:
            return InterfaceState.ANALYZER, (
                f"the analyzer interface of MirrorDestination(s) {', '.join(analyzer_for)}"
            )
        if interface.analyzer:
            if analyzer_label is None:
                return InterfaceState.ANALYZER, (
                    f"marked as analyzer interface, but the pod has no {ANALYZER_POD} label, "
                    "so no MirrorDestination can select it"
                )
            return InterfaceState.ANALYZER, (
                f"marked as analyzer interface; no MirrorDestination uses it (none selects "
                f"{ANALYZER_POD}={analyzer_label}, or another pod or interface was chosen)"
            )
        return InterfaceState.NOT_REQUESTED, "asks for no mirroring"
