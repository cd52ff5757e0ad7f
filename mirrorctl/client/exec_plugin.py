"""Running a client-go credential plugin (`users[].user.exec`) and reading its ExecCredential.

Follows client-go's `plugin/pkg/client/auth/exec`: the plugin gets our environment plus the
configured `env`, and `KUBERNETES_EXEC_INFO` holding an ExecCredential whose `spec` says we are
not interactive (a controller has no terminal) and, with `provideClusterInfo`, describes the
cluster. Its stdout must be an ExecCredential of the configured apiVersion; its stderr goes to
ours. Errors never quote the plugin's output, which may hold the credential.
"""

from __future__ import annotations

import asyncio
import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from mirrorctl.client.kubeconfig_error import KubeconfigError

__all__ = [
    "EXEC_API_VERSIONS",
    "EXEC_CLUSTER_EXTENSION",
    "EXEC_INFO_ENV",
    "ExecConfig",
    "ExecPlugin",
    "ExecResult",
]

EXEC_API_VERSIONS = frozenset(
    {
        "client.authentication.k8s.io/v1",
        "client.authentication.k8s.io/v1beta1",
        "client.authentication.k8s.io/v1alpha1",
    }
)
INTERACTIVE_MODES = frozenset({"Never", "IfAvailable", "Always"})
EXEC_INFO_ENV = "KUBERNETES_EXEC_INFO"
# The cluster extension passed to the plugin as spec.cluster.config.
EXEC_CLUSTER_EXTENSION = "client.authentication.k8s.io/exec"
DEFAULT_TIMEOUT = 60.0


@dataclass(frozen=True, slots=True)
class ExecConfig:
    """A validated `exec` entry; `command` is already resolved against its kubeconfig."""

    user: str
    command: str
    api_version: str
    args: tuple[str, ...] = ()
    # Values may be secrets (API keys handed to the plugin): kept out of `repr`.
    env: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    install_hint: str = ""
    interactive_mode: str = "IfAvailable"
    provide_cluster_info: bool = False

    def __post_init__(self) -> None:
        owner = f"the exec plugin of user {self.user!r}"
        if not self.command:
            raise KubeconfigError(f"{owner} has no command")
        if self.api_version not in EXEC_API_VERSIONS:
            raise KubeconfigError(
                f"{owner} has apiVersion {self.api_version!r}; expected one of "
                f"{', '.join(sorted(EXEC_API_VERSIONS))}"
            )
        if self.interactive_mode not in INTERACTIVE_MODES:
            raise KubeconfigError(
                f"{owner} has an invalid interactiveMode {self.interactive_mode!r}"
            )
        if self.interactive_mode == "Always":
            raise KubeconfigError(
                f"{owner} has interactiveMode Always, but mirrorctl runs without a terminal; "
                "use a plugin that can run non-interactively (interactiveMode Never/IfAvailable)"
            )


@dataclass(frozen=True, slots=True, repr=False)
class ExecResult:
    """What one run handed out (the token and key are secrets: kept out of `repr`)."""

    token: str | None
    expiry: datetime.datetime | None
    client_certificate_data: bytes | None = None
    client_key_data: bytes | None = None

    def __repr__(self) -> str:
        return (
            f"ExecResult(token={'<redacted>' if self.token else None}, expiry={self.expiry}, "
            f"client_certificate={self.client_certificate_data is not None})"
        )


