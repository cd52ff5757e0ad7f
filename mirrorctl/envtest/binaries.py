"""Finds, installs or builds the etcd and kube-apiserver binaries of the local control plane.

Order of preference, so that a user who already has envtest's binaries never waits for a build:
an explicit environment variable, ``KUBEBUILDER_ASSETS``, the per-user cache, the system, and
only then an install (etcd from Debian) or a one-off build (kube-apiserver from Debian's source
package, which takes minutes and is cached per version).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

__all__ = [
    "APISERVER_VERSION",
    "Binaries",
    "BinaryNotFoundError",
    "cache_dir",
    "ensure_binaries",
    "find_apiserver",
    "find_etcd",
]

APISERVER_VERSION = "v1.20.2"
_HELP = (
    "Set MIRRORCTL_KUBE_APISERVER and MIRRORCTL_ETCD to the paths of a kube-apiserver and an etcd "
    "binary (or KUBEBUILDER_ASSETS to a directory holding both, as setup-envtest provides)."
)


class BinaryNotFoundError(RuntimeError):
    """A control-plane binary is neither configured, cached, installed nor buildable here."""


@dataclass(frozen=True, slots=True)
class Binaries:
    etcd: Path
    kube_apiserver: Path


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mirrorctl"


def _executable(path: str | Path | None) -> Path | None:
    if not path:
        return None
    p = Path(path)
    return p if p.is_file() and os.access(p, os.X_OK) else None


def _from_env(var: str, name: str) -> Path | None:
    explicit = os.environ.get(var)
    if explicit:
        found = _executable(explicit)
        if found is None:
            raise BinaryNotFoundError(f"{var}={explicit} is not an executable file. {_HELP}")
        return found
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    return _executable(Path(assets) / name) if assets else None


def _as_root(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return cmd
    if shutil.which("sudo"):
        return ["sudo", *cmd]
    raise BinaryNotFoundError(f"installing needs root and there is no sudo. {_HELP}")


def find_etcd(*, install: bool = True) -> Path:
    found = _from_env("MIRRORCTL_ETCD", "etcd") or _executable(shutil.which("etcd"))
    if found or not install:
        if found:
            return found
        raise BinaryNotFoundError(f"etcd not found. {_HELP}")
    if not shutil.which("apt-get"):
        raise BinaryNotFoundError(f"etcd not found and there is no apt-get to install it. {_HELP}")
    print("mirrorctl: installing etcd (Debian package etcd-server) ...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(_as_root(["apt-get", "update", "-qq"]), check=True, env=env)
    subprocess.run(
        _as_root(["apt-get", "install", "-y", "-qq", "etcd-server"]),
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found = _executable(shutil.which("etcd")) or _executable("/usr/bin/etcd")
    if found is None:
        raise BinaryNotFoundError(f"etcd-server installed but no etcd binary found. {_HELP}")
    return found


def find_apiserver(*, build: bool = True) -> Path:
    found = _from_env("MIRRORCTL_KUBE_APISERVER", "kube-apiserver")
    if found:
        return found
    cached = cache_dir() / f"kube-apiserver-{APISERVER_VERSION}" / "kube-apiserver"
    if _executable(cached):
        return cached
    if not build:
        raise BinaryNotFoundError(f"kube-apiserver not found. {_HELP}")
    if not shutil.which("apt-get"):
        raise BinaryNotFoundError(
            f"kube-apiserver not found and it can only be built here from Debian's source "
            f"package, which needs apt-get. {_HELP}"
        )
    cached.parent.mkdir(parents=True, exist_ok=True)
    # Two processes (pytest-xdist, make run in another shell) must not build at once.
    with open(cached.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _executable(cached):
            return cached
        print(
            f"mirrorctl: building kube-apiserver {APISERVER_VERSION} from Debian's source package "
            f"(once per machine, about 5 minutes on 2 cores; cached in {cached.parent}) ...",
            file=sys.stderr,
            flush=True,
        )
        script = resources.files("mirrorctl.envtest").joinpath("build_apiserver.sh")
        with resources.as_file(script) as path:
            result = subprocess.run(["bash", str(path), str(cached)], check=False)
        if result.returncode != 0 or not _executable(cached):
            raise BinaryNotFoundError(
                f"building kube-apiserver failed (exit {result.returncode}). {_HELP}"
            )
    return cached


def ensure_binaries() -> Binaries:
    return Binaries(etcd=find_etcd(), kube_apiserver=find_apiserver())
