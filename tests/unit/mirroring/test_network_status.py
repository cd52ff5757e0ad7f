from __future__ import annotations

import orjson
import pytest

from mirrorctl.mirroring.errors import AnnotationError
from mirrorctl.mirroring.network_status import (
    MAX_STATUS_ENTRIES,
    NetworkStatusEntry,
    parse_network_status,
)


def test_parse_network_status() -> None:
    value = (
        '[{"name": "default-podnetwork", "interface": "eth0", "ips": ["10.0.0.5", "fd00::5"],'
        ' "mac": "02:00:00:00:00:05", "default": true, "dns": {}},'
        ' {"name": "ns/net-a", "interface": "eth1", "ips": null}]'
    )
    assert parse_network_status(value) == (
        NetworkStatusEntry(
            "default-podnetwork", "eth0", ("10.0.0.5", "fd00::5"), "02:00:00:00:00:05", True
        ),
        NetworkStatusEntry("ns/net-a", "eth1", (), None, False),
    )


def test_empty() -> None:
    assert parse_network_status("") == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{", "is not valid JSON"),
        ('{"name": "a"}', "must be a JSON list"),
        ("[1]", "entry 1 must be an object"),
        ('[{"ips": "10.0.0.1"}]', "'ips' must be a list of strings"),
        ('[{"ips": [1]}]', "'ips' must be a list of strings"),
        ('[{"default": "yes"}]', "'default' must be true or false"),
        ('[{"interface": 0}]', "'interface' must be a string"),
    ],
)
def test_rejects(value: str, message: str) -> None:
    with pytest.raises(AnnotationError, match=message):
        parse_network_status(value)


def test_at_most_one_entry_per_readable_interface() -> None:
    def annotation(count: int) -> str:
        return orjson.dumps([{"interface": f"e{i}"} for i in range(count)]).decode()

    assert len(parse_network_status(annotation(MAX_STATUS_ENTRIES))) == MAX_STATUS_ENTRIES
    with pytest.raises(AnnotationError, match=f"has 20000 entries; .* {MAX_STATUS_ENTRIES}"):
        parse_network_status(annotation(20_000))
