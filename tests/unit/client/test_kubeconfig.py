"""Kubeconfig reading, merging and resolution into a `ClientConfig` (no apiserver)."""

from __future__ import annotations

import datetime
import os
import re
import ssl
import stat
from pathlib import Path
from typing import Any

import pytest

from mirrorctl.client.certificate_files import CertificateFileCredentials
from mirrorctl.client.config import ClientConfig
from mirrorctl.client.credentials import ClientCertificate
from mirrorctl.client.key_material import KeyMaterial
from mirrorctl.client.kubeconfig import kubeconfig_paths, read_kubeconfig, select_context
from mirrorctl.client.kubeconfig_config import client_config_from_kubeconfig
from mirrorctl.client.kubeconfig_error import KubeconfigError
from mirrorctl.client.loading import load_kubeconfig
from mirrorctl.envtest.certs import issue_client_certificate, write_certificates
from tests.unit.client.kubeconfig_files import b64, kubeconfig_doc, write_doc

SECRET = "s3cr3t-t0ken-value"
PASSWORD = "hunter2-password"


async def load(
    path: Path | None, context: str | None = None, *, keys: Path | None = None, **options: Any
) -> ClientConfig:
    selected = select_context(read_kubeconfig(kubeconfig_paths(path)), context)
    material = KeyMaterial(keys) if keys is not None else None
    return await client_config_from_kubeconfig(selected, key_material=material, **options)


def content(path: str) -> bytes:
    return Path(path).read_bytes()


def keys_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o700)
    return directory


async def test_token_user(tmp_path: Path) -> None:
    path = write_doc(tmp_path / "config", kubeconfig_doc(user={"token": SECRET}))
    config = await load_kubeconfig(path, request_timeout=5.0)
    assert config.host == "https://k8s.example:6443"
    assert config.credentials.authorization == f"Bearer {SECRET}"
    assert not config.credentials.refreshable
    assert config.request_timeout == 5.0
    assert config.verify_ssl
    assert config.ca_file is None
    assert SECRET not in repr(config)


async def test_basic_auth(tmp_path: Path) -> None:
    path = write_doc(
        tmp_path / "config", kubeconfig_doc(user={"username": "u", "password": PASSWORD})
    )
    config = await load_kubeconfig(path)
    assert config.credentials.authorization == "Basic dTpodW50ZXIyLXBhc3N3b3Jk"
    assert PASSWORD not in repr(config)


async def test_anonymous_user(tmp_path: Path) -> None:
    path = write_doc(tmp_path / "config", kubeconfig_doc(user={}))
    config = await load_kubeconfig(path)
    assert config.credentials.authorization is None


async def test_tls_settings(tmp_path: Path) -> None:
    cluster = {
        "server": "https://10.0.0.1:6443/",
        "insecure-skip-tls-verify": True,
        "tls-server-name": "kubernetes.default",
        "proxy-url": "http://proxy.example:3128",
    }
    path = write_doc(tmp_path / "config", kubeconfig_doc(cluster=cluster, user={"token": "t"}))
    config = await load_kubeconfig(path)
    assert config.host == "https://10.0.0.1:6443"
    assert config.verify_ssl is False
    assert config.tls_server_name == "kubernetes.default"
    assert config.proxy == "http://proxy.example:3128"


async def test_disable_compression_comes_from_the_cluster_unless_an_option_says(
    tmp_path: Path,
) -> None:
    cluster = {"server": "https://10.0.0.1:6443", "disable-compression": True}
    path = write_doc(tmp_path / "config", kubeconfig_doc(cluster=cluster))
    assert (await load_kubeconfig(path)).disable_compression is True
    assert (await load_kubeconfig(path, disable_compression=False)).disable_compression is False
    plain = write_doc(tmp_path / "plain", kubeconfig_doc(cluster={"server": "https://k"}))
    assert (await load_kubeconfig(plain)).disable_compression is False


async def test_server_without_scheme_follows_client_go(tmp_path: Path) -> None:
    plain = write_doc(tmp_path / "a", kubeconfig_doc(cluster={"server": "10.0.0.1:8080"}))
    assert (await load(plain)).host == "http://10.0.0.1:8080"
    tls = write_doc(
        tmp_path / "b",
        kubeconfig_doc(cluster={"server": "10.0.0.1:6443", "insecure-skip-tls-verify": True}),
    )
    assert (await load(tls)).host == "https://10.0.0.1:6443"


