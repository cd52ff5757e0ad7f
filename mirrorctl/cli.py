"""The ``mirrorctl`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mirrorctl import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mirrorctl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("version", help="print the version")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "version":
        print(f"mirrorctl {__version__}")
        return 0
    print(f"unknown command {args.command}", file=sys.stderr)
    return 2
