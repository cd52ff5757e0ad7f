"""Requests, results and the reconciler interface shared by controllers and reconcilers."""

from mirrorctl.reconcile.errors import TerminalError
from mirrorctl.reconcile.reconciler import Reconciler, ReconcilerFunc
from mirrorctl.reconcile.request import Request
from mirrorctl.reconcile.result import Result

__all__ = ["Reconciler", "ReconcilerFunc", "Request", "Result", "TerminalError"]
