"""structlog set-up for the command: JSON or console, a level, and no secrets in any line."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any, Literal

import structlog

__all__ = ["configure_logging", "redact"]

_SECRET_KEY = re.compile(r"token|authorization|password|secret|credential|bearer", re.I)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Blank values under secret-looking keys and bearer tokens inside any string."""
    for key, value in list(event.items()):
        if _SECRET_KEY.search(key):
            event[key] = "[redacted]"
        elif isinstance(value, str) and "earer" in value:
            event[key] = _BEARER.sub(r"\1[redacted]", value)
    return event


def configure_logging(fmt: Literal["json", "console"], level: str) -> None:
    numeric = logging.getLevelName(level.upper())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    # aiohttp and asyncio log through the standard library.
    logging.basicConfig(level=max(numeric, logging.WARNING), stream=sys.stderr)
