"""Kubeconfig files: which to read, how they merge, and the context they select.

Follows client-go's clientcmd: `$KUBECONFIG` may list files (os.pathsep); for clusters, users
and contexts the first file that defines a name wins (within one file the last entry does, as
its conversion to maps does), as does the first `current-context`. Relative paths resolve
against the directory of the file that defined the entry. Secrets never reach an error message
or a `repr`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from mirrorctl.client.exec_plugin import EXEC_CLUSTER_EXTENSION, ExecConfig
from mirrorctl.client.key_material import decode_data
from mirrorctl.client.kubeconfig_error import KubeconfigError

__all__ = [
    "Cluster",
    "Kubeconfig",
    "SelectedContext",
    "User",
    "kubeconfig_paths",
    "read_kubeconfig",
    "select_context",
]

_PROXY_SCHEMES = ("http", "https")
_IMPERSONATION = ("as", "as-uid", "as-groups", "as-user-extra")

try:  # libyaml's loader is several times faster; PyYAML's own is the fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def kubeconfig_paths(
    path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None
) -> list[Path]:
    """The files to read: `path`, else the existing files listed in $KUBECONFIG, else
    ~/.kube/config."""
    if path is not None:
        explicit = Path(os.path.expanduser(os.fspath(path)))
        if not explicit.is_file():
            raise KubeconfigError(f"kubeconfig file {str(explicit)!r} not found")
        return [explicit]
    env = os.environ if environ is None else environ
    listed = env.get("KUBECONFIG", "")
    if listed:
        seen: list[Path] = []
        for entry in listed.split(os.pathsep):
            candidate = Path(os.path.expanduser(entry)) if entry else None
            if candidate is not None and candidate not in seen and candidate.is_file():
                seen.append(candidate)
        if not seen:
            raise KubeconfigError(f"none of the files in $KUBECONFIG exist: {listed!r}")
        return seen
    home = Path(os.path.expanduser("~")) / ".kube" / "config"
    if not home.is_file():
        raise KubeconfigError(f"no kubeconfig: $KUBECONFIG is not set and {str(home)!r} not found")
    return [home]


@dataclass(frozen=True, slots=True)
class _Entry:
    """A named cluster/user/context body and the directory its relative paths start from."""

    body: Mapping[str, Any] = field(repr=False)
    base: Path
    source: Path


@dataclass(frozen=True, slots=True)
class Kubeconfig:
    """The merged view of one or more kubeconfig files."""

    files: tuple[Path, ...]
    clusters: Mapping[str, _Entry]
    users: Mapping[str, _Entry] = field(repr=False)
    contexts: Mapping[str, _Entry]
    current_context: str | None


def _load_file(path: Path) -> Mapping[str, Any]:
    try:
        text = path.read_bytes()
    except OSError as error:
        raise KubeconfigError(f"cannot read kubeconfig {str(path)!r}: {error.strerror}") from None
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise KubeconfigError(f"kubeconfig {str(path)!r} is not valid YAML{where}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise KubeconfigError(f"kubeconfig {str(path)!r} is not a YAML mapping")
    return document


def _named(document: Mapping[str, Any], section: str, body_key: str, path: Path) -> dict[str, Any]:
    items = document.get(section)
    if items is None:
        return {}
    if not isinstance(items, list):
        raise KubeconfigError(f"kubeconfig {str(path)!r}: {section} must be a list")
    named: dict[str, Any] = {}
    for item in items:
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name:
            raise KubeconfigError(f"kubeconfig {str(path)!r}: an entry of {section} has no name")
        body = item.get(body_key)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise KubeconfigError(
                f"kubeconfig {str(path)!r}: {section} entry {name!r} has no {body_key} mapping"
            )
        if name in named:
            # client-go refuses the file too ("duplicate name in list"): which entry was
            # meant cannot be known, and kubectl would not run with it either.
            raise KubeconfigError(
                f"kubeconfig {str(path)!r}: {section} has more than one entry named {name!r}"
            )
        named[name] = body
    return named


def read_kubeconfig(paths: list[Path]) -> Kubeconfig:
    """Read and merge `paths` (first definition of a name wins)."""
    merged: dict[str, dict[str, _Entry]] = {"clusters": {}, "users": {}, "contexts": {}}
    bodies = {"clusters": "cluster", "users": "user", "contexts": "context"}
    current: str | None = None
    for path in paths:
        document = _load_file(path)
        # As client-go's filepath.Abs: a symlinked file's relative paths start beside the
        # link, not beside its target.
        base = Path(os.path.abspath(path)).parent
        for section, body_key in bodies.items():
            for name, body in _named(document, section, body_key, path).items():
                merged[section].setdefault(name, _Entry(body, base, path))
        value = document.get("current-context")
        if current is None and isinstance(value, str) and value:
            current = value
    return Kubeconfig(
        files=tuple(paths),
        clusters=merged["clusters"],
        users=merged["users"],
        contexts=merged["contexts"],
        current_context=current,
    )


def _str(body: Mapping[str, Any], key: str, owner: str) -> str | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise KubeconfigError(f"{key} of {owner} must be a string")
    return value


def _bool(body: Mapping[str, Any], key: str, owner: str) -> bool:
    value = body.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise KubeconfigError(f"{key} of {owner} must be true or false")
    return value


def _path(value: str | None, base: Path) -> str | None:
    if value is None:
        return None
    expanded = os.path.expanduser(value)
    return expanded if os.path.isabs(expanded) else str(base / expanded)


def _readable(path: str | None, key: str, owner: str) -> str | None:
    if path is not None and not os.path.isfile(path):
        raise KubeconfigError(f"{key} {path!r} of {owner} not found")
    return path


def _exclusive(body: Mapping[str, Any], file_key: str, data_key: str, owner: str) -> None:
    if body.get(file_key) and body.get(data_key):
        raise KubeconfigError(f"{owner} sets both {file_key} and {data_key}; keep one")


@dataclass(frozen=True, slots=True)
class Cluster:
    """A cluster entry; file paths are absolute, `*-data` is decoded."""

    name: str
    server: str
    certificate_authority: str | None = None
    certificate_authority_data: bytes | None = field(default=None, repr=False)
    insecure_skip_tls_verify: bool = False
    tls_server_name: str | None = None
    proxy_url: str | None = None
    disable_compression: bool = False
    # The `client.authentication.k8s.io/exec` extension, handed to exec plugins.
    exec_extension: Any = field(default=None, repr=False)

    @property
    def uses_tls(self) -> bool:
        return bool(
            self.certificate_authority
            or self.certificate_authority_data
            or self.insecure_skip_tls_verify
        )


def _cluster(name: str, entry: _Entry, *, with_client_cert: bool) -> Cluster:
    body, owner = entry.body, f"cluster {name!r} (in {str(entry.source)!r})"
    server = _str(body, "server", owner)
    if server is None:
        raise KubeconfigError(f"{owner} has no server")
    server = server.rstrip("/")
    _exclusive(body, "certificate-authority", "certificate-authority-data", owner)
    ca_file = _readable(
        _path(_str(body, "certificate-authority", owner), entry.base),
        "certificate-authority",
        owner,
    )
    raw_ca = body.get("certificate-authority-data")
    ca_data = decode_data(raw_ca, "certificate-authority-data", owner) if raw_ca else None
    proxy = _str(body, "proxy-url", owner)
    if proxy is not None and urlsplit(proxy).scheme not in _PROXY_SCHEMES:
        raise KubeconfigError(f"proxy-url of {owner} must be an http(s) URL")
    extension = None
    extensions = body.get("extensions") or []
    if isinstance(extensions, list):
        for item in extensions:
            if isinstance(item, dict) and item.get("name") == EXEC_CLUSTER_EXTENSION:
                extension = item.get("extension")
    cluster = Cluster(
        name=name,
        server=server,
        certificate_authority=ca_file,
        certificate_authority_data=ca_data,
        insecure_skip_tls_verify=_bool(body, "insecure-skip-tls-verify", owner),
        tls_server_name=_str(body, "tls-server-name", owner),
        proxy_url=proxy,
        disable_compression=_bool(body, "disable-compression", owner),
        exec_extension=extension,
    )
    parts = urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        # client-go's DefaultServerURL: a bare host:port gets https when TLS is configured.
        tls = cluster.uses_tls or with_client_cert
        scheme = "https://" if tls else "http://"
        cluster = dataclasses.replace(cluster, server=scheme + server)
    return cluster


@dataclass(frozen=True, slots=True, repr=False)
class User:
    """A user entry; file paths are absolute, `*-data` decoded. Secrets stay out of `repr`."""

    name: str
    token: str | None = None
    token_file: str | None = None
    client_certificate: str | None = None
    client_certificate_data: bytes | None = None
    client_key: str | None = None
    client_key_data: bytes | None = None
    username: str | None = None
    password: str | None = None
    exec: ExecConfig | None = None
    auth_provider: str | None = None

    def __repr__(self) -> str:
        methods = [
            method
            for method, present in (
                ("token", self.token is not None),
                ("tokenFile", self.token_file is not None),
                ("clientCertificate", self.has_client_certificate),
                ("basic", self.username is not None or self.password is not None),
                ("exec", self.exec is not None),
                ("authProvider", self.auth_provider is not None),
            )
            if present
        ]
        return f"User(name={self.name!r}, methods={methods})"

    @property
    def has_client_certificate(self) -> bool:
        return bool(self.client_certificate or self.client_certificate_data)


def _exec_config(name: str, value: object, base: Path, owner: str) -> ExecConfig:
    if not isinstance(value, dict):
        raise KubeconfigError(f"exec of {owner} must be a mapping")
    command = _str(value, "command", f"the exec plugin of {owner}")
    if command is None:
        raise KubeconfigError(f"the exec plugin of {owner} has no command")
    if os.sep in command or (os.altsep is not None and os.altsep in command):
        command = _path(command, base) or command
    api_version = _str(value, "apiVersion", f"the exec plugin of {owner}")
    if api_version is None:
        raise KubeconfigError(f"the exec plugin of {owner} has no apiVersion")
    args = value.get("args") or []
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        raise KubeconfigError(f"args of the exec plugin of {owner} must be a list of strings")
    env: list[tuple[str, str]] = []
    for item in value.get("env") or []:
        variable = item.get("name") if isinstance(item, dict) else None
        if not isinstance(variable, str) or not variable:
            raise KubeconfigError(f"an env entry of the exec plugin of {owner} has no name")
        setting = item.get("value", "")
        if not isinstance(setting, str):
            raise KubeconfigError(f"env {variable!r} of the exec plugin of {owner} is no string")
        env.append((variable, setting))
    return ExecConfig(
        user=name,
        command=command,
        api_version=api_version,
        args=tuple(args),
        env=tuple(env),
        install_hint=_str(value, "installHint", owner) or "",
        # client-go requires it for v1; an absent mode means IfAvailable for older versions.
        interactive_mode=_str(value, "interactiveMode", owner) or "IfAvailable",
        provide_cluster_info=_bool(value, "provideClusterInfo", owner),
    )


def _user(name: str, entry: _Entry) -> User:
    body, owner = entry.body, f"user {name!r} (in {str(entry.source)!r})"
    impersonation = [key for key in _IMPERSONATION if body.get(key)]
    if impersonation:
        raise KubeconfigError(
            f"{owner} asks for impersonation ({', '.join(impersonation)}), "
            "which mirrorctl does not support"
        )
    _exclusive(body, "client-certificate", "client-certificate-data", owner)
    _exclusive(body, "client-key", "client-key-data", owner)
    raw_cert, raw_key = body.get("client-certificate-data"), body.get("client-key-data")
    provider = body.get("auth-provider")
    provider_name = None
    if provider is not None:
        provider_name = provider.get("name") if isinstance(provider, dict) else None
        if not isinstance(provider_name, str) or not provider_name:
            raise KubeconfigError(f"auth-provider of {owner} has no name")
    raw_exec = body.get("exec")
    user = User(
        name=name,
        token=_str(body, "token", owner),
        token_file=_path(_str(body, "tokenFile", owner), entry.base),
        client_certificate=_readable(
            _path(_str(body, "client-certificate", owner), entry.base), "client-certificate", owner
        ),
        client_certificate_data=decode_data(raw_cert, "client-certificate-data", owner)
        if raw_cert
        else None,
        client_key=_readable(
            _path(_str(body, "client-key", owner), entry.base), "client-key", owner
        ),
        client_key_data=decode_data(raw_key, "client-key-data", owner) if raw_key else None,
        username=_str(body, "username", owner),
        password=_str(body, "password", owner),
        exec=_exec_config(name, raw_exec, entry.base, owner) if raw_exec is not None else None,
        auth_provider=provider_name,
    )
    has_key = bool(user.client_key or user.client_key_data)
    if user.has_client_certificate != has_key:
        raise KubeconfigError(f"{owner} has a client certificate or key without the other")
    methods = [
        method
        for method, present in (
            ("token", user.token is not None or user.token_file is not None),
            ("basic", user.username is not None or user.password is not None),
            ("exec", user.exec is not None),
            ("auth-provider", user.auth_provider is not None),
        )
        if present
    ]
    if len(methods) > 1:
        raise KubeconfigError(
            f"{owner} has more than one authentication method ({', '.join(methods)}); keep one"
        )
    return user


@dataclass(frozen=True, slots=True)
class SelectedContext:
    """The context in use, with its cluster and user resolved."""

    context: str
    cluster: Cluster
    user: User
    files: tuple[Path, ...]


def select_context(kubeconfig: Kubeconfig, context: str | None = None) -> SelectedContext:
    """Resolve `context` (default: the merged current-context) to its cluster and user."""
    files = ", ".join(repr(str(p)) for p in kubeconfig.files)
    name = context or kubeconfig.current_context
    if not name:
        raise KubeconfigError(f"no current-context in {files}; pass a context explicitly")
    entry = kubeconfig.contexts.get(name)
    if entry is None:
        known = ", ".join(sorted(kubeconfig.contexts)) or "none"
        raise KubeconfigError(f"context {name!r} not found in {files} (contexts: {known})")
    owner = f"context {name!r}"
    cluster_name = _str(entry.body, "cluster", owner)
    if cluster_name is None:
        raise KubeconfigError(f"{owner} names no cluster")
    cluster_entry = kubeconfig.clusters.get(cluster_name)
    if cluster_entry is None:
        raise KubeconfigError(f"cluster {cluster_name!r} of {owner} not found in {files}")
    user_name = _str(entry.body, "user", owner)
    if user_name is None:
        user = User(name="")  # no credentials: anonymous, as client-go allows
    else:
        user_entry = kubeconfig.users.get(user_name)
        if user_entry is None:
            raise KubeconfigError(f"user {user_name!r} of {owner} not found in {files}")
        user = _user(user_name, user_entry)
    cluster = _cluster(cluster_name, cluster_entry, with_client_cert=user.has_client_certificate)
    return SelectedContext(context=name, cluster=cluster, user=user, files=kubeconfig.files)
