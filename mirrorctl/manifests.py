"""Load YAML manifests and apply them with server-side apply, resolving kinds by discovery.

Used by the tests, ``mirrorctl dev`` and ``mirrorctl manifests`` so that CRDs, RBAC and samples
are installed the same way ``kubectl apply --server-side`` would.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mirrorctl.client import Client, NotFoundError, PatchType, Resource
from mirrorctl.client.resources import CUSTOMRESOURCEDEFINITIONS

__all__ = ["Discovery", "apply_manifests", "load_manifests", "wait_for_crds"]

FIELD_MANAGER = "mirrorctl"


def load_manifests(*paths: str | Path) -> list[dict[str, Any]]:
    """Every YAML document in the given files and directories (``kustomization.yaml`` skipped),
    in a stable order: directories by file name, documents in file order."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.glob("*.y*ml") if f.name != "kustomization.yaml"))
        else:
            files.append(p)
    docs: list[dict[str, Any]] = []
    for f in files:
        for doc in yaml.safe_load_all(f.read_text()):
            if doc is None:
                continue
            if not isinstance(doc, dict) or "apiVersion" not in doc or "kind" not in doc:
                raise ValueError(f"{f}: a document without apiVersion and kind")
            docs.append(doc)
    return docs


_BUILTIN: dict[tuple[str, str], tuple[str, bool]] = {
    ("v1", "Namespace"): ("namespaces", False),
    ("v1", "ServiceAccount"): ("serviceaccounts", True),
    ("v1", "ConfigMap"): ("configmaps", True),
    ("v1", "Secret"): ("secrets", True),
    ("v1", "Service"): ("services", True),
    ("v1", "Pod"): ("pods", True),
    ("apps/v1", "Deployment"): ("deployments", True),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): ("clusterroles", False),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): ("clusterrolebindings", False),
    ("rbac.authorization.k8s.io/v1", "Role"): ("roles", True),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): ("rolebindings", True),
    ("coordination.k8s.io/v1", "Lease"): ("leases", True),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"): (
        "customresourcedefinitions",
        False,
    ),
}


class Discovery:
    """apiVersion + kind → `Resource`: built-in kinds from a table, custom kinds from the
    server's CustomResourceDefinitions (cached)."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._custom: dict[tuple[str, str], Resource] | None = None

    async def resource(self, api_version: str, kind: str) -> Resource:
        group, _, version = api_version.rpartition("/")
        builtin = _BUILTIN.get((api_version, kind))
        if builtin is not None:
            plural, namespaced = builtin
            return Resource(group, version, plural, kind, namespaced)
        if self._custom is None or (api_version, kind) not in self._custom:
            self._custom = await self._fetch_custom()
        try:
            return self._custom[(api_version, kind)]
        except KeyError:
            raise LookupError(f"the server serves no kind {kind} in {api_version}") from None

    async def _fetch_custom(self) -> dict[tuple[str, str], Resource]:
        crds = await self._client.list(CUSTOMRESOURCEDEFINITIONS)
        out: dict[tuple[str, str], Resource] = {}
        for crd in crds.get("items", []):
            spec = crd["spec"]
            for v in spec["versions"]:
                if v.get("served"):
                    out[(f"{spec['group']}/{v['name']}", spec["names"]["kind"])] = Resource(
                        spec["group"],
                        v["name"],
                        spec["names"]["plural"],
                        spec["names"]["kind"],
                        spec["scope"] == "Namespaced",
                    )
        return out


async def apply_manifests(
    client: Client,
    docs: Iterable[Mapping[str, Any]],
    *,
    namespace: str | None = None,
    field_manager: str = FIELD_MANAGER,
) -> list[dict[str, Any]]:
    """Server-side apply every document; namespaced ones without a namespace go to
    ``namespace`` (or ``default``)."""
    discovery = Discovery(client)
    applied = []
    for doc in docs:
        res = await discovery.resource(doc["apiVersion"], doc["kind"])
        meta = doc.get("metadata") or {}
        ns = (meta.get("namespace") or namespace or "default") if res.namespaced else None
        body = dict(doc)
        if ns is not None:
            body["metadata"] = {**meta, "namespace": ns}
        applied.append(
            await client.patch(
                res,
                meta["name"],
                body,
                ns,
                patch_type=PatchType.APPLY,
                field_manager=field_manager,
                force=True,
            )
        )
    return applied


async def wait_for_crds(client: Client, names: Iterable[str], timeout: float = 60.0) -> None:
    """Until every named CRD is Established (its API is served)."""
    deadline = time.monotonic() + timeout
    for name in names:
        while True:
            try:
                crd = await client.get(CUSTOMRESOURCEDEFINITIONS, name)
            except NotFoundError:
                crd = {}
            conditions = (crd.get("status") or {}).get("conditions") or []
            if any(
                c.get("type") == "Established" and c.get("status") == "True" for c in conditions
            ):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"CRD {name} not established after {timeout:.0f}s")
            await asyncio.sleep(0.1)
