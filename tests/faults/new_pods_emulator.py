"""`NewPodsEmulator`: the kube-manager emulator, for pods made a moment ago."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mirrorctl.emulator import KubeManagerEmulator, PodObjects

__all__ = ["NewPodsEmulator"]


class NewPodsEmulator(KubeManagerEmulator):
    """`ensure_pod` for pods created a moment ago. Nothing of theirs can be stale yet, so the
    search for stale interfaces, two label-selected lists that read every VMI of the namespace
    and every InstanceIP of the cluster from etcd, is skipped: with it, setting up a few hundred
    pods is quadratic and takes most of a minute."""

    async def _remove_stale_interfaces(self, pod: Mapping[str, Any], objects: PodObjects) -> None:
        return
