"""The arguments of ``mirrorctl explain`` (kept apart from the command so that parsing them
imports nothing heavy)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Literal, TextIO

from mirrorctl.cli.explain_target import Target, parse_target

__all__ = [
    "EXPLAIN_ARGUMENTS",
    "EXPLAIN_SETTINGS",
    "ExplainRequest",
    "add_explain_arguments",
    "explain_request",
    "usage_error",
]

# The settings of `run` that decide what the controller sees; explain takes the same ones.
EXPLAIN_SETTINGS = ("kubeconfig", "context", "in_cluster", "contrail_api_version", "cluster_name")
# Argument names that are explain's own, not settings.
EXPLAIN_ARGUMENTS = ("target", "pod_namespace", "output", "timeout")


def add_explain_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", nargs="+", metavar="TARGET", help="POD, pod NAME, or md NAME (mirrordestination)"
    )
    parser.add_argument(
        "-n",
        "--namespace",
        dest="pod_namespace",
        metavar="NAMESPACE",
        default=None,
        help="the pod's namespace (default: the kubeconfig context's, else 'default')",
    )
    parser.add_argument(
        "-o",
        "--output",
        choices=("text", "json"),
        default="text",
        help="text for a person (default), json for scripts",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="seconds to wait for the cluster to be read (default 120)",
    )


@dataclass(frozen=True, slots=True)
class ExplainRequest:
    target: Target
    namespace: str | None  # the pod's namespace as given; None: the context's default
    output: Literal["text", "json"]
    timeout: float


def explain_request(args: argparse.Namespace) -> ExplainRequest:
    """ValueError on bad usage."""
    if not args.timeout > 0:
        raise ValueError("--timeout must be a positive number of seconds")
    target = parse_target(args.target)
    if target.kind == "md" and args.pod_namespace is not None:
        raise ValueError("MirrorDestinations are cluster-scoped: -n does not apply")
    return ExplainRequest(target, args.pod_namespace, args.output, args.timeout)


def usage_error(message: str, *, stderr: TextIO | None = None) -> int:
    err = stderr if stderr is not None else sys.stderr
    print(f"mirrorctl explain: {message} (see mirrorctl explain --help)", file=err)
    return 2
