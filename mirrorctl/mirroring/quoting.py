"""How user-supplied text appears in messages: quoted, and bounded.

Annotations and Contrail fields can hold hundreds of kilobytes. Everything a message quotes
ends up in Events, MirrorDestination status and logs, where it must stay readable and within
the apiserver's limits.
"""

from __future__ import annotations

__all__ = ["OBSERVATION_MAX", "bounded", "shown"]

# The longest observation (and Ready message) mirrorctl writes. A Condition's message may hold
# 32768 characters; several faults fit in this, and a MirrorDestination stays small.
OBSERVATION_MAX = 4096

_SHOWN_MAX = 60


def shown(value: object) -> str:
    """``repr(value)``, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= _SHOWN_MAX else f"{text[: _SHOWN_MAX - 3]}..."


def bounded(text: str, limit: int) -> str:
    """``text`` if it has at most ``limit`` characters, else its start and how much was left
    out."""
    if len(text) <= limit:
        return text
    # Sized for the largest count it could show, so the result never exceeds ``limit``.
    kept = max(limit - len(f" ... ({len(text)} more characters)"), 0)
    return f"{text[:kept]} ... ({len(text) - kept} more characters)"
