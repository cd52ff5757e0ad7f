"""The ``mirrorctl`` command."""

from mirrorctl.cli.main import main

__all__ = ["main"]
