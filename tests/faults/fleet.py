"""`Fleet`: a few hundred mirrored pods in one namespace, on one or two MirrorDestinations, with
their Contrail objects (the emulator plays kube-manager), foreign keys on every VM and VMI, and
the checks every fault scenario ends with.

The expected state is written out here from the spec (the annotation's full JSON, the status
fields), and read back from the apiserver as the admin; nothing is taken from the controller.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from mirrorctl.client import Client, GoneError
from mirrorctl.client.resources import NAMESPACES, PODS
from mirrorctl.emulator import KubeManagerEmulator
from mirrorctl.emulator.render import POD_KEY_LABEL
from mirrorctl.mirroring import keys
from mirrorctl.mirroring.resources import contrail_resources
from tests.faults.bounded import bounded

__all__ = [
    "CLUSTER",
    "FOREIGN_ANNOTATION",
    "FOREIGN_LABEL",
    "RI",
    "Destination",
    "Fleet",
    "R",
]

R = contrail_resources()
CLUSTER = "mirrorctl-envtest"  # the emulator's kube-manager cluster name
RI = f"default-domain:{CLUSTER}-contrail:default-podnetwork:default-podnetwork"
FOREIGN_LABEL = ("foreign.example.com/owner", "cn2")
FOREIGN_ANNOTATION = ("foreign.example.com/note", "not mirrorctl's")
_FOREIGN = {
    "metadata": {"labels": dict([FOREIGN_LABEL]), "annotations": dict([FOREIGN_ANNOTATION])}
}
_INITIAL_UDP_PORT = 9000


def _vmi_name(pod: str) -> str:
    return f"{pod}.eth0"


def _annotation(vmi: Mapping[str, Any]) -> dict[str, Any] | None:
    text = (vmi["metadata"].get("annotations") or {}).get(keys.MIRRORING_CONFIGURATION)
    if text is None:
        return None
    try:
        parsed = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {"unparseable": text}
    return parsed if isinstance(parsed, dict) else {"not an object": parsed}


@dataclass(frozen=True, slots=True)
class Destination:
    name: str
    selector: str
    udp_port: int
    sources: tuple[str, ...]
    analyzers_made: int = 1

    @property
    def analyzer(self) -> str:
        """The current analyzer pod's name: a new one each time it is replaced."""
        return f"analyzer-{self.name}-{self.analyzers_made}"


