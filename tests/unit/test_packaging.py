"""What an installed mirrorctl has of ``config/``: the wheel carries every file of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mirrorctl.cli.paths import config_candidates, config_dir

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
_SHARE = ".data/data/share/mirrorctl/config/"


def test_the_wheel_installs_every_file_of_config(tmp_path: Path) -> None:
    # Built from a copy: setuptools writes build/ and *.egg-info next to the sources.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "mirrorctl", source / "mirrorctl", ignore=ignore)
    shutil.copytree(CONFIG, source / "config", ignore=ignore)
    out = tmp_path / "dist"
    out.mkdir()
    subprocess.run(
        [sys.executable, "-c", f"import setuptools.build_meta as b; b.build_wheel({str(out)!r})"],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("mirrorctl-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {n.split(_SHARE, 1)[1] for n in names if _SHARE in n}
    expected = {p.relative_to(CONFIG).as_posix() for p in CONFIG.rglob("*") if p.is_file()}
    assert shipped == expected
    assert "mirrorctl/py.typed" in names


def test_an_install_finds_config_under_its_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MIRRORCTL_CONFIG_DIR", raising=False)
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    installed = tmp_path / "share" / "mirrorctl" / "config"
    assert config_candidates()[-1] == installed
    (installed / "crd").mkdir(parents=True)
    assert config_dir([tmp_path / "no-checkout" / "config", installed]) == installed


def test_the_environment_comes_first_and_a_miss_names_every_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRRORCTL_CONFIG_DIR", str(tmp_path / "mine"))
    assert config_candidates()[0] == tmp_path / "mine"
    with pytest.raises(FileNotFoundError, match="MIRRORCTL_CONFIG_DIR") as caught:
        config_dir([tmp_path / "a", tmp_path / "b"])
    assert str(tmp_path / "a") in str(caught.value)
    assert str(tmp_path / "b") in str(caught.value)
