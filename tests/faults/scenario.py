"""What every scenario shares: how the controller runs (its own identity, under the shipped
RBAC, at a client-side request rate that makes a fan-out last seconds), how a fan-out is
started, and how "in the middle of it" is found."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mirrorctl.envtest.certs import write_certificates
from mirrorctl.envtest.kubeconfig import write_kubeconfig
from tests.faults.controller_process import ControllerProcess
from tests.faults.fleet import CLUSTER, Fleet
from tests.faults.plane import Plane
from tests.faults.proxy import LoopbackProxy, ProxyTls

__all__ = [
    "CONVERGE_TIMEOUT",
    "SOURCES",
    "FanOut",
    "controller_args",
    "converged",
    "kubeconfig_for",
    "new_fleet",
    "proxied",
    "start_controller",
    "start_fan_out",
]

# Generous: only keeps a broken build from hanging (retries back off exponentially, and the
# default rate limiter lets 10 keys a second through once its burst is spent).
CONVERGE_TIMEOUT = 180.0
# Enough to make a fan-out last a few seconds at the controller's request rate, so a fault
# lands in the middle of it; small enough to build in seconds on two cores.
SOURCES = 240
# A client-side limit like client-go's defaults: 240 patches take seconds, not milliseconds.
QPS = 40


def controller_args(*extra: str) -> list[str]:
    return [f"--qps={QPS}", "--burst=20", f"--cluster-name={CLUSTER}", *extra]


def kubeconfig_for(plane: Plane, path: Path, *, server: str, ca: Path) -> Path:
    """The controller identity's kubeconfig, pointed at ``server`` trusting ``ca``."""
    identity = plane.control_plane.identities["controller"]
    return write_kubeconfig(path, server, ca.read_bytes(), identity)


async def proxied(
    plane: Plane, directory: Path, name: str, *, record: bool
) -> tuple[LoopbackProxy, Path]:
    """A started proxy to the apiserver and the controller identity's kubeconfig through it.
    A recording proxy serves a certificate of its own, from a CA of its own."""
    cp = plane.control_plane
    if not record:
        proxy = LoopbackProxy(plane.apiserver_port)
        ca = cp.ca_cert
    else:
        tls = directory / f"{name}-tls"
        tls.mkdir()
        certs = write_certificates(tls)
        proxy = LoopbackProxy(
            plane.apiserver_port, tls=ProxyTls(certs.serving_cert, certs.serving_key, cp.ca_cert)
        )
        ca = certs.ca_cert
    await proxy.start()
    kubeconfig = kubeconfig_for(plane, directory / f"{name}.kubeconfig", server=proxy.url, ca=ca)
    return proxy, kubeconfig


def start_controller(
    plane: Plane,
    log_dir: Path,
    name: str = "controller",
    *,
    kubeconfig: Path | None = None,
    args: list[str] | None = None,
) -> ControllerProcess:
    process = ControllerProcess(
        name,
        kubeconfig or plane.control_plane.controller_kubeconfig,
        log_dir,
        args=controller_args(*(args or [])),
    )
    process.start()
    return process


async def new_fleet(plane: Plane) -> Fleet:
    """The scenario's pods, made while its controller already runs: they arrive as it watches,
    and its first convergence overlaps their creation."""
    return await Fleet.create(plane.admin, sources=SOURCES, destinations=2)


@dataclass(frozen=True, slots=True)
class FanOut:
    expected: dict[str, dict[str, Any]]
    total: int  # source VMIs that must change


async def start_fan_out(fleet: Fleet, *, replace_analyzer: bool = False) -> FanOut:
    """Change every source's configuration: a new udpPort on each MirrorDestination, and
    (optionally) a new analyzer pod, so a new IP and MAC, for the first one."""
    first, *others = fleet.destinations
    if replace_analyzer:
        await fleet.replace_analyzer(first)
    else:
        await fleet.edit_udp_port(first, fleet.destinations[first].udp_port + 1)
    for name in others:
        await fleet.edit_udp_port(name, fleet.destinations[name].udp_port + 1)
    return FanOut(await fleet.expected(), len(fleet.sources))


async def converged(fleet: Fleet, *controllers: ControllerProcess) -> None:
    """Wait until the fleet is as the spec requires, while any of ``controllers`` runs."""
    await fleet.wait_converged(
        timeout=CONVERGE_TIMEOUT,
        logs=lambda: "\n".join(c.tail() for c in controllers),
        alive=lambda: any(c.running() for c in controllers),
    )
