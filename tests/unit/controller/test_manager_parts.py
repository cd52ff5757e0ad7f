"""Pure parts of the manager: bind addresses, health checks, runnable classification."""

from __future__ import annotations

import pytest

from mirrorctl.manager import BindAddress, Checks, RunnableFunc, needs_leader_election
from mirrorctl.manager.options import ManagerOptions


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        (":9090", "", 9090),  # every interface
        ("0.0.0.0:9090", "", 9090),
        ("[::1]:0", "::1", 0),
        ("localhost:0", "localhost", 0),
    ],
)
def test_bind_address_parse(text: str, host: str, port: int) -> None:
    address = BindAddress.parse(text)
    assert (address.host, address.port) == (host, port)
    assert BindAddress.parse(str(address)) == address


@pytest.mark.parametrize("text", ["8080", "host:", "host:http", "host:70000"])
def test_bind_address_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"port|host:port"):
        BindAddress.parse(text)


def test_options_validate_addresses_and_timeouts() -> None:
    with pytest.raises(ValueError, match="host:port"):
        ManagerOptions(metrics_bind_address="nope")
    with pytest.raises(ValueError, match="graceful_shutdown_timeout"):
        ManagerOptions(graceful_shutdown_timeout=-1)


async def test_checks_report_each_failure_with_its_reason() -> None:
    checks = Checks()

    def failing() -> None:
        raise RuntimeError("not synced")

    async def passing() -> None:
        return None

    checks.add("a", passing)
    checks.add("b", failing)
    results = await checks.run()
    assert [(r.name, r.ok, r.reason) for r in results] == [
        ("a", True, ""),
        ("b", False, "not synced"),
    ]
    assert [r.ok for r in await checks.run("a")] == [True]
    with pytest.raises(ValueError, match="already"):
        checks.add("a", passing)
    with pytest.raises(ValueError, match="invalid"):
        checks.add("x/y", passing)


def test_runnables_need_leader_election_unless_they_say_otherwise() -> None:
    async def fn() -> None:
        return None

    class Bare:
        async def start(self) -> None:
            return None

    assert needs_leader_election(Bare())
    assert needs_leader_election(RunnableFunc(fn))
    assert not needs_leader_election(RunnableFunc(fn, need_leader_election=False))
