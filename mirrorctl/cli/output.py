"""Writing a command's answer to stdout."""

from __future__ import annotations

from typing import TextIO

__all__ = ["OutputError", "write_output"]


class OutputError(Exception):
    """Stdout could not be written (a full disk, an I/O error)."""


def write_output(out: TextIO, text: str) -> None:
    """``text`` to ``out``, flushed. A reader that went away stays a BrokenPipeError, which
    the command ends quietly; any other failure is an OutputError the command reports."""
    try:
        out.write(text)
        out.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise OutputError(f"cannot write the output: {error.strerror or error}") from error
