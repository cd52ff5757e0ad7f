"""Token files re-read as they rotate, on a fake clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.client.token_file import TokenFileCredentials
from mirrorctl.clock import FakeClock


async def test_rotation_is_picked_up_within_a_minute(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("first\n")
    clock = FakeClock()
    credentials = TokenFileCredentials(token, owner="user 'u'", clock=clock)
    assert credentials.authorization == "Bearer first"
    assert credentials.refreshable
    token.write_text("second")
    await clock.advance(59)
    assert not credentials.stale()
    await clock.advance(1)
    assert credentials.stale()
    await credentials.refresh()
    assert credentials.authorization == "Bearer second"
    assert not credentials.stale()
    assert "second" not in repr(credentials)


async def test_forced_refresh_rereads_at_once(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("first")
    clock = FakeClock()
    credentials = TokenFileCredentials(token, owner="user 'u'", clock=clock)
    token.write_text("second")
    assert not credentials.stale()
    await credentials.refresh(force=True)
    assert credentials.authorization == "Bearer second"


async def test_unreadable_file_keeps_the_previous_token(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("first")
    clock = FakeClock()
    credentials = TokenFileCredentials(token, owner="user 'u'", clock=clock)
    token.unlink()
    await clock.advance(60)
    await credentials.refresh()
    assert credentials.authorization == "Bearer first"
    assert not credentials.stale()  # tried again a minute later, not on every request
    token.write_text("back")
    await clock.advance(60)
    await credentials.refresh()
    assert credentials.authorization == "Bearer back"


async def test_concurrent_refreshes_collapse(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("first")
    clock = FakeClock()
    credentials = TokenFileCredentials(token, owner="user 'u'", clock=clock)
    await clock.advance(60)
    token.write_text("second")
    await asyncio.gather(*(credentials.refresh() for _ in range(3)))
    assert credentials.authorization == "Bearer second"
    assert not credentials.stale()


def test_first_read_must_succeed(tmp_path: Path) -> None:
    with pytest.raises(KubeconfigError, match=r"cannot read the token file .* of user 'u'"):
        TokenFileCredentials(tmp_path / "absent", owner="user 'u'")


async def test_a_fallback_token_stands_in_until_the_file_can_be_read(tmp_path: Path) -> None:
    token = tmp_path / "token"
    clock = FakeClock()
    credentials = TokenFileCredentials(token, owner="user 'u'", clock=clock, fallback="inline")
    assert credentials.authorization == "Bearer inline"
    token.write_text("from-file")
    await clock.advance(60)
    await credentials.refresh()
    assert credentials.authorization == "Bearer from-file"


def test_with_a_fallback_a_readable_file_still_wins(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("from-file")
    credentials = TokenFileCredentials(token, owner="user 'u'", fallback="inline")
    assert credentials.authorization == "Bearer from-file"
