"""The mirroring-configuration annotation of a source VMI: model, serialisation, comparison."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

__all__ = [
    "MirroringConfiguration",
    "StaticNhHeader",
    "configuration_matches",
    "parse_configuration",
]


class _Model(BaseModel):
    # strict + forbid: an annotation that is not exactly ours compares unequal and is rewritten.
    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")


class StaticNhHeader(_Model):
    vtep_dst_ip_address: str
    vtep_dst_mac_address: str
    vni: int


class MirroringConfiguration(_Model):
    """Contrail's mirror action for one source interface. The field order is the key order of
    the serialised JSON; the first four keys are the ones CN2 documents."""

    analyzer_name: str
    analyzer_ip_address: str
    analyzer_macaddress: str | None
    ri: str | None
    udp_port: int | None
    juniper_header: bool
    nh_mode: Literal["dynamic", "static"]
    static_nh_header: StaticNhHeader | None
    nic_assisted_mirroring: bool
    nic_assisted_mirroring_vlan: int | None
    traffic_direction: Literal["ingress", "egress", "both"]

    def to_json(self) -> str:
        """Compact JSON, keys in declaration order, every key present (null when unset)."""
        return self._json

    @cached_property
    def _json(self) -> str:
        # One configuration is compared with every source VMI of its destination.
        return orjson.dumps(self._dump).decode()

    @cached_property
    def _verdicts(self) -> dict[str, bool]:
        return {}

    @cached_property
    def _dump(self) -> dict[str, object]:
        return self.model_dump(mode="json")


def parse_configuration(text: str) -> MirroringConfiguration:
    """The configuration in an annotation value; ValueError if it is not exactly one."""
    try:
        return MirroringConfiguration.model_validate(orjson.loads(text))
    except (orjson.JSONDecodeError, ValidationError) as err:
        raise ValueError(f"not a mirroring configuration: {err}") from None


def configuration_matches(existing: str | None, desired: MirroringConfiguration) -> bool:
    """Whether the annotation value ``existing`` already holds ``desired``, judged on the parsed
    value (key order and whitespace do not matter, types and extra keys do)."""
    if existing is None:
        return False
    if existing == desired.to_json():
        return True
    # In a fan-out, every source VMI of a destination holds the same previous value.
    verdicts = desired._verdicts
    verdict = verdicts.get(existing)
    if verdict is None:
        if len(verdicts) >= _VERDICTS:
            verdicts.clear()
        verdict = verdicts[existing] = _equal(existing, desired)
    return verdict


# Distinct non-identical values one configuration remembers its verdict on.
_VERDICTS = 16


def _equal(existing: str, desired: MirroringConfiguration) -> bool:
    try:
        # Every key is required and strictly typed, so a value whose JSON differs from the
        # desired one's cannot parse to an equal configuration; most differ, and this is
        # cheaper than validating them.
        if orjson.loads(existing) != desired._dump:
            return False
    except orjson.JSONDecodeError:
        return False
    try:
        return parse_configuration(existing) == desired
    except ValueError:
        return False
