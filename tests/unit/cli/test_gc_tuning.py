import gc

import pytest

import mirrorctl.cli.run
from mirrorctl.cli.gc_tuning import LONG_RUNNING_THRESHOLDS, freeze_once_synced, long_running_gc
from mirrorctl.cli.main import main
from mirrorctl.cli.settings import RunSettings
from mirrorctl.manager.runnable import RunnableFunc, needs_leader_election


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


async def test_run_freezes_the_collector_once_the_caches_have_synced() -> None:
    added: list[RunnableFunc] = []

    class Recording:
        def add(self, runnable: RunnableFunc) -> None:
            added.append(runnable)

    freeze_once_synced(Recording())  # type: ignore[arg-type]
    (runnable,) = added
    # Runnables that run everywhere start once the caches sync, on standbys too.
    assert not needs_leader_election(runnable)
    gc.unfreeze()
    try:
        await runnable.start()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
