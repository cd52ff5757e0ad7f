"""BENCHMARKS.md: one section per benchmark, each a table of its figures and when it ran.

A run rewrites only the sections it produced and keeps the others, in a fixed order, so
``python -m benchmarks NAME`` and ``make soak`` each refresh their own part.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from mirrorctl.envtest import APISERVER_VERSION

__all__ = ["MODULES", "OUT", "heading", "now", "section", "write"]

OUT = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"
# What `make bench` runs, in the order of their sections.
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
# `make soak` writes its own section after those (ten minutes: not part of `make bench`).
_SECTIONS = [*MODULES, "soak"]


def heading(name: str) -> str:
    """The section heading of benchmark module ``name``: its docstring's first line."""
    module = importlib.import_module(f"benchmarks.{name}")
    return (module.__doc__ or name).strip().splitlines()[0]


def now() -> str:
    return f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"


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
        f"- date: {now()}",
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


def section(heading: str, ran: str, result: Any) -> str:
    table = "\n".join(f"| {k} | {v} |" for k, v in _rows("", result))
    return f"## {heading}\n\nRun {ran}.\n\n| figure | value |\n|---|---|\n{table}\n"


def _previous_sections() -> dict[str, str]:
    if not OUT.exists():
        return {}
    found: dict[str, str] = {}
    for chunk in OUT.read_text().split("\n## ")[1:]:
        heading = chunk.split("\n", 1)[0]
        found[heading] = f"## {chunk.rstrip()}\n"
    return found


def write(fresh: dict[str, str]) -> None:
    """Write the ``fresh`` sections (by heading) and keep the others as BENCHMARKS.md has
    them now."""
    previous = _previous_sections()
    sections = []
    for name in _SECTIONS:
        title = heading(name)
        if title in fresh or title in previous:
            sections.append(fresh.get(title) or previous[title])
    OUT.write_text(
        "# Benchmarks\n\nWritten by `make bench` (`python -m benchmarks NAME ...` reruns some and "
        "keeps the other sections) and `make soak` (its own section). Every ratio is against a "
        "baseline measured in the same run; each section says when it ran. Each benchmark runs "
        "on a local control plane of its own, so that none depends on what an earlier one left "
        "in etcd.\n\n" + "\n".join(_machine()) + "\n\n" + "\n".join(sections)
    )
