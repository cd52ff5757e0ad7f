"""``mirrorctl dev``: a local control plane, the CRDs and RBAC, the kube-manager emulator, the
samples and the controller (under its least-privilege identity), in the foreground."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from mirrorctl.cli.paths import config_dir
from mirrorctl.cli.run import build_manager
from mirrorctl.cli.settings import RunSettings
from mirrorctl.client import Client
from mirrorctl.emulator import setup_emulator
from mirrorctl.envtest import ControlPlane
from mirrorctl.manager.manager import Manager
from mirrorctl.manifests import apply_manifests, load_manifests, wait_for_crds

__all__ = ["dev"]

_NAMESPACE = "mirrorctl-system"


def _say(message: str) -> None:
    print(f"mirrorctl: {message}", file=sys.stderr, flush=True)


async def _install(admin: Client, config: Path) -> None:
    crds = load_manifests(config / "crd")
    await apply_manifests(admin, crds)
    await wait_for_crds(admin, [c["metadata"]["name"] for c in crds])
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": _NAMESPACE}}
    await apply_manifests(admin, [namespace])
    await apply_manifests(admin, load_manifests(config / "rbac"))


def _guide(cp: ControlPlane) -> str:
    kc = f"KUBECONFIG={cp.admin_kubeconfig}"
    return "\n".join(
        [
            "",
            "mirrorctl dev is running. In another shell:",
            f"  export {kc}",
            "  kubectl get mirrordestinations",
            "  kubectl get virtualmachineinterfaces -A --show-labels",
            '  kubectl get vmi -A -o jsonpath=\'{range .items[*]}{.metadata.name}{"\\t"}'
            '{.metadata.annotations.core\\.juniper\\.net/mirroring-configuration}{"\\n"}{end}\'',
            "  mirrorctl explain POD -n NAMESPACE",
            "Ctrl-C stops everything.",
            "",
        ]
    )


async def dev(settings: RunSettings) -> int:
    config = config_dir()
    _say("starting etcd and kube-apiserver on loopback (the first run builds kube-apiserver) ...")
    cp = await asyncio.to_thread(ControlPlane().start)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    emulator: Manager | None = None
    controller: Manager | None = None
    tasks: list[asyncio.Task[None]] = []
    try:
        admin = await Client.from_kubeconfig(cp.admin_kubeconfig)
        emulator = Manager(admin)
        try:
            _say("installing CRDs and RBAC ...")
            await _install(admin, config)
            setup_emulator(emulator)
            tasks.append(asyncio.create_task(emulator.start()))
            dev_settings = settings.model_copy(
                # Its own control plane whatever the cluster settings say, in_cluster as well.
                update={
                    "kubeconfig": cp.controller_kubeconfig,
                    "context": None,
                    "in_cluster": False,
                }
            )
            controller = await build_manager(dev_settings, install_signal_handlers=False)
            tasks.append(asyncio.create_task(controller.start()))
            _say("applying config/samples ...")
            await apply_manifests(admin, load_manifests(config / "samples"))
            print(_guide(cp), file=sys.stderr, flush=True)
            waiter = asyncio.create_task(stop.wait())
            done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            for task in done:
                if task is not waiter and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
        finally:
            for manager in (controller, emulator):
                if manager is not None:
                    manager.stop()
            await asyncio.gather(*tasks, return_exceptions=True)
            await admin.close()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        _say("stopping the control plane ...")
        await asyncio.to_thread(cp.stop)
    return 0