def _parse_time(value: object, owner: str) -> datetime.datetime:
    if not isinstance(value, str):
        raise KubeconfigError(f"{owner} returned a non-string status.expirationTimestamp")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise KubeconfigError(
            f"{owner} returned status.expirationTimestamp {value!r}, which is not RFC 3339"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def _optional_str(status: Mapping[str, Any], key: str, owner: str) -> str | None:
    value = status.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise KubeconfigError(f"{owner} returned a non-string status.{key}")
    return value


def parse_exec_output(stdout: bytes, api_version: str, owner: str) -> ExecResult:
    """The ExecCredential the plugin printed, checked against what it was configured to speak."""
    try:
        document = orjson.loads(stdout)
    except orjson.JSONDecodeError:
        raise KubeconfigError(f"{owner} did not print a JSON ExecCredential") from None
    if not isinstance(document, dict):
        raise KubeconfigError(f"{owner} printed JSON that is not an ExecCredential object")
    if document.get("kind") != "ExecCredential":
        raise KubeconfigError(f"{owner} printed kind {document.get('kind')!r}, not ExecCredential")
    if document.get("apiVersion") != api_version:
        raise KubeconfigError(
            f"{owner} is configured for apiVersion {api_version!r} but printed "
            f"{document.get('apiVersion')!r}"
        )
    status = document.get("status")
    if not isinstance(status, dict):
        raise KubeconfigError(f"{owner} printed an ExecCredential without a status")
    token = _optional_str(status, "token", owner)
    certificate = _optional_str(status, "clientCertificateData", owner)
    key = _optional_str(status, "clientKeyData", owner)
    if (certificate is None) != (key is None):
        raise KubeconfigError(f"{owner} returned only one of clientCertificateData/clientKeyData")
    if token is None and certificate is None:
        raise KubeconfigError(f"{owner} returned neither a token nor a client certificate and key")
    raw_expiry = status.get("expirationTimestamp")
    expiry = None if raw_expiry in (None, "") else _parse_time(raw_expiry, owner)
    return ExecResult(
        token=token,
        expiry=expiry,
        # The status carries PEM text (not base64), as client-go reads it.
        client_certificate_data=certificate.encode() if certificate is not None else None,
        client_key_data=key.encode() if key is not None else None,
    )


@dataclass(frozen=True, slots=True)
class ExecPlugin:
    """One configured plugin, ready to run.

    `cluster` is the ExecCredential `spec.cluster` object (only sent with provideClusterInfo);
    `environ` is the base environment (ours when `None`).
    """

    config: ExecConfig
    cluster: Mapping[str, Any] | None = None
    timeout: float = DEFAULT_TIMEOUT
    environ: Mapping[str, str] | None = field(default=None, repr=False)

    @property
    def owner(self) -> str:
        return f"the exec plugin {self.config.command!r} of user {self.config.user!r}"

    def exec_info(self) -> bytes:
        spec: dict[str, Any] = {"interactive": False}
        # v1alpha1 has no spec.cluster.
        v1alpha1 = self.config.api_version.endswith("/v1alpha1")
        if self.config.provide_cluster_info and self.cluster is not None and not v1alpha1:
            spec["cluster"] = dict(self.cluster)
        document = {"apiVersion": self.config.api_version, "kind": "ExecCredential", "spec": spec}
        return orjson.dumps(document)

    def environment(self) -> dict[str, str]:
        env = dict(os.environ if self.environ is None else self.environ)
        env.update(self.config.env)
        env[EXEC_INFO_ENV] = self.exec_info().decode()
        return env

    async def run(self) -> ExecResult:
        owner = self.owner
        try:
            process = await asyncio.create_subprocess_exec(
                self.config.command,
                *self.config.args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=None,  # the plugin's messages (login prompts, errors) reach our stderr
                env=self.environment(),
            )
        except FileNotFoundError:
            message = f"{owner}: executable not found"
            if self.config.install_hint:
                message += "\n\n" + self.config.install_hint
            raise KubeconfigError(message) from None
        except OSError as error:
            raise KubeconfigError(f"{owner} could not be started: {error.strerror}") from None
        try:
            stdout, _ = await asyncio.wait_for(process.communicate(), self.timeout)
        except TimeoutError:
            raise KubeconfigError(f"{owner} did not finish within {self.timeout:g} s") from None
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        if process.returncode != 0:
            raise KubeconfigError(f"{owner} exited with status {process.returncode}")
        return parse_exec_output(stdout, self.config.api_version, owner)
