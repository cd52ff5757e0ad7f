"""Running one kubeconfig-taking benchmark on its own: ``python -m benchmarks.bN_name
[KUBECONFIG]`` prints its figures as JSON, against a local control plane started for the run
when no kubeconfig is given."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["main"]


def main(run: Callable[[str], dict[str, Any]]) -> None:
    if len(sys.argv) > 1:
        print(json.dumps(run(sys.argv[1]), indent=2))
        return
    from mirrorctl.envtest import ControlPlane

    with ControlPlane() as cp:
        print(json.dumps(run(str(cp.admin_kubeconfig)), indent=2))
