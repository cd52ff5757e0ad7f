"""``python -m benchmarks [NAME ...]``: run the benchmarks and write BENCHMARKS.md.

Every benchmark module exposes ``run(...) -> dict`` (sync or async). One that takes a parameter
gets the admin kubeconfig of a local control plane started here for it alone (or, if the
parameter is named ``control_plane``, the `ControlPlane` itself, for its controller identity),
so each figure and its baseline come from the same run against the same apiserver. A control
plane per benchmark, because what one leaves behind slows the next: after B3 and B7, etcd held
about 30,000 more objects and their revisions, and B8 measured 0.54 ms of mirrorctl CPU per VMI
against 0.40 ms on a control plane of its own. A figure must not depend on which benchmarks ran
before it (nor differ between a full run and ``python -m benchmarks b8_kopf_indexed``).
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import report
from benchmarks.report import MODULES
from mirrorctl.envtest import ControlPlane


def _call(fn: Callable[..., Any], cp: ControlPlane) -> Any:
    parameters = inspect.signature(fn).parameters
    if "control_plane" in parameters:
        result = fn(control_plane=cp)
    else:
        result = fn(str(cp.admin_kubeconfig)) if parameters else fn()
    return asyncio.run(result) if inspect.iscoroutine(result) else result


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help=f"a subset of {', '.join(MODULES)}")
    args = parser.parse_args()
    names = args.names or MODULES
    # Every peer process starts from compiled bytecode, as an installed package would; an
    # environment with PYTHONDONTWRITEBYTECODE would otherwise recompile mirrorctl at each
    # start (kopf and the plain loop come precompiled from site-packages).
    root = Path(__file__).resolve().parent.parent
    for package in ("mirrorctl", "benchmarks"):
        compileall.compile_dir(root / package, quiet=1)
    fresh: dict[str, str] = {}
    for name in names:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError:
            print(f"{name}: not written yet, skipped", file=sys.stderr)
            continue
        print(f"running {name} ...", file=sys.stderr, flush=True)
        ran = report.now()
        with ControlPlane() as cp:
            result = _call(module.run, cp)
        heading = report.heading(name)
        fresh[heading] = report.section(heading, ran, result)
    # Even a full run keeps the soak's section: `make bench` does not run the soak.
    report.write(fresh)
    print(f"wrote {report.OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
