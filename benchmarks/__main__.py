"""``python -m benchmarks [NAME ...]``: run the benchmarks and write BENCHMARKS.md.

Every benchmark module exposes ``run(...) -> dict`` (sync or async). One that takes a parameter
gets the admin kubeconfig of a local control plane started here (or, if the parameter is named
``control_plane``, the `ControlPlane` itself, for its controller identity), so each figure and
its baseline come from the same run against the same apiserver.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import datetime as dt
import importlib
import inspect
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from mirrorctl.envtest import APISERVER_VERSION, ControlPlane

MODULES = [
    "b1_queue",
    "b2_sync",
    "b5_client",
    "b6_watch",
    "b3_fanout",
    "b4_latency",
    "b7_peers",
    "b8_kopf_indexed",
]
OUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def _machine() -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    etcd = subprocess.run(["etcd", "--version"], capture_output=True, text=True, check=False)
    versions = ", ".join(
        f"{p} {metadata.version(p)}"
        for p in ("kubernetes-asyncio", "aiohttp", "orjson", "prometheus-client", "pydantic")
    )
    return [
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, {cpu}",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}; {versions}",
        f"- kube-apiserver {APISERVER_VERSION} (local, loopback); "
        f"{etcd.stdout.splitlines()[0] if etcd.stdout else 'etcd'}",
    ]


def _rows(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for k, v in value.items():
            rows.extend(_rows(f"{prefix}.{k}" if prefix else str(k), v))
        return rows
    if isinstance(value, float):
        return [(prefix, f"{value:.4g}")]
    if isinstance(value, list):
        return [(prefix, json.dumps(value))]
    return [(prefix, str(value))]


def _call(fn: Callable[..., Any], cp: ControlPlane) -> Any:
    parameters = inspect.signature(fn).parameters
    if "control_plane" in parameters:
        result = fn(control_plane=cp)
    else:
        result = fn(str(cp.admin_kubeconfig)) if parameters else fn()
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def _previous_sections() -> dict[str, str]:
    """The sections BENCHMARKS.md has now, by heading: a subset run keeps the others."""
    if not OUT.exists():
        return {}
    found: dict[str, str] = {}
    for chunk in OUT.read_text().split("\n## ")[1:]:
        heading = chunk.split("\n", 1)[0]
        found[heading] = f"## {chunk.rstrip()}\n"
    return found


def _heading(name: str) -> str | None:
    try:
        module = importlib.import_module(f"benchmarks.{name}")
    except ModuleNotFoundError:
        return None
    return (module.__doc__ or name).strip().splitlines()[0]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help=f"a subset of {', '.join(MODULES)}")
    args = parser.parse_args()
    names = args.names or MODULES
    previous = _previous_sections() if args.names else {}
    # Every peer process starts from compiled bytecode, as an installed package would; an
    # environment with PYTHONDONTWRITEBYTECODE would otherwise recompile mirrorctl at each
    # start (kopf and the plain loop come precompiled from site-packages).
    root = Path(__file__).resolve().parent.parent
    for package in ("mirrorctl", "benchmarks"):
        compileall.compile_dir(root / package, quiet=1)
    fresh: dict[str, str] = {}
    with ControlPlane() as cp:
        for name in names:
            try:
                module = importlib.import_module(f"benchmarks.{name}")
            except ModuleNotFoundError:
                print(f"{name}: not written yet, skipped", file=sys.stderr)
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            ran = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
            result = _call(module.run, cp)
            doc = (module.__doc__ or name).strip().splitlines()[0]
            table = "\n".join(f"| {k} | {v} |" for k, v in _rows("", result))
            fresh[doc] = f"## {doc}\n\nRun {ran}.\n\n| figure | value |\n|---|---|\n{table}\n"
    sections = []
    for name in MODULES:
        heading = _heading(name)
        if heading is not None and (heading in fresh or heading in previous):
            sections.append(fresh.get(heading) or previous[heading])
    OUT.write_text(
        "# Benchmarks\n\nWritten by `make bench` (`python -m benchmarks NAME ...` reruns some and "
        "keeps the other sections). Every ratio is against a baseline measured in the same run; "
        "each section says when it ran.\n\n" + "\n".join(_machine()) + "\n\n" + "\n".join(sections)
    )
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
