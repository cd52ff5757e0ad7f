"""A reconcile's log context: its controller, object and id, on every line logged while it
runs, through structlog's context variables, exactly as ``bind_contextvars`` binds them."""

from __future__ import annotations

import contextvars
from functools import cache
from typing import Any

import structlog

__all__ = ["bind_reconcile", "unbind_reconcile"]

_KEYS = ("controller", "namespace", "name", "reconcile_id")

_Tokens = tuple[contextvars.Token[Any], ...]


@cache
def _variables() -> tuple[contextvars.ContextVar[Any], ...]:
    # structlog's own variables for these keys (a token names its variable), so that its
    # `bind_contextvars`, `unbind_contextvars` and `clear_contextvars` see the same ones.
    tokens = structlog.contextvars.bind_contextvars(**dict.fromkeys(_KEYS))
    structlog.contextvars.reset_contextvars(**tokens)
    return tuple(tokens[key].var for key in _KEYS)


def bind_reconcile(controller: str, namespace: str | None, name: str, reconcile_id: str) -> _Tokens:
    """Bind the four keys; `unbind_reconcile` with the tokens returned restores what was bound
    before. ``bind_contextvars`` does the same, at four times the cost: it looks each variable
    up by a name it formats, on every reconcile."""
    controller_var, namespace_var, name_var, id_var = _variables()
    return (
        controller_var.set(controller),
        namespace_var.set(namespace),
        name_var.set(name),
        id_var.set(reconcile_id),
    )


def unbind_reconcile(tokens: _Tokens) -> None:
    controller_var, namespace_var, name_var, id_var = _variables()
    controller, namespace, name, reconcile_id = tokens
    id_var.reset(reconcile_id)
    name_var.reset(name)
    namespace_var.reset(namespace)
    controller_var.reset(controller)
