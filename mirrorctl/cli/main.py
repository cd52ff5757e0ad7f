"""Argument parsing and dispatch for ``mirrorctl``. Exit codes: 0 success, 1 runtime failure,
2 bad usage or a bad setting (one line naming it), 130 interrupted."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from mirrorctl import __version__
from mirrorctl.cli.explain_args import (
    EXPLAIN_ARGUMENTS,
    EXPLAIN_SETTINGS,
    add_explain_arguments,
    explain_request,
    usage_error,
)
from mirrorctl.cli.logs import configure_logging, error_line
from mirrorctl.cli.output import OutputError
from mirrorctl.cli.settings import RunSettings, unknown_variables

__all__ = ["main"]


def _add_setting_flags(
    parser: argparse.ArgumentParser, names: Collection[str] | None = None
) -> None:
    parser.add_argument("--config", type=Path, help="YAML settings file (lowest precedence)")
    for name, field in RunSettings.model_fields.items():
        if names is not None and name not in names:
            continue
        flag = "--" + name.replace("_", "-")
        help_text = f"{field.description or name} (env MIRRORCTL_{name.upper()})"
        if field.annotation is bool:
            parser.add_argument(
                flag,
                action=argparse.BooleanOptionalAction,
                default=argparse.SUPPRESS,
                help=help_text,
            )
            continue
        choices = get_args(field.annotation) if "Literal" in str(field.annotation) else None
        parser.add_argument(
            flag,
            default=argparse.SUPPRESS,
            metavar=name.upper(),
            choices=choices or None,
            help=help_text,
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mirrorctl",
        description="Port-based mirroring for Cloud-Native Contrail, on an asyncio controller "
        "toolkit.",
    )
    parser.add_argument("--version", action="version", version=f"mirrorctl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_setting_flags(sub.add_parser("run", help="run the controller against a cluster"))
    _add_setting_flags(
        sub.add_parser("dev", help="run everything on a local control plane (Ctrl-C stops)")
    )
    _add_setting_flags(
        sub.add_parser("auto", help="`run` if a kubeconfig is reachable, else `dev` (make run)")
    )
    explain = sub.add_parser(
        "explain",
        help="why a pod's interfaces are (not) mirrored, or a MirrorDestination's chain",
        description="Reads the cluster as the controller does and shows, link by link, what "
        "mirrors where and which link is missing. Exit 0 when found, 1 when not found.",
    )
    _add_setting_flags(explain, EXPLAIN_SETTINGS)
    add_explain_arguments(explain)
    sub.add_parser(
        "manifests",
        help="print CRDs, namespace, RBAC, Deployment and metrics Service (kubectl apply -f -)",
    )
    sub.add_parser("version", help="print the version")
    return parser


_NOT_SETTINGS = {"command", "config", *EXPLAIN_ARGUMENTS}


def _settings(args: argparse.Namespace) -> RunSettings:
    flags: dict[str, Any] = {k: v for k, v in vars(args).items() if k not in _NOT_SETTINGS}
    return RunSettings.load(flags, args.config)


def _setting_error(
    error: ValidationError, config: Path | None, flags: Sequence[str] | None = None
) -> str:
    """``flags``: the settings the command has a flag for (None: all of them)."""
    first = error.errors()[0]
    name = ".".join(str(p) for p in first["loc"]) or "settings"
    if first["type"] == "extra_forbidden":
        # Only the file can hold an unknown key (flags are parsed, the environment is read by
        # field): there is no flag or variable to name.
        return f"mirrorctl: unknown setting {name} in config file {config}"
    # A command without the flag (explain has no --qps) took the value from elsewhere.
    flag = "--" + name.replace("_", "-") + " / " if flags is None or name in flags else ""
    return f"mirrorctl: invalid setting {name} ({flag}MIRRORCTL_{name.upper()}): {first['msg']}" + (
        f" (got {first['input']!r})" if "input" in first and first["type"] != "missing" else ""
    )


def _has_cluster(settings: RunSettings) -> bool:
    if settings.kubeconfig is not None or settings.in_cluster or os.environ.get("KUBECONFIG"):
        return True
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return True
    return (Path.home() / ".kube" / "config").is_file()


def _explain(settings: RunSettings, args: argparse.Namespace) -> int:
    try:
        request = explain_request(args)
    except ValueError as e:
        return usage_error(str(e))
    # Only what needs attention: the answer itself goes to stdout.
    configure_logging("console", "warning")
    from mirrorctl.cli.explain_cmd import explain

    try:
        return asyncio.run(explain(settings, request))
    except KeyboardInterrupt:
        return 130


def _reader_gone() -> int:
    """Stdout's reader went away (``mirrorctl manifests | head``), or stdout cannot be written:
    end with status 1, as a command killed by SIGPIPE does, with stdout on /dev/null so the
    interpreter's last flush at exit does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "version":
        print(f"mirrorctl {__version__}")
        return 0
    if args.command == "manifests":
        from mirrorctl.cli.manifests_cmd import manifests

        try:
            return manifests()
        except BrokenPipeError:
            return _reader_gone()
        except OutputError as error:
            print(f"mirrorctl: {error}", file=sys.stderr)
            return _reader_gone()
    try:
        settings = _settings(args)
    except ValidationError as e:
        flags = EXPLAIN_SETTINGS if args.command == "explain" else None
        print(_setting_error(e, args.config, flags), file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as e:
        print(f"mirrorctl: {e}", file=sys.stderr)
        return 2
    for warning in unknown_variables(os.environ):
        print(warning, file=sys.stderr)
    if args.command == "explain":
        try:
            return _explain(settings, args)
        except BrokenPipeError:
            return _reader_gone()
        except OutputError as error:
            print(f"mirrorctl: {error}", file=sys.stderr)
            return _reader_gone()
    configure_logging(settings.log_format, settings.log_level)
    command = args.command
    if command == "auto":
        command = "run" if _has_cluster(settings) else "dev"
        if (
            command == "run"
            and os.environ.get("KUBERNETES_SERVICE_HOST")
            and not (os.environ.get("KUBECONFIG") or settings.kubeconfig)
        ):
            settings = settings.model_copy(update={"in_cluster": True})
    from mirrorctl.cli.event_loop import UnavailableLoopError, run_on
    from mirrorctl.cli.gc_tuning import long_running_gc
    from mirrorctl.cli.run import ClusterConfigError
    from mirrorctl.leaderelection import LeaseAccessError
    from mirrorctl.manager import ManagerError

    try:
        if command == "run":
            from mirrorctl.cli.run import run

            with long_running_gc():
                return run_on(settings.event_loop, run(settings))
        from mirrorctl.cli.dev import dev

        with long_running_gc():
            return run_on(settings.event_loop, dev(settings))
    except UnavailableLoopError as error:
        print(f"mirrorctl: {error}", file=sys.stderr)
        return 2
    except (ClusterConfigError, LeaseAccessError) as error:
        print(f"mirrorctl: {error_line(error)}", file=sys.stderr)
        return 1
    except ManagerError as error:
        # An expected end of a run (leadership lost): what happened, and why, in one line; the
        # logs before it hold the detail.
        cause = f": {error.__cause__}" if error.__cause__ is not None else ""
        print(f"mirrorctl: {error_line(f'{error}{cause}')}", file=sys.stderr)
        return 1
    except OSError as error:
        # A listener that cannot bind (address in use, not local, privileged port): the
        # manager's log line holds the traceback; the command ends in one line, as a runtime
        # failure.
        print(f"mirrorctl: {error_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
