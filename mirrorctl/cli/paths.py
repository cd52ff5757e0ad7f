"""Where the shipped manifests (``config/``) are."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["config_dir"]


def config_dir() -> Path:
    """``$MIRRORCTL_CONFIG_DIR``, else the ``config/`` of the source tree mirrorctl runs from."""
    explicit = os.environ.get("MIRRORCTL_CONFIG_DIR")
    candidates = [Path(explicit)] if explicit else []
    candidates.append(Path(__file__).resolve().parents[2] / "config")
    for candidate in candidates:
        if (candidate / "crd").is_dir():
            return candidate
    raise FileNotFoundError(
        "the mirrorctl manifests (config/crd, config/rbac, ...) were not found; "
        "set MIRRORCTL_CONFIG_DIR to the config/ directory of a mirrorctl checkout"
    )
