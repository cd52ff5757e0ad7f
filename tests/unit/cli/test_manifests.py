from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mirrorctl.cli.kustomization import kustomization_files
from mirrorctl.cli.main import main
from mirrorctl.cli.manifests_cmd import manifest_documents, manifests, render_manifests
from mirrorctl.cli.paths import config_dir
from mirrorctl.manifests import load_manifests


def _ids(docs: list[dict[str, object]]) -> list[tuple[str, str]]:
    return [(str(d["kind"]), str(d["metadata"]["name"])) for d in docs]  # type: ignore[index]


def test_the_shipped_bundle_is_config_default() -> None:
    config = config_dir()
    docs = manifest_documents(config)
    expected = load_manifests(
        config / "default" / "namespace.yaml",
        config / "crd",
        config / "rbac",
        config / "manager",
        config / "prometheus",
    )
    assert sorted(_ids(docs)) == sorted(_ids(expected))
    kinds = [d["kind"] for d in docs]
    # What others depend on comes first.
    assert kinds[0] == "Namespace"
    assert kinds.index("CustomResourceDefinition") < kinds.index("ServiceAccount")
    assert kinds.index("ClusterRoleBinding") < kinds.index("Deployment")
    assert {"Deployment", "Service"} <= set(kinds)


def test_the_output_is_one_yaml_stream() -> None:
    out = io.StringIO()
    assert manifests(stdout=out) == 0
    parsed = [d for d in yaml.safe_load_all(out.getvalue()) if d is not None]
    assert parsed == manifest_documents()


def test_main_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifests"]) == 0
    parsed = [d for d in yaml.safe_load_all(capsys.readouterr().out) if d is not None]
    assert _ids(parsed) == _ids(manifest_documents())


def _kustomization(directory: Path, body: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "kustomization.yaml").write_text(body)


def _manifest(path: Path, kind: str, name: str) -> None:
    path.write_text(f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n")


def test_bases_expand_in_place_once(tmp_path: Path) -> None:
    _kustomization(
        tmp_path / "default", "resources:\n  - ns.yaml\n  - ../base\n  - ../base/b.yaml\n"
    )
    _manifest(tmp_path / "default" / "ns.yaml", "Namespace", "n")
    _kustomization(tmp_path / "base", "resources: [a.yaml, b.yaml]\n")
    _manifest(tmp_path / "base" / "a.yaml", "ConfigMap", "a")
    _manifest(tmp_path / "base" / "b.yaml", "Service", "b")
    files = kustomization_files(tmp_path / "default")
    assert [f.name for f in files] == ["ns.yaml", "a.yaml", "b.yaml"]
    docs = manifest_documents(tmp_path)
    assert _ids(docs) == [("Namespace", "n"), ("ConfigMap", "a"), ("Service", "b")]
    assert render_manifests(docs).startswith("# mirrorctl ")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("resources: [a.yaml]\nnamePrefix: x-\n", "namePrefix"),
        ("resources: [a.yaml]\npatches: []\n", "patches"),
        ("resources: [https://example.com/x]\n", "remote"),
        ("resources: [missing.yaml]\n", "does not exist"),
        ("resources: [../loop]\n", "include each other"),
        ("resources: a.yaml\n", "list of paths"),
    ],
)
def test_what_kustomize_alone_can_do_is_refused(tmp_path: Path, body: str, error: str) -> None:
    _kustomization(tmp_path / "default", body)
    _manifest(tmp_path / "default" / "a.yaml", "ConfigMap", "a")
    _kustomization(tmp_path / "loop", "resources: [../default]\n")
    with pytest.raises((ValueError, FileNotFoundError), match=error):
        manifest_documents(tmp_path)


def test_a_broken_config_directory_fails_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _kustomization(tmp_path / "default", "resources: [gone.yaml]\n")
    (tmp_path / "crd").mkdir()
    monkeypatch.setenv("MIRRORCTL_CONFIG_DIR", str(tmp_path))
    err = io.StringIO()
    assert manifests(stdout=io.StringIO(), stderr=err) == 1
    assert err.getvalue().startswith("mirrorctl: ")
    assert err.getvalue().count("\n") == 1


def test_a_config_dir_set_in_the_environment_is_not_replaced_by_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A typo in $MIRRORCTL_CONFIG_DIR must not quietly print the checkout's stock manifests
    # in place of the ones it names.
    monkeypatch.setenv("MIRRORCTL_CONFIG_DIR", str(tmp_path / "typo"))
    out, err = io.StringIO(), io.StringIO()
    assert manifests(stdout=out, stderr=err) == 1
    assert out.getvalue() == ""
    assert str(tmp_path / "typo") in err.getvalue()
    assert err.getvalue().count("\n") == 1


def test_a_reader_that_goes_away_ends_manifests_quietly() -> None:
    # `mirrorctl manifests | kubectl apply -f -` with a kubectl that fails at once, or `| head`.
    read, write = os.pipe()
    os.close(read)
    done = subprocess.run(
        [sys.executable, "-m", "mirrorctl", "manifests"],
        stdout=write,
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        check=False,
    )
    os.close(write)
    assert done.stderr == ""
    assert done.returncode == 1


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_output_that_cannot_be_written_is_one_line_and_exit_1() -> None:
    # `mirrorctl manifests > file` on a full disk: a traceback before.
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "mirrorctl", "manifests"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.stderr.splitlines() == [
        "mirrorctl: cannot write the output: No space left on device"
    ]
    assert done.returncode == 1
