"""Settings of ``mirrorctl run``: flags, then environment (``MIRRORCTL_*``), then a YAML config
file, then defaults. ``config/mirrorctl.yaml`` documents every one."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from mirrorctl.cli.paths import not_a_file
from mirrorctl.manager.address import BindAddress
from mirrorctl.mirroring.names import check_object_name
from mirrorctl.mirroring.resources import DEFAULT_CONTRAIL_VERSION, contrail_resources

__all__ = ["RunSettings", "unknown_variables"]

_PREFIX = "MIRRORCTL_"
# Read elsewhere (`mirrorctl.cli.paths`, `mirrorctl.envtest`), not settings.
_OTHER_VARIABLES = ("MIRRORCTL_CONFIG_DIR", "MIRRORCTL_ETCD", "MIRRORCTL_KUBE_APISERVER")


def _check_config_file(path: Path) -> None:
    """ValueError naming the file when it is not a YAML mapping: the settings source would
    raise a multi-line YAML error (a traceback) or a message that names neither the file nor
    the problem."""
    try:
        with path.open(encoding="utf-8") as stream:
            loaded: Any = yaml.safe_load(stream)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"config file {path}: {' '.join(str(error).split())}") from None
    if loaded is not None and not isinstance(loaded, dict):
        raise ValueError(
            f"config file {path}: expected a mapping of settings, got a {type(loaded).__name__}"
        )


class _ConfigFileSource(YamlConfigSettingsSource):
    """The config file's settings. A relative kubeconfig path in it is taken from the file's
    directory, as kubectl takes the paths a kubeconfig names: the file and what it points at
    are kept together, and the working directory of a service is rarely the user's."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls, yaml_file=path)
        self._directory = path.parent

    def __call__(self) -> dict[str, Any]:
        settings = super().__call__()
        kubeconfig = settings.get("kubeconfig")
        if isinstance(kubeconfig, str) and kubeconfig and not kubeconfig.startswith("~"):
            settings["kubeconfig"] = str(self._directory / kubeconfig)  # absolute stays so
        return settings


class RunSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MIRRORCTL_", extra="forbid", frozen=True)
    config_file: ClassVar[Path | None] = None

    kubeconfig: Path | None = Field(
        None, description="kubeconfig path; unset: $KUBECONFIG, else ~/.kube/config"
    )
    context: str | None = Field(None, description="kubeconfig context")
    in_cluster: bool = Field(False, description="use the pod's service account")
    namespace: str | None = Field(None, description="watch pods and VMIs in one namespace only")
    workers: int = Field(4, ge=1, le=256, description="concurrent reconciles per reconciler")
    leader_elect: bool = Field(False, description="run only while holding the Lease")
    lease_name: str = Field("mirrorctl-leader", min_length=1)
    lease_namespace: str = Field("mirrorctl-system", min_length=1)
    # Finite: the leader election refuses an infinite timing (a traceback once the client is
    # open), and a Lease holds whole seconds.
    lease_duration: float = Field(
        15.0, gt=0, allow_inf_nan=False, description="seconds a standby waits to take over"
    )
    renew_deadline: float = Field(
        10.0, gt=0, allow_inf_nan=False, description="seconds the leader keeps trying to renew"
    )
    retry_period: float = Field(
        2.0, gt=0, allow_inf_nan=False, description="seconds between Lease attempts"
    )
    metrics_bind_address: str = Field("0.0.0.0:8080", description="host:port for /metrics")
    health_probe_bind_address: str = Field("0.0.0.0:8081", description="host:port for probes")
    log_format: Literal["json", "console"] = "json"
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    qps: float | None = Field(None, gt=0, description="client-side request limit; unset: none")
    burst: int = Field(100, ge=1)
    disable_compression: bool = Field(
        True, description="ask for uncompressed responses (as kube-controller-manager does)"
    )
    watch_hold: float = Field(
        0.02,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="seconds a busy watch may hold back reading, to read events in batches",
    )
    event_loop: Literal["auto", "uvloop", "asyncio"] = Field(
        "auto", description="auto: uvloop if installed (less CPU), else asyncio's loop"
    )
    contrail_api_version: str = DEFAULT_CONTRAIL_VERSION
    cluster_name: str | None = Field(
        None, description="only VMs/VMIs whose kube-manager pod-cluster-name matches"
    )

    @field_validator("kubeconfig", mode="before")
    @classmethod
    def _kubeconfig(cls, value: object) -> object:
        # Path("") is the current directory: "kubeconfig . does not exist" would follow.
        if value == "":
            raise ValueError("must not be empty (leave it unset for $KUBECONFIG)")
        # "~/..." as the loader reads $KUBECONFIG; no shell expands it in a file, a quoted
        # variable or --kubeconfig=~/...
        return os.path.expanduser(value) if isinstance(value, str) else value

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        # The mirroring settings refuse what is not a namespace name; checked here, it is a
        # bad setting (exit 2) instead of a traceback once the client is open.
        return None if value is None else check_object_name(value, what="namespace")

    @field_validator("lease_name", "lease_namespace")
    @classmethod
    def _lease(cls, value: str, info: ValidationInfo) -> str:
        # The apiserver refuses such a Lease (422) and the election retries it for good,
        # saying so at debug level only: the controller would never start.
        what = "Lease name" if info.field_name == "lease_name" else "Lease namespace"
        return check_object_name(value, what=what)

    @field_validator("cluster_name")
    @classmethod
    def _cluster_name(cls, value: str | None) -> str | None:
        if value == "":
            raise ValueError("must not be empty (leave it unset for every cluster)")
        return value

    @field_validator("metrics_bind_address", "health_probe_bind_address")
    @classmethod
    def _address(cls, value: str) -> str:
        BindAddress.parse(value)
        return value

    @field_validator("renew_deadline")
    @classmethod
    def _renew_within_lease(cls, value: float, info: ValidationInfo) -> float:
        lease = info.data.get("lease_duration")
        if lease is not None and not value < lease:
            raise ValueError(f"must be shorter than lease_duration ({lease})")
        return value

    @field_validator("retry_period")
    @classmethod
    def _retry_within_renew(cls, value: float, info: ValidationInfo) -> float:
        renew = info.data.get("renew_deadline")
        # client-go's rule: the renew deadline must allow for a jittered retry.
        if renew is not None and not value * 1.2 < renew:
            raise ValueError(f"must be under renew_deadline / 1.2 ({renew})")
        return value

    @field_validator("contrail_api_version")
    @classmethod
    def _version(cls, value: str) -> str:
        contrail_resources(value)
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.config_file is not None:
            sources.append(_ConfigFileSource(settings_cls, cls.config_file))
        return tuple(sources)

    @classmethod
    def load(cls, flags: dict[str, Any], config_file: Path | None) -> RunSettings:
        """Flags win over the environment, which wins over the file."""
        if config_file is not None:
            problem = not_a_file(config_file)
            if problem is not None:
                raise FileNotFoundError(f"config file {config_file} {problem}")
            _check_config_file(config_file)
        bound = type("BoundRunSettings", (cls,), {"config_file": config_file})
        settings: RunSettings = bound(**flags)
        return settings


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """A warning for each ``MIRRORCTL_*`` variable in ``environ`` that nothing reads (a typo
    would otherwise leave its setting at the default without a word), naming the variable it
    most resembles. Variables are matched as the settings read them, ignoring case."""
    known = [_PREFIX + name.upper() for name in RunSettings.model_fields]
    known.extend(_OTHER_VARIABLES)
    warnings = []
    for variable in sorted(environ):
        name = variable.upper()
        if not name.startswith(_PREFIX) or name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        warnings.append(f"mirrorctl: warning: {variable} is not a setting, ignored{hint}")
    return warnings
