"""`mirrorctl run` and `dev` pick their event loop: uvloop when they can, asyncio's on request."""

from __future__ import annotations

import asyncio
import sys
import warnings

import pytest

from mirrorctl.cli.event_loop import UnavailableLoopError, loop_factory, run_on
from mirrorctl.cli.main import main


async def loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_auto_and_uvloop_run_on_uvloop_when_it_is_installed() -> None:
    assert run_on("auto", loop_module()).startswith("uvloop")
    assert run_on("uvloop", loop_module()).startswith("uvloop")


def test_asyncio_runs_on_the_standard_loop() -> None:
    assert loop_factory("asyncio") is None
    assert run_on("asyncio", loop_module()).startswith("asyncio")


def test_without_uvloop_auto_falls_back_and_uvloop_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop raises ImportError
    assert loop_factory("auto") is None
    assert run_on("auto", loop_module()).startswith("asyncio")
    coroutine = loop_module()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a never-awaited coroutine would warn
        with pytest.raises(UnavailableLoopError, match="uvloop is not installed"):
            run_on("uvloop", coroutine)


def test_run_asking_for_a_missing_uvloop_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)
    monkeypatch.setenv("MIRRORCTL_LOG_LEVEL", "error")
    assert main(["run", "--event-loop", "uvloop", "--kubeconfig", "/dev/null"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "mirrorctl: event_loop is uvloop, but uvloop is not installed (pip install uvloop)"
    ]