async def test_certificate_files_and_data_load_into_tls(tmp_path: Path) -> None:
    (tmp_path / "pki").mkdir()
    certs = write_certificates(tmp_path / "pki")
    ca_pem = certs.ca_cert.read_bytes()
    cert_pem, key_pem = certs.serving_cert.read_bytes(), certs.serving_key.read_bytes()
    keys = keys_dir(tmp_path)

    as_files = write_doc(
        tmp_path / "files",
        kubeconfig_doc(
            cluster={"server": "https://k8s:6443", "certificate-authority": str(certs.ca_cert)},
            user={
                "client-certificate": str(certs.serving_cert),
                "client-key": str(certs.serving_key),
            },
        ),
    )
    from_files = await load(as_files, keys=keys)
    assert from_files.ca_file == str(certs.ca_cert)
    assert from_files.cert_file == str(certs.serving_cert)
    assert from_files.key_file == str(certs.serving_key)
    assert from_files.ssl_context() is not None
    # Files may be renewed in place: they are read again (data cannot change).
    assert isinstance(from_files.credentials, CertificateFileCredentials)
    assert from_files.credentials.client_certificate == ClientCertificate(cert_pem, key_pem)

    as_data = write_doc(
        tmp_path / "data",
        kubeconfig_doc(
            cluster={"server": "https://k8s:6443", "certificate-authority-data": b64(ca_pem)},
            user={"client-certificate-data": b64(cert_pem), "client-key-data": b64(key_pem)},
        ),
    )
    from_data = await load(as_data, keys=keys)
    assert from_data.ca_file is not None
    assert from_data.cert_file is not None
    assert from_data.key_file is not None
    assert content(from_data.ca_file) == ca_pem
    assert content(from_data.cert_file) == cert_pem
    assert content(from_data.key_file) == key_pem
    for written in (from_data.ca_file, from_data.cert_file, from_data.key_file):
        assert Path(written).parent == keys
        assert stat.S_IMODE(os.stat(written).st_mode) == 0o600
    context = from_data.ssl_context()
    assert context is not None
    assert context.cert_store_stats()["x509_ca"] == 1
    assert key_pem.decode() not in repr(from_data)
    assert not isinstance(from_data.credentials, CertificateFileCredentials)

    # Loading again reuses the same files instead of writing new ones.
    again = await load(as_data, keys=keys)
    assert (again.ca_file, again.cert_file, again.key_file) == (
        from_data.ca_file,
        from_data.cert_file,
        from_data.key_file,
    )
    assert sorted(p.name for p in keys.iterdir()) == sorted(
        Path(p).name for p in (from_data.ca_file, from_data.cert_file, from_data.key_file)
    )


def test_key_material_is_content_addressed(tmp_path: Path) -> None:
    material = KeyMaterial(keys_dir(tmp_path))
    first = material.write(b"one", ".crt")
    assert material.write(b"one", ".crt") == first
    second = material.write(b"two", ".crt")
    assert second != first
    assert Path(second).read_bytes() == b"two"


def test_a_key_pair_is_loaded_and_leaves_no_file_behind(tmp_path: Path) -> None:
    certs = write_certificates(tmp_path)
    certificate, key, _ = issue_client_certificate(
        certs.client_ca_cert, certs.client_ca_key, "u", (), datetime.timedelta(hours=1)
    )
    _, other_key, _ = issue_client_certificate(
        certs.client_ca_cert, certs.client_ca_key, "u", (), datetime.timedelta(hours=1)
    )
    material = KeyMaterial(keys_dir(tmp_path))
    context = ssl.create_default_context()
    material.load_key_pair(context, certificate, key)
    with pytest.raises(ssl.SSLError):
        material.load_key_pair(context, certificate, other_key)  # a key of another pair
    assert list(material.directory.iterdir()) == []


async def test_relative_paths_resolve_against_the_defining_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / "pki").mkdir(parents=True)
    (home / "pki" / "ca.crt").write_text("ca")
    certs = write_certificates(home / "pki")  # a pair the loader can check
    (home / "user.crt").write_bytes(certs.serving_cert.read_bytes())
    (home / "user.key").write_bytes(certs.serving_key.read_bytes())
    monkeypatch.setenv("HOME", str(home))
    conf = tmp_path / "conf"
    (conf / "tokens").mkdir(parents=True)
    (conf / "tokens" / "t").write_text(f"{SECRET}\n")
    path = write_doc(
        conf / "config",
        kubeconfig_doc(
            cluster={"server": "https://k8s:6443", "certificate-authority": "~/pki/ca.crt"},
            user={
                "tokenFile": "tokens/t",
                "client-certificate": "~/user.crt",
                "client-key": "../home/user.key",
            },
        ),
    )
    monkeypatch.chdir(tmp_path / "home")  # the working directory plays no part
    config = await load(path)
    assert config.ca_file == str(home / "pki" / "ca.crt")
    assert config.cert_file == str(home / "user.crt")
    assert config.key_file is not None
    assert content(config.key_file) == certs.serving_key.read_bytes()
    assert config.credentials.authorization == f"Bearer {SECRET}"


