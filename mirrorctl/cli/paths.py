"""Where mirrorctl's own manifests (``config/``) are."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["config_candidates", "config_dir", "not_a_file"]


def config_candidates() -> list[Path]:
    """Where `config_dir` looks: ``$MIRRORCTL_CONFIG_DIR`` alone when it is set, else, in
    order, the ``config/`` of the source tree mirrorctl runs from (a checkout or an editable
    install) and the copy an install puts in ``<prefix>/share/mirrorctl/config`` (the data
    files of pyproject.toml)."""
    explicit = os.environ.get("MIRRORCTL_CONFIG_DIR")
    if explicit:
        # A wrong path fails rather than quietly giving the stock manifests instead of the
        # ones it names.
        return [Path(explicit)]
    candidates = [Path(__file__).resolve().parents[2] / "config"]
    candidates.append(Path(sys.prefix) / "share" / "mirrorctl" / "config")
    return candidates


def config_dir(candidates: list[Path] | None = None) -> Path:
    """The first of ``candidates`` (by default `config_candidates`) that holds ``crd/``."""
    if candidates is None:
        candidates = config_candidates()
    for candidate in candidates:
        if (candidate / "crd").is_dir():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(
        f"the mirrorctl manifests (config/crd, config/rbac, ...) were not found in {looked}; "
        "set MIRRORCTL_CONFIG_DIR to the config/ directory of a mirrorctl checkout"
    )


def not_a_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (None when it can be): a directory exists, and
    "does not exist" would send the user looking for a typo."""
    if path.is_file():
        return None
    return "is a directory, not a file" if path.is_dir() else "does not exist"
