"""Kubeconfig documents and exec-plugin scripts for the loader tests."""

from __future__ import annotations

import base64
import sys
from pathlib import Path
from typing import Any

import yaml

__all__ = ["b64", "exec_entry", "kubeconfig_doc", "write_doc", "write_plugin"]

# The plugin's behaviour comes from its arguments: <state dir> <mode> <expiry or "-">.
# Each run bumps a counter, records its environment and prints token-<run> (or, in mode
# cert, the key pair CERT-PEM-<run> and KEY-PEM-<run>).
_PLUGIN = """\
import json, os, pathlib, signal, sys
state, mode, expiry = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
counter = state / "runs"
n = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(n))
(state / f"env-{n}.json").write_text(json.dumps(dict(os.environ)))
print(f"plugin run {n} says hello", file=sys.stderr)
version = os.environ.get("PLUGIN_API_VERSION", "client.authentication.k8s.io/v1")
status = {"token": f"token-{n}"}
if expiry != "-":
    status["expirationTimestamp"] = expiry
if mode == "fail":
    sys.exit(3)
if mode == "badjson":
    print("token-leak {not json")
    sys.exit(0)
if mode == "hang":
    signal.pause()
if mode == "wrongversion":
    version = "client.authentication.k8s.io/v1beta1"
if mode == "cert":
    status = {"clientCertificateData": f"CERT-PEM-{n}", "clientKeyData": f"KEY-PEM-{n}"}
if mode == "notoken":
    status = {}
print(json.dumps({"apiVersion": version, "kind": "ExecCredential", "status": status}))
"""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def write_plugin(directory: Path) -> Path:
    script = directory / "plugin.py"
    script.write_text(_PLUGIN)
    return script


def exec_entry(
    script: Path, state: Path, *, mode: str = "ok", expiry: str = "-", **extra: Any
) -> dict[str, Any]:
    """A `users[].user` with an exec plugin run as `sys.executable script state mode expiry`."""
    state.mkdir(parents=True, exist_ok=True)
    exec_config: dict[str, Any] = {
        "apiVersion": "client.authentication.k8s.io/v1",
        "command": sys.executable,
        "args": [str(script), str(state), mode, expiry],
        "interactiveMode": "Never",
    }
    exec_config.update(extra)
    return {"exec": exec_config}


def kubeconfig_doc(
    *,
    cluster: dict[str, Any] | None = None,
    user: dict[str, Any] | None = None,
    name: str = "main",
    current: str | None = "main",
) -> dict[str, Any]:
    """One cluster, one user and one context, all called `name`."""
    doc: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": cluster or {"server": "https://k8s.example:6443"}}],
        "users": [{"name": name, "user": user or {}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
    }
    if current is not None:
        doc["current-context"] = current
    return doc


def write_doc(path: Path, doc: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc))
    return path
