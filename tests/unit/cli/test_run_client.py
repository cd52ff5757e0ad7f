"""The client `mirrorctl run` builds from its settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirrorctl.cli.run import build_manager
from mirrorctl.cli.settings import RunSettings
from tests.unit.client.kubeconfig_files import kubeconfig_doc, write_doc


@pytest.mark.parametrize(
    ("in_kubeconfig", "setting", "expected"),
    [
        (None, None, True),  # a controller asks for no compression, as kube-controller-manager
        (None, False, False),
        (False, None, True),  # the setting's default wins over the kubeconfig's
    ],
)
async def test_run_decides_compression(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    in_kubeconfig: bool | None,
    setting: bool | None,
    expected: bool,
) -> None:
    monkeypatch.delenv("MIRRORCTL_DISABLE_COMPRESSION", raising=False)
    cluster: dict[str, object] = {"server": "https://10.0.0.1:6443"}
    if in_kubeconfig is not None:
        cluster["disable-compression"] = in_kubeconfig
    path = write_doc(tmp_path / "config", kubeconfig_doc(cluster=cluster))
    flags: dict[str, object] = {"kubeconfig": path}
    if setting is not None:
        flags["disable_compression"] = setting
    settings = RunSettings.load(flags, None)
    manager = await build_manager(settings, install_signal_handlers=False)
    try:
        assert manager.client.config.disable_compression is expected
    finally:
        await manager.client.close()


@pytest.mark.parametrize(("setting", "expected"), [(None, 0.02), (0.0, 0.0), (0.05, 0.05)])
async def test_run_passes_the_watch_hold_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: float | None, expected: float
) -> None:
    monkeypatch.delenv("MIRRORCTL_WATCH_HOLD", raising=False)
    path = write_doc(tmp_path / "config", kubeconfig_doc())
    flags: dict[str, object] = {"kubeconfig": path}
    if setting is not None:
        flags["watch_hold"] = setting
    manager = await build_manager(RunSettings.load(flags, None), install_signal_handlers=False)
    try:
        assert manager.client.config.watch_hold == expected
    finally:
        await manager.client.close()


@pytest.mark.parametrize("value", [-0.01, 1.5, float("nan"), float("inf")])
def test_a_watch_hold_out_of_range_is_a_bad_setting(value: float) -> None:
    with pytest.raises(ValueError, match="watch_hold"):
        RunSettings.load({"watch_hold": value}, None)
