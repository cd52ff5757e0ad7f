"""The MirrorDestination spec: fields, defaults and the valid combinations (vRouter agent rules)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from mirrorctl.mirroring.addresses import is_unicast_ip, is_unicast_mac, normalize_ip, normalize_mac
from mirrorctl.mirroring.aliases import json_field
from mirrorctl.mirroring.errors import SpecError
from mirrorctl.mirroring.messages import describe_validation_error

__all__ = [
    "MirrorDestinationSpec",
    "NextHopMode",
    "StaticNextHopHeader",
    "TrafficDirection",
    "combination_problems",
    "parse_spec",
]

TrafficDirection = Literal["ingress", "egress", "both"]
NextHopMode = Literal["dynamic", "static"]


def _unicast_ip(value: str) -> str:
    address = normalize_ip(value)
    if not is_unicast_ip(address):
        raise ValueError(
            f"{address} is not a unicast address (unspecified, multicast and broadcast addresses "
            "cannot receive mirrored traffic)"
        )
    return address


def _unicast_mac(value: str) -> str:
    mac = normalize_mac(value)
    if not is_unicast_mac(mac):
        raise ValueError(f"{mac} is not a unicast MAC address (all-zero, multicast or broadcast)")
    return mac


UnicastIP = Annotated[str, AfterValidator(_unicast_ip)]
UnicastMAC = Annotated[str, AfterValidator(_unicast_mac)]


def _without_nulls(data: Any) -> Any:
    # The apiserver may keep explicit nulls; a null means "unset", i.e. the default.
    if isinstance(data, Mapping):
        return {k: v for k, v in data.items() if v is not None}
    return data


class _SpecModel(BaseModel):
    model_config = ConfigDict(
        frozen=True, strict=True, populate_by_name=True, extra="ignore", serialize_by_alias=True
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        return _without_nulls(data)


class StaticNextHopHeader(_SpecModel):
    """The fixed VXLAN tunnel of a static next hop."""

    vtep_destination_ip: UnicastIP = json_field("vTEPDestinationIP")
    vtep_destination_mac: UnicastMAC = json_field("vTEPDestinationMac")
    vxlan_id: int = json_field("vxlanID", ge=1, le=16_777_215)


class MirrorDestinationSpec(_SpecModel):
    """What a MirrorDestination asks for; only valid combinations construct."""

    traffic_direction: TrafficDirection = json_field("trafficDirection", "both")
    udp_port: int | None = json_field("udpPort", None, ge=1, le=65_535)
    juniper_header: bool = json_field("juniperHeader", True)
    next_hop_mode: NextHopMode = json_field("nextHopMode", "dynamic")
    static_next_hop_header: StaticNextHopHeader | None = json_field("staticNextHopHeader", None)
    nic_assisted_mirroring: bool = json_field("nicAssistedMirroring", False)
    nic_assisted_vlan_id: int | None = json_field("nicAssistedVlanID", None, ge=0, le=4094)
    external_analyzer: bool = json_field("externalAnalyzer", False)
    analyzer_ip: UnicastIP | None = json_field("analyzerIP", None)

    @model_validator(mode="after")
    def _valid_combination(self) -> MirrorDestinationSpec:
        problems = combination_problems(self)
        if problems:
            raise PydanticCustomError("combination", "{problems}", {"problems": problems})
        return self


def combination_problems(spec: MirrorDestinationSpec) -> list[str]:
    """Every rule the fields break together (each field being valid on its own)."""
    problems: list[str] = []
    if spec.next_hop_mode == "static":
        if spec.static_next_hop_header is None:
            problems.append(
                "spec.staticNextHopHeader: is required when nextHopMode is static "
                "(set vTEPDestinationIP, vTEPDestinationMac and vxlanID)"
            )
        if spec.juniper_header:
            problems.append(
                "spec.juniperHeader: must be false when nextHopMode is static (the vRouter "
                "cannot add the Juniper header on a static next hop); set juniperHeader: false "
                "or use nextHopMode: dynamic"
            )
    if spec.external_analyzer:
        if spec.analyzer_ip is None:
            problems.append(
                "spec.analyzerIP: is required when externalAnalyzer is true (the address of "
                "the analyzer outside the cluster)"
            )
        elif spec.next_hop_mode == "dynamic" and not spec.juniper_header:
            problems.append(
                "spec.juniperHeader: an external analyzer has no MAC address or routing instance "
                "to forward to without the Juniper header; set juniperHeader: true, or use "
                "nextHopMode: static with a staticNextHopHeader"
            )
    return problems


def parse_spec(spec: object, *, name: str | None = None) -> MirrorDestinationSpec:
    """The validated spec of a raw MirrorDestination ``spec`` (None means all defaults).

    Raises SpecError listing every problem, each starting with the offending field's path.
    """
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        raise SpecError([f"spec: must be an object, got {type(spec).__name__}"], name=name)
    try:
        return MirrorDestinationSpec.model_validate(spec)
    except ValidationError as err:
        raise SpecError(describe_validation_error(err, prefix="spec"), name=name) from None