async def test_relative_paths_of_a_symlinked_kubeconfig_resolve_beside_the_link(
    tmp_path: Path,
) -> None:
    # client-go resolves against filepath.Abs(filepath.Dir(file)), symlinks not followed: a
    # ~/.kube/config linked from a dotfiles or store directory finds ~/.kube/tokens/t.
    kube = tmp_path / "home" / ".kube"
    (kube / "tokens").mkdir(parents=True)
    (kube / "tokens" / "t").write_text(f"{SECRET}\n")
    target = write_doc(
        tmp_path / "store" / "config",
        kubeconfig_doc(cluster={"server": "https://k8s:6443"}, user={"tokenFile": "tokens/t"}),
    )
    (kube / "config").symlink_to(target)
    config = await load(kube / "config")
    assert config.credentials.authorization == f"Bearer {SECRET}"


def two_files(tmp_path: Path) -> tuple[Path, Path]:
    first = {
        "clusters": [{"name": "shared", "cluster": {"server": "https://first:6443"}}],
        "users": [{"name": "u", "user": {"token": "first-token"}}],
        "contexts": [
            {"name": "one", "context": {"cluster": "shared", "user": "u"}},
        ],
    }
    second = {
        "clusters": [
            {"name": "shared", "cluster": {"server": "https://second:6443"}},
            {"name": "only-second", "cluster": {"server": "https://only:6443"}},
        ],
        "users": [{"name": "u", "user": {"token": "second-token"}}],
        "contexts": [
            {"name": "one", "context": {"cluster": "only-second", "user": "u"}},
            {"name": "two", "context": {"cluster": "only-second", "user": "u"}},
        ],
        "current-context": "two",
    }
    return write_doc(tmp_path / "a" / "config", first), write_doc(tmp_path / "b" / "config", second)


async def test_merge_first_file_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = two_files(tmp_path)
    missing = tmp_path / "missing"
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(missing), str(first), "", str(second)]))
    # current-context comes from the only file setting it; "two" is defined only there.
    current = await load(None)
    assert current.host == "https://only:6443"
    assert current.credentials.authorization == "Bearer first-token"
    # Context "one", cluster "shared" and user "u": the first file's definitions.
    one = await load(None, "one")
    assert one.host == "https://first:6443"

    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(second), str(first)]))
    assert (await load(None, "one")).host == "https://only:6443"
    assert (await load(None, "one")).credentials.authorization == "Bearer second-token"


async def test_explicit_context_overrides_current(tmp_path: Path) -> None:
    doc = kubeconfig_doc(user={"token": "a"})
    doc["clusters"].append({"name": "other", "cluster": {"server": "https://other:6443"}})
    doc["contexts"].append({"name": "other", "context": {"cluster": "other", "user": "main"}})
    path = write_doc(tmp_path / "config", doc)
    assert (await load(path)).host == "https://k8s.example:6443"
    assert (await load(path, "other")).host == "https://other:6443"


