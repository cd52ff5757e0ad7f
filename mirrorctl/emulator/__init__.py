"""A stand-in for CN2's kube-manager and CNI, for clusters without CN2."""

from mirrorctl.emulator.controller import setup_emulator
from mirrorctl.emulator.emulator import FIELD_MANAGER, KubeManagerEmulator
from mirrorctl.emulator.ipam import AddressPools
from mirrorctl.emulator.render import PodObjects, render_pod

__all__ = [
    "FIELD_MANAGER",
    "AddressPools",
    "KubeManagerEmulator",
    "PodObjects",
    "render_pod",
    "setup_emulator",
]
