"""The reconcile log context uses structlog's own context variables."""

from __future__ import annotations

import structlog

from mirrorctl.controller.log_context import bind_reconcile, unbind_reconcile


def test_bound_keys_are_structlogs_and_unbinding_restores_the_outer_ones() -> None:
    structlog.contextvars.clear_contextvars()
    outer = structlog.contextvars.bind_contextvars(name="outer", request="r1")
    try:
        tokens = bind_reconcile("ctl", None, "x", "id-1")
        assert structlog.contextvars.get_contextvars() == {
            "name": "x",
            "request": "r1",
            "controller": "ctl",
            "namespace": None,
            "reconcile_id": "id-1",
        }
        # structlog's own calls act on the same variables.
        structlog.contextvars.unbind_contextvars("reconcile_id")
        assert "reconcile_id" not in structlog.contextvars.get_contextvars()
        unbind_reconcile(tokens)
        assert structlog.contextvars.get_contextvars() == {"name": "outer", "request": "r1"}
    finally:
        structlog.contextvars.reset_contextvars(**outer)
    assert structlog.contextvars.get_contextvars() == {}


def test_log_lines_merge_the_bound_keys() -> None:
    structlog.contextvars.clear_contextvars()
    tokens = bind_reconcile("ctl", "ns", "x", "id-2")
    try:
        merged = structlog.contextvars.merge_contextvars(None, "info", {"event": "e"})
    finally:
        unbind_reconcile(tokens)
    assert merged == {
        "event": "e",
        "controller": "ctl",
        "namespace": "ns",
        "name": "x",
        "reconcile_id": "id-2",
    }
