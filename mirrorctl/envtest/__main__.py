"""``python -m mirrorctl.envtest ensure|start``: provide the binaries, or run a control plane."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from mirrorctl.envtest.binaries import BinaryNotFoundError, ensure_binaries
from mirrorctl.envtest.controlplane import ControlPlane


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m mirrorctl.envtest")
    parser.add_argument("command", choices=["ensure", "start"])
    args = parser.parse_args()
    try:
        binaries = ensure_binaries()
    except BinaryNotFoundError as e:
        print(f"mirrorctl: {e}", file=sys.stderr)
        return 1
    if args.command == "ensure":
        print(f"etcd: {binaries.etcd}\nkube-apiserver: {binaries.kube_apiserver}")
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with ControlPlane(binaries) as cp:
        print(f"kube-apiserver {cp.url}\nexport KUBECONFIG={cp.admin_kubeconfig}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
