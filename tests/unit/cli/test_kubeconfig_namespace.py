from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mirrorctl.cli.kubeconfig_namespace import default_namespace


def _write(path: Path, current: str | None, contexts: dict[str, str | None]) -> Path:
    config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "contexts": [
            {"name": name, "context": {"cluster": "c", **({"namespace": ns} if ns else {})}}
            for name, ns in contexts.items()
        ],
    }
    if current is not None:
        config["current-context"] = current
    path.write_text(yaml.safe_dump(config))
    return path


def test_current_context_namespace(tmp_path: Path) -> None:
    path = _write(tmp_path / "kc", "one", {"one": "team-a", "two": "team-b"})
    assert default_namespace(path) == "team-a"
    assert default_namespace(path, "two") == "team-b"


def test_default_when_the_context_names_none(tmp_path: Path) -> None:
    path = _write(tmp_path / "kc", "one", {"one": None})
    assert default_namespace(path) == "default"
    assert default_namespace(path, "missing") == "default"
    assert default_namespace(tmp_path / "absent") == "default"


def test_kubeconfig_list_first_file_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _write(tmp_path / "a", None, {"x": "from-a"})
    second = _write(tmp_path / "b", "x", {"x": "from-b"})
    monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
    assert default_namespace() == "from-a"


def test_in_cluster_reads_the_service_account(tmp_path: Path) -> None:
    namespace_file = tmp_path / "namespace"
    namespace_file.write_text("mirrorctl-system\n")
    assert default_namespace(in_cluster=True, service_account_namespace=namespace_file) == (
        "mirrorctl-system"
    )
    assert default_namespace(in_cluster=True, service_account_namespace=tmp_path / "no") == (
        "default"
    )


def test_a_file_that_is_not_utf8_gives_default(tmp_path: Path) -> None:
    # Loading the client reports the file; looking up the namespace first must not raise.
    path = tmp_path / "kc"
    path.write_bytes(b"current-context: \xff\xfe\n")
    assert default_namespace(path) == "default"


def test_a_utf16_file_is_read_as_the_client_reads_it(tmp_path: Path) -> None:
    # YAML (and the client's loader) honour a byte-order mark; so does the namespace lookup.
    path = _write(tmp_path / "kc", "one", {"one": "team-a"})
    path.write_bytes(path.read_text().encode("utf-16"))
    assert default_namespace(path) == "team-a"