def test_default_path_is_the_home_kubeconfig(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(KubeconfigError, match=r"\$KUBECONFIG is not set"):
        kubeconfig_paths()
    path = write_doc(tmp_path / ".kube" / "config", kubeconfig_doc())
    assert kubeconfig_paths() == [path]


def error_of(tmp_path: Path, doc: Any, context: str | None = None) -> str:
    path = tmp_path / "config"
    path.write_text(doc if isinstance(doc, str) else "")
    if not isinstance(doc, str):
        write_doc(path, doc)
    files = kubeconfig_paths(path)
    with pytest.raises(KubeconfigError) as caught:
        select_context(read_kubeconfig(files), context)
    return str(caught.value)


def with_user(user: dict[str, Any]) -> dict[str, Any]:
    return kubeconfig_doc(user=user)


def with_cluster(cluster: dict[str, Any]) -> dict[str, Any]:
    return kubeconfig_doc(cluster=cluster)


@pytest.mark.parametrize(
    ("doc", "context", "message"),
    [
        ("clusters: [\n  - name: x\n   bad", None, "not valid YAML at line"),
        ("- a list", None, "not a YAML mapping"),
        (kubeconfig_doc(current=None), None, "no current-context"),
        (kubeconfig_doc(), "nope", "context 'nope' not found"),
        (
            {
                "contexts": [{"name": "c", "context": {"cluster": "gone", "user": "u"}}],
                "current-context": "c",
            },
            None,
            "cluster 'gone' of context 'c' not found",
        ),
        (
            {
                "clusters": [{"name": "k", "cluster": {"server": "https://k"}}],
                "contexts": [{"name": "c", "context": {"cluster": "k", "user": "ghost"}}],
                "current-context": "c",
            },
            None,
            "user 'ghost' of context 'c' not found",
        ),
        (with_cluster({"insecure-skip-tls-verify": True}), None, "cluster 'main' .* no server"),
        (
            with_cluster({"server": "https://k", "certificate-authority-data": "!!notbase64"}),
            None,
            "certificate-authority-data of cluster 'main' .* not valid base64",
        ),
        (
            with_cluster({"server": "https://k", "certificate-authority": "/nonexistent/ca"}),
            None,
            "certificate-authority '/nonexistent/ca' of cluster 'main' .* not found",
        ),
        (
            with_cluster(
                {
                    "server": "https://k",
                    "certificate-authority": "/x",
                    "certificate-authority-data": "eA==",
                }
            ),
            None,
            "both certificate-authority and certificate-authority-data",
        ),
        (
            with_cluster({"server": "https://k", "proxy-url": "socks5://p:1080"}),
            None,
            "proxy-url of cluster 'main'",
        ),
        (
            with_user({"client-key-data": "%%%", "client-certificate-data": "eA=="}),
            None,
            "client-key-data of user 'main' .* not valid base64",
        ),
        (with_user({"client-certificate-data": "eA=="}), None, "without the other"),
        (
            with_user({"token": SECRET, "username": "u", "password": PASSWORD}),
            None,
            r"more than one authentication method \(token, basic\)",
        ),
        (with_user({"token": SECRET, "as": "admin"}), None, "impersonation"),
        (with_user({"token": 7}), None, "token of user 'main' .* must be a string"),
        (with_user({"exec": {"command": "x"}}), None, "has no apiVersion"),
        (
            with_user({"exec": {"apiVersion": "client.authentication.k8s.io/v1"}}),
            None,
            "has no command",
        ),
        (
            with_user({"exec": {"command": "x", "apiVersion": "v9"}}),
            None,
            "apiVersion 'v9'",
        ),
        (
            with_user(
                {
                    "exec": {
                        "command": "x",
                        "apiVersion": "client.authentication.k8s.io/v1",
                        "interactiveMode": "Always",
                    }
                }
            ),
            None,
            "interactiveMode Always, but mirrorctl runs without a terminal",
        ),
        (
            with_user(
                {
                    "exec": {
                        "command": "x",
                        "apiVersion": "client.authentication.k8s.io/v1",
                        "env": [{"value": "v"}],
                    }
                }
            ),
            None,
            "env entry .* has no name",
        ),
    ],
)
def test_errors_say_what_to_fix(
    tmp_path: Path, doc: Any, context: str | None, message: str
) -> None:
    text = error_of(tmp_path, doc, context)
    assert re.search(message, text), text
    assert SECRET not in text
    assert PASSWORD not in text


def test_missing_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(KubeconfigError, match=r"kubeconfig file .* not found"):
        kubeconfig_paths(tmp_path / "absent")
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(tmp_path / "a"), str(tmp_path / "b")]))
    with pytest.raises(KubeconfigError, match=r"none of the files in \$KUBECONFIG exist"):
        kubeconfig_paths()


@pytest.mark.parametrize("section", ["clusters", "users", "contexts"])
def test_two_entries_of_one_name_in_a_file_are_refused(tmp_path: Path, section: str) -> None:
    doc = kubeconfig_doc()
    doc[section].append(dict(doc[section][0]))
    with pytest.raises(KubeconfigError, match=f"{section} has more than one entry named 'main'"):
        read_kubeconfig([write_doc(tmp_path / "config", doc)])


async def test_unreadable_token_file_is_an_error(tmp_path: Path) -> None:
    path = write_doc(tmp_path / "config", with_user({"tokenFile": "absent-token"}))
    with pytest.raises(KubeconfigError, match=r"cannot read the token file .*absent-token"):
        await load(path)
    (tmp_path / "empty").write_text("\n")
    path = write_doc(tmp_path / "config", with_user({"tokenFile": "empty"}))
    with pytest.raises(KubeconfigError, match="is empty"):
        await load(path)


async def test_an_inline_token_stands_in_for_an_unreadable_token_file(tmp_path: Path) -> None:
    # client-go prefers the file whenever it can read it and falls back to the token.
    user = {"token": "inline", "tokenFile": "absent-token"}
    config = await load(write_doc(tmp_path / "config", with_user(user)))
    assert config.credentials.authorization == "Bearer inline"


def test_user_repr_shows_no_secrets(tmp_path: Path) -> None:
    path = write_doc(tmp_path / "config", with_user({"username": "u", "password": PASSWORD}))
    selected = select_context(read_kubeconfig([path]))
    assert PASSWORD not in repr(selected)
    assert "basic" in repr(selected.user)
