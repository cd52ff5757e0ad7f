"""The files a plain kustomization (``resources`` only) is built from, without kustomize.

``config/default`` only lists resources, so ``mirrorctl manifests`` can produce what
``kubectl kustomize config/default`` produces with no kustomize installed. Anything a
kustomization can do beyond listing (patches, name prefixes, generators, remote bases) is
refused rather than silently ignored, so the two can never drift apart unnoticed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["KUSTOMIZATION", "kustomization_files"]

KUSTOMIZATION = "kustomization.yaml"
_PLAIN_KEYS = {"apiVersion", "kind", "resources"}


def _read(directory: Path) -> list[str]:
    path = directory / KUSTOMIZATION
    if not path.is_file():
        raise FileNotFoundError(f"{directory} has no {KUSTOMIZATION}")
    loaded: Any = yaml.safe_load(path.read_text()) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: not a kustomization (expected a mapping)")
    extra = sorted(set(loaded) - _PLAIN_KEYS)
    if extra:
        raise ValueError(
            f"{path}: uses {', '.join(extra)}, which mirrorctl does not implement; "
            "build it with `kubectl kustomize` instead"
        )
    resources = loaded.get("resources") or []
    if not isinstance(resources, list) or not all(isinstance(r, str) for r in resources):
        raise ValueError(f"{path}: resources must be a list of paths")
    return resources


def kustomization_files(directory: Path) -> list[Path]:
    """Every manifest file the kustomization in ``directory`` lists, bases expanded in place,
    in the order listed; each file at most once."""
    found: list[Path] = []
    _expand(directory.resolve(), found, ())
    return found


def _expand(directory: Path, found: list[Path], visiting: tuple[Path, ...]) -> None:
    if directory in visiting:
        chain = " -> ".join(str(p) for p in (*visiting, directory))
        raise ValueError(f"kustomizations include each other: {chain}")
    for entry in _read(directory):
        if "://" in entry or entry.startswith(("github.com/", "git@")):
            raise ValueError(f"{directory / KUSTOMIZATION}: remote resource {entry!r} refused")
        target = (directory / entry).resolve()
        if target.is_dir():
            _expand(target, found, (*visiting, directory))
        elif target.is_file():
            if target not in found:
                found.append(target)
        else:
            raise FileNotFoundError(f"{directory / KUSTOMIZATION}: {entry} does not exist")
