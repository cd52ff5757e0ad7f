import gc

import pytest

import mirrorctl.cli.run
from mirrorctl.cli.gc_tuning import LONG_RUNNING_THRESHOLDS, long_running_gc
from mirrorctl.cli.main import main
from mirrorctl.cli.settings import RunSettings


def test_thresholds_hold_inside_and_are_restored_after() -> None:
    before = gc.get_threshold()
    with long_running_gc((5_000, 7, 9)):
        assert gc.get_threshold() == (5_000, 7, 9)
    assert gc.get_threshold() == before


def test_restored_when_the_block_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), long_running_gc((5_000, 7, 9)):
        raise RuntimeError("boom")
    assert gc.get_threshold() == before


def test_run_command_runs_with_the_long_running_thresholds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[int, ...]] = []

    async def fake_run(settings: RunSettings) -> int:
        seen.append(gc.get_threshold())
        return 0

    monkeypatch.setattr(mirrorctl.cli.run, "run", fake_run)
    before = gc.get_threshold()
    assert main(["run", "--event-loop", "asyncio", "--log-level", "error"]) == 0
    assert seen == [LONG_RUNNING_THRESHOLDS]
    assert gc.get_threshold() == before
