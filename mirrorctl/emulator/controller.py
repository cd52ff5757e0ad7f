"""Runs the emulator as a controller on pods, under any manager."""

from __future__ import annotations

from mirrorctl.client.resources import PODS
from mirrorctl.controller.builder import ControllerBuilder
from mirrorctl.controller.controller import Controller
from mirrorctl.emulator.emulator import KubeManagerEmulator
from mirrorctl.manager.manager import Manager
from mirrorctl.reconcile import Request, Result

__all__ = ["setup_emulator"]


def setup_emulator(
    manager: Manager, emulator: KubeManagerEmulator | None = None, *, workers: int = 4
) -> Controller:
    """Add a ``kube-manager-emulator`` controller that keeps every pod's Contrail objects.

    It runs whether or not its manager leads: like kube-manager, it is a separate component,
    and it must see every pod, so its manager should have no namespace scope.
    """
    emulator = emulator or KubeManagerEmulator(manager.client)

    async def reconcile(request: Request) -> Result:
        assert request.namespace is not None
        pod = manager.cache.get(PODS, request.name, request.namespace)
        if pod is None:
            await emulator.remove_pod(request.namespace, request.name)
        else:
            await emulator.ensure_pod(pod)
        return Result()

    return (
        ControllerBuilder(manager)
        .named("kube-manager-emulator")
        .for_(PODS)
        .with_options(max_concurrent_reconciles=workers, need_leader_election=False)
        .build(reconcile)
    )
