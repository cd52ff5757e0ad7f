"""``mirrorctl run`` as a process: its settings from each source, a bad setting, and SIGTERM."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
import yaml

from mirrorctl.envtest import ControlPlane

from .support import Process, free_port, mirrorctl, port_is_free, ready

pytestmark = pytest.mark.integration


async def _run_until_ready(
    port: int, args: list[str], env: dict[str, str], *, absent: tuple[int, ...] = ()
) -> None:
    """Start `run`, wait until it is ready on ``port`` (and on no port in ``absent``), stop it
    with SIGTERM: it exits 0 promptly and leaves its ports free."""
    process = await Process.start(*args, env=env)
    try:
        await ready(port)
        assert all(port_is_free(p) for p in absent), process.output()
        code = await process.stop(signal.SIGTERM, timeout=30)
    finally:
        await process.kill()
    assert code == 0, process.output()
    assert port_is_free(port)


def _config(path: Path, **settings: object) -> Path:
    path.write_text(yaml.safe_dump(settings))
    return path


@pytest.fixture
def base(control_plane: ControlPlane, crds: list[str], rbac: None) -> dict[str, str]:
    """Settings every run gets: the controller identity, quiet logs, no metrics port clash."""
    return {
        "MIRRORCTL_LOG_LEVEL": "warning",
        "MIRRORCTL_METRICS_BIND_ADDRESS": "127.0.0.1:0",
    }


async def test_settings_from_a_config_file(
    control_plane: ControlPlane, base: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    config = _config(
        tmp_path / "mirrorctl.yaml",
        kubeconfig=str(control_plane.controller_kubeconfig),
        health_probe_bind_address=f"127.0.0.1:{port}",
        workers=2,
    )
    await _run_until_ready(port, ["run", "--config", str(config)], base)


async def test_the_environment_wins_over_the_file(
    control_plane: ControlPlane, base: dict[str, str], tmp_path: Path
) -> None:
    file_port, env_port = free_port(), free_port()
    config = _config(
        tmp_path / "mirrorctl.yaml",
        kubeconfig="/nonexistent/kubeconfig",
        health_probe_bind_address=f"127.0.0.1:{file_port}",
    )
    env = {
        **base,
        "MIRRORCTL_KUBECONFIG": str(control_plane.controller_kubeconfig),
        "MIRRORCTL_HEALTH_PROBE_BIND_ADDRESS": f"127.0.0.1:{env_port}",
    }
    await _run_until_ready(env_port, ["run", "--config", str(config)], env, absent=(file_port,))


async def test_flags_win_over_the_environment_and_the_file(
    control_plane: ControlPlane, base: dict[str, str], tmp_path: Path
) -> None:
    file_port, env_port, flag_port = free_port(), free_port(), free_port()
    config = _config(
        tmp_path / "mirrorctl.yaml", health_probe_bind_address=f"127.0.0.1:{file_port}"
    )
    env = {
        **base,
        "MIRRORCTL_KUBECONFIG": "/nonexistent/kubeconfig",
        "MIRRORCTL_HEALTH_PROBE_BIND_ADDRESS": f"127.0.0.1:{env_port}",
    }
    args = [
        "run",
        "--config",
        str(config),
        "--kubeconfig",
        str(control_plane.controller_kubeconfig),
        "--health-probe-bind-address",
        f"127.0.0.1:{flag_port}",
        "--workers",
        "3",
    ]
    await _run_until_ready(flag_port, args, env, absent=(file_port, env_port))


@pytest.mark.parametrize("source", ["flag", "env", "file"])
async def test_a_bad_setting_exits_2_with_one_line_naming_it(
    source: str, control_plane: ControlPlane, tmp_path: Path
) -> None:
    args = ["run", "--kubeconfig", str(control_plane.controller_kubeconfig)]
    env: dict[str, str] = {}
    if source == "flag":
        args += ["--workers", "0"]
    elif source == "env":
        env["MIRRORCTL_WORKERS"] = "0"
    else:
        args += ["--config", str(_config(tmp_path / "bad.yaml", workers=0))]
    finished = await mirrorctl(*args, env=env, timeout=60)
    assert finished.code == 2, finished
    lines = finished.stderr.splitlines()
    assert len(lines) == 1, finished.stderr
    assert "workers" in lines[0]
    assert "--workers" in lines[0]
    assert "MIRRORCTL_WORKERS" in lines[0]


async def test_an_unknown_setting_in_the_file_is_named(tmp_path: Path) -> None:
    config = _config(tmp_path / "typo.yaml", wrokers=3)
    finished = await mirrorctl("run", "--config", str(config), timeout=60)
    assert finished.code == 2, finished
    assert len(finished.stderr.splitlines()) == 1
    assert "wrokers" in finished.stderr


async def test_a_lease_it_may_not_use_ends_the_run_with_one_line(
    base: dict[str, str], control_plane: ControlPlane
) -> None:
    finished = await mirrorctl(
        "run",
        "--kubeconfig",
        str(control_plane.controller_kubeconfig),
        "--leader-elect",
        "--lease-namespace",
        "no-such-namespace",
        env=base,
        timeout=60,
    )
    assert finished.code == 1, finished
    assert "Traceback" not in finished.stderr
    last = finished.stderr.splitlines()[-1]
    assert last.startswith("mirrorctl: lease no-such-namespace/"), finished.stderr


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
async def test_either_event_loop_runs_and_stops_cleanly(
    loop: str, control_plane: ControlPlane, base: dict[str, str]
) -> None:
    port = free_port()
    args = [
        "run",
        "--kubeconfig",
        str(control_plane.controller_kubeconfig),
        "--health-probe-bind-address",
        f"127.0.0.1:{port}",
        "--event-loop",
        loop,
    ]
    await _run_until_ready(port, args, base)
