"""structlog set-up for the command: JSON or console, a level, and no secrets in any line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import Any, Literal

import structlog

__all__ = ["configure_logging", "error_line", "redact"]

_SECRET_KEY = re.compile(r"token|authorization|password|secret|credential|bearer", re.I)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
# Basic credentials only after an Authorization header name (as in "Authorization: Basic x" or
# a headers repr), so that prose such as "basic setup" keeps its words.
_BASIC = re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?\s*basic\s+)[A-Za-z0-9+/=]+")
# The password of a URL's userinfo, as a proxy URL may carry one (scheme://user:password@host).
_URL_PASSWORD = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s/:@'\"]*:)[^\s/@'\"]+@")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        if "earer" in value or "EARER" in value:
            value = _BEARER.sub(r"\1[redacted]", value)
        if "asic" in value or "ASIC" in value:
            value = _BASIC.sub(r"\1[redacted]", value)
        if "://" in value and "@" in value:
            value = _URL_PASSWORD.sub(r"\1[redacted]@", value)
        return value
    # Containers are rendered in full by both renderers, so what they hold is cleaned too.
    if isinstance(value, Mapping):
        return {
            k: "[redacted]" if isinstance(k, str) and _SECRET_KEY.search(k) else _clean(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        # A plain tuple, not the original type: a named tuple's constructor takes fields.
        return [_clean(v) for v in value] if isinstance(value, list) else tuple(map(_clean, value))
    return value


def error_line(message: object) -> str:
    """``message`` as the one line a command prints on stderr: whitespace collapsed, and the
    redaction of the logs applied, since an error can quote a response body that echoes the
    request's Authorization header."""
    text: str = _clean(" ".join(str(message).split()))
    return text


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Blank values under secret-looking keys, and bearer tokens, basic credentials and URL
    passwords inside any string, at any depth of dicts, lists and tuples."""
    for key, value in list(event.items()):
        if _SECRET_KEY.search(key):
            event[key] = "[redacted]"
        elif isinstance(value, str | Mapping | list | tuple):
            event[key] = _clean(value)
    return event


def configure_logging(fmt: Literal["json", "console"], level: str) -> None:
    """structlog's lines and the standard library's (aiohttp, asyncio) go to stderr through
    one chain: the same format, and the same redaction, for both."""
    numeric = logging.getLevelName(level.upper())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    stamp = structlog.processors.TimeStamper(fmt="iso", utc=True)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            stamp,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.contextvars.merge_contextvars,
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                stamp,
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redact,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    # Libraries log chatter at info; only their warnings and errors concern an operator.
    root.setLevel(max(numeric, logging.WARNING))