class Fleet:
    """Build with `Fleet.create`; every write is the admin's."""

    def __init__(self, admin: Client, namespace: str, destinations: list[Destination]) -> None:
        self.admin = admin
        self.namespace = namespace
        self.destinations = {d.name: d for d in destinations}
        self.emulator = KubeManagerEmulator(admin, cluster_name=CLUSTER)
        # Keys other writers added to a VMI (by VMI name), which must all survive.
        self.foreign_labels: dict[str, dict[str, str]] = {}
        self.foreign_annotations: dict[str, dict[str, str]] = {}

    # -- building ----------------------------------------------------------------------------

    @classmethod
    async def create(
        cls, admin: Client, *, sources: int, destinations: int = 2, concurrency: int = 12
    ) -> Fleet:
        suffix = uuid.uuid4().hex[:6]
        namespace = f"faults-{suffix}"
        await admin.create(NAMESPACES, {"metadata": {"name": namespace}})
        dests = [
            Destination(
                f"md-{i}-{suffix}",
                f"sel-{i}-{suffix}",
                _INITIAL_UDP_PORT,
                tuple(f"src-{n:04d}" for n in range(i, sources, destinations)),
            )
            for i in range(destinations)
        ]
        fleet = cls(admin, namespace, dests)
        for dest in dests:
            await fleet._destination(dest)
        await bounded((fleet._analyzer(d.analyzer, d.selector) for d in dests), concurrency)
        await bounded((fleet._source(pod, d.name) for d in dests for pod in d.sources), concurrency)
        return fleet

    @property
    def sources(self) -> dict[str, str]:
        """source pod -> its MirrorDestination."""
        return {pod: d.name for d in self.destinations.values() for pod in d.sources}

    async def _destination(self, dest: Destination) -> None:
        body = {
            "apiVersion": R.mirror_destinations.api_version,
            "kind": "MirrorDestination",
            "metadata": {"name": dest.name, "labels": {keys.ANALYZER_POD_SELECTOR: dest.selector}},
            "spec": {"udpPort": dest.udp_port},
        }
        await self.admin.create(R.mirror_destinations, body)

    async def _pod(
        self, name: str, labels: Mapping[str, str], annotations: Mapping[str, str]
    ) -> None:
        body = {
            "metadata": {"name": name, "labels": dict(labels), "annotations": dict(annotations)},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }
        pod = await self.admin.create(PODS, body, self.namespace)
        made = await self.emulator.ensure_pod(pod)
        assert made is not None
        await self.admin.patch(R.virtual_machines, made.vm["metadata"]["name"], _FOREIGN)
        for vmi in made.vmis:
            await self.admin.patch(
                R.virtual_machine_interfaces, vmi["metadata"]["name"], _FOREIGN, self.namespace
            )

    async def _analyzer(self, pod: str, selector: str) -> None:
        await self._pod(pod, {keys.ANALYZER_POD: selector}, {keys.ANALYZER_INTERFACE: "true"})

    async def _source(self, pod: str, destination: str) -> None:
        await self._pod(pod, {}, {keys.MIRROR_DESTINATION: destination})

    # -- changes that fan out to every source of a MirrorDestination ------------------------------

    async def edit_udp_port(self, destination: str, port: int) -> None:
        dest = self.destinations[destination]
        self.destinations[destination] = replace(dest, udp_port=port)
        await self.admin.patch(R.mirror_destinations, destination, {"spec": {"udpPort": port}})

    async def replace_analyzer(self, destination: str) -> None:
        """Delete the analyzer pod (and its Contrail objects) and create another one with a
        new name, so a new IP and MAC: every source first loses, then gets, its configuration."""
        dest = self.destinations[destination]
        old = dest.analyzer
        await self.admin.delete(PODS, old, self.namespace)
        await self.emulator.remove_pod(self.namespace, old)
        dest = replace(dest, analyzers_made=dest.analyzers_made + 1)
        self.destinations[destination] = dest
        await self._analyzer(dest.analyzer, dest.selector)

    # -- reading back ----------------------------------------------------------------------------

    async def vmis(self) -> dict[str, dict[str, Any]]:
        found = await self.admin.list(R.virtual_machine_interfaces, self.namespace)
        return {v["metadata"]["name"]: v for v in found["items"]}

    async def _machines(self) -> dict[str, dict[str, Any]]:
        found = await self.admin.list(R.virtual_machines, label_selector=POD_KEY_LABEL)
        return {
            vm["metadata"]["annotations"][keys.KUBE_MANAGER_POD_NAME]: vm
            for vm in found["items"]
            if vm["metadata"]["annotations"].get(keys.KUBE_MANAGER_POD_NAMESPACE) == self.namespace
        }

    async def _addresses(self, vmis: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
        """VMI name -> IP of the InstanceIP that references it, for this namespace."""
        found = await self.admin.list(R.instance_ips, label_selector=POD_KEY_LABEL)
        addresses: dict[str, str] = {}
        for iip in found["items"]:
            for ref in iip["spec"].get("virtualMachineInterfaceReferences") or []:
                if ref.get("namespace") == self.namespace and ref["name"] in vmis:
                    addresses[ref["name"]] = iip["spec"]["instanceIPAddress"]
        return addresses

    async def expected(self) -> dict[str, dict[str, Any]]:
        """MirrorDestination -> the full configuration its sources must carry, with the
        analyzer's IP and MAC as kube-manager (the emulator) assigned them."""
        vmis = await self.vmis()
        addresses = await self._addresses(vmis)
        expected: dict[str, dict[str, Any]] = {}
        for dest in self.destinations.values():
            vmi = vmis[_vmi_name(dest.analyzer)]
            expected[dest.name] = {
                "analyzer_name": dest.name,
                "analyzer_ip_address": addresses[vmi["metadata"]["name"]],
                "analyzer_macaddress": vmi["spec"]["virtualMachineInterfaceMacAddresses"][
                    "macAddress"
                ][0],
                "ri": RI,
                "udp_port": dest.udp_port,
                "juniper_header": True,
                "nh_mode": "dynamic",
                "static_nh_header": None,
                "nic_assisted_mirroring": False,
                "nic_assisted_mirroring_vlan": None,
                "traffic_direction": "both",
            }
        return expected

    def configured(
        self, expected: Mapping[str, Mapping[str, Any]]
    ) -> Callable[[Mapping[str, Any]], bool]:
        """Whether a VMI carries what ``expected`` says for its MirrorDestination."""
        wanted = {_vmi_name(pod): expected[md] for pod, md in self.sources.items()}

        def done(vmi: Mapping[str, Any]) -> bool:
            want = wanted.get(vmi["metadata"]["name"])
            return want is not None and _annotation(vmi) == want

        return done

    async def unfinished(self, expected: Mapping[str, Mapping[str, Any]]) -> set[str]:
        """The VMIs mirrorctl still has to write: sources without ``expected`` (or without
        their label), analyzer interfaces without theirs."""
        done = self.configured(expected)
        sources = {_vmi_name(pod): md for pod, md in self.sources.items()}
        analyzers = {_vmi_name(d.analyzer) for d in self.destinations.values()}
        left: set[str] = set()
        for name, vmi in (await self.vmis()).items():
            labels = vmi["metadata"].get("labels") or {}
            if name in sources and not (
                done(vmi) and labels.get(keys.MIRROR_DESTINATION) == sources[name]
            ):
                left.add(name)
            if name in analyzers and labels.get(keys.ANALYZER_INTERFACE) != "":
                left.add(name)
        return left

    async def count_configured(self, expected: Mapping[str, Mapping[str, Any]]) -> int:
        done = self.configured(expected)
        return sum(1 for vmi in (await self.vmis()).values() if done(vmi))

    async def wait_for_progress(
        self, expected: Mapping[str, Mapping[str, Any]], at_least: int, *, timeout: float = 120.0
    ) -> int:
        """Watch the VMIs until at least ``at_least`` carry ``expected``: a fan-out is under
        way. Returns how many did at that moment."""
        done = self.configured(expected)
        deadline = time.monotonic() + timeout
        state: dict[str, bool] = {}
        version = None  # None: (re)list first
        while version is None or sum(state.values()) < at_least:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{sum(state.values())} of {at_least} VMIs configured")
            if version is None:
                listed = await self.admin.list(R.virtual_machine_interfaces, self.namespace)
                state = {v["metadata"]["name"]: done(v) for v in listed["items"]}
                version = listed["metadata"]["resourceVersion"]
                continue
            stream = self.admin.watch(
                R.virtual_machine_interfaces,
                self.namespace,
                resource_version=version,
                timeout_seconds=max(1, int(left)),
            )
            try:
                async with contextlib.aclosing(stream) as events:
                    async for event in events:
                        obj = event["object"]
                        version = obj["metadata"]["resourceVersion"]
                        name = obj["metadata"].get("name")
                        if event["type"] in ("ADDED", "MODIFIED"):
                            state[name] = done(obj)
                        elif event["type"] == "DELETED":
                            state.pop(name, None)
                        if sum(state.values()) >= at_least:
                            break
            except GoneError:
                version = None
        return sum(state.values())

    # -- the end state every scenario must reach -------------------------------------------------

    async def problems(self) -> list[str]:
        """Every way the cluster differs from what the spec requires (empty: converged)."""
        expected = await self.expected()
        vmis = await self.vmis()
        machines = await self._machines()
        found: list[str] = []
        analyzers = {_vmi_name(d.analyzer): d for d in self.destinations.values()}
        sources = {_vmi_name(pod): md for pod, md in self.sources.items()}
        for name, vmi in vmis.items():
            meta = vmi["metadata"]
            labels, notes = meta.get("labels") or {}, meta.get("annotations") or {}
            config = _annotation(vmi)
            if name in sources:
                md = sources[name]
                if labels.get(keys.MIRROR_DESTINATION) != md:
                    found.append(f"{name}: label {labels.get(keys.MIRROR_DESTINATION)!r}")
                if config != expected[md]:
                    found.append(f"{name}: configuration {config} != {expected[md]}")
            elif config is not None or keys.MIRROR_DESTINATION in labels:
                found.append(f"{name}: mirrored although it is no source")
            if name in analyzers and labels.get(keys.ANALYZER_INTERFACE) != "":
                found.append(f"{name}: no analyzer-interface label")
            found.extend(self._foreign_problems(name, labels, notes))
            if notes.get(keys.KUBE_MANAGER_POD_NAME) != name.removesuffix(".eth0"):
                found.append(f"{name}: kube-manager's annotations lost")
        wanted = set(sources) | set(analyzers)
        found.extend(f"{n}: VMI missing" for n in sorted(wanted - set(vmis)))
        for pod, vm in machines.items():
            meta = vm["metadata"]
            labels = meta.get("labels") or {}
            if (
                labels.get(FOREIGN_LABEL[0]),
                (meta.get("annotations") or {}).get(FOREIGN_ANNOTATION[0]),
            ) != (FOREIGN_LABEL[1], FOREIGN_ANNOTATION[1]):
                found.append(f"VM of {pod}: foreign keys lost: {meta}")
        for dest in self.destinations.values():
            analyzer_vm = machines.get(dest.analyzer, {"metadata": {}})
            if (analyzer_vm["metadata"].get("labels") or {}).get(keys.ANALYZER_POD) != (
                dest.selector
            ):
                found.append(f"VM of analyzer {dest.analyzer}: no analyzer-pod label")
            found.extend(await self._status_problems(dest, expected[dest.name]))
        return found

    def _foreign_problems(
        self, name: str, labels: Mapping[str, str], notes: Mapping[str, str]
    ) -> list[str]:
        want_labels = {**dict([FOREIGN_LABEL]), **self.foreign_labels.get(name, {})}
        want_notes = {**dict([FOREIGN_ANNOTATION]), **self.foreign_annotations.get(name, {})}
        lost = [k for k, v in want_labels.items() if labels.get(k) != v]
        lost += [k for k, v in want_notes.items() if notes.get(k) != v]
        return [f"{name}: foreign keys lost: {sorted(lost)}"] if lost else []

    async def _status_problems(self, dest: Destination, expected: Mapping[str, Any]) -> list[str]:
        md = await self.admin.get(R.mirror_destinations, dest.name)
        status = md.get("status") or {}
        ready = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
        seen = {
            "state": status.get("state"),
            "ipAddress": status.get("ipAddress"),
            "macAddress": status.get("macAddress"),
            "routingInstance": status.get("routingInstance"),
            "sourceCount": status.get("sourceCount"),
            "observedGeneration": status.get("observedGeneration"),
            "analyzerPod": (status.get("analyzerPodReference") or {}).get("name"),
            "ready": [c.get("status") for c in ready],
        }
        want = {
            "state": "Success",
            "ipAddress": expected["analyzer_ip_address"],
            "macAddress": expected["analyzer_macaddress"],
            "routingInstance": RI,
            "sourceCount": len(dest.sources),
            "observedGeneration": md["metadata"]["generation"],
            "analyzerPod": dest.analyzer,
            "ready": ["True"],
        }
        if seen == want:
            return []
        return [f"MirrorDestination {dest.name}: status {seen} != {want}"]

    async def wait_converged(
        self,
        *,
        timeout: float,
        logs: Callable[[], str] = lambda: "",
        alive: Callable[[], bool] = lambda: True,
    ) -> None:
        """Poll until `problems` is empty; fail with the first few and the logs on timeout, or
        at once when ``alive`` says the controller is gone."""
        deadline = time.monotonic() + timeout
        while True:
            problems = await self.problems()
            if not problems:
                return
            if time.monotonic() > deadline or not alive():
                shown = "\n".join(problems[:8])
                why = f"after {timeout:.0f}s" if alive() else "and the controller exited"
                raise AssertionError(
                    f"not converged {why} ({len(problems)} problems):\n{shown}\n{logs()}"
                )
            await asyncio.sleep(1.0)
