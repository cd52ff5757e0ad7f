"""A MirrorDestination read from its raw object: identity, analyzer selector and spec."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mirrorctl.mirroring.errors import SpecError
from mirrorctl.mirroring.keys import ANALYZER_POD_SELECTOR
from mirrorctl.mirroring.names import check_label_value, check_mirror_destination_name
from mirrorctl.mirroring.quoting import bounded
from mirrorctl.mirroring.spec import MirrorDestinationSpec, parse_spec

__all__ = ["MirrorDestination", "analyzer_display", "parse_mirror_destination"]


@dataclass(frozen=True, slots=True)
class MirrorDestination:
    name: str
    uid: str | None
    generation: int | None
    selector: str | None  # the analyzer-pod-selector label value; None when unset
    spec: MirrorDestinationSpec

    @property
    def display(self) -> str | None:
        """What identifies the analyzer to a user: the selector, or the external address."""
        return self.spec.analyzer_ip if self.spec.external_analyzer else self.selector


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_mirror_destination(obj: Mapping[str, Any]) -> MirrorDestination:
    """Raises SpecError (every problem at once) when the object can never be applied."""
    metadata = _mapping(obj.get("metadata"))
    raw_name = metadata.get("name")
    name = raw_name if isinstance(raw_name, str) else None
    problems: list[str] = []
    if name is None:
        problems.append("metadata.name: is required")
    else:
        try:
            check_mirror_destination_name(name)
        except ValueError as err:
            problems.append(f"metadata.name: {err}")
    selector = _mapping(metadata.get("labels")).get(ANALYZER_POD_SELECTOR)
    if selector is not None:
        try:
            check_label_value(str(selector), what=f"label {ANALYZER_POD_SELECTOR}")
        except ValueError as err:
            problems.append(f"metadata.labels: {err}")
    spec: MirrorDestinationSpec | None = None
    try:
        spec = parse_spec(obj.get("spec"), name=name)
    except SpecError as err:
        problems.extend(err.problems)
    # Judged on the raw flag too, so an invalid spec does not hide a missing label.
    external = spec.external_analyzer if spec else _mapping(obj.get("spec")).get("externalAnalyzer")
    if external is not True and not selector:
        problems.append(
            f"metadata.labels: label {ANALYZER_POD_SELECTOR} is required: set it to the value of "
            f"the analyzer pods' label core.juniper.net/analyzer-pod, or set spec.externalAnalyzer "
            f"and spec.analyzerIP"
        )
    if problems or spec is None or name is None:
        raise SpecError(problems, name=name)
    generation = metadata.get("generation")
    uid = metadata.get("uid")
    return MirrorDestination(
        name=name,
        uid=uid if isinstance(uid, str) else None,
        generation=generation if isinstance(generation, int) else None,
        selector=str(selector) if selector else None,
        spec=spec,
    )


_ANALYZER_SHOWN_MAX = 64  # an IPv6 address with a zone fits


def analyzer_display(obj: Mapping[str, Any]) -> str | None:
    """The printer column's analyzer for any raw MirrorDestination, valid or not."""
    metadata = _mapping(obj.get("metadata"))
    spec = _mapping(obj.get("spec"))
    if spec.get("externalAnalyzer") is True:
        ip = spec.get("analyzerIP")
        # Shown even when invalid (the printer column explains nothing otherwise), but not
        # whole: a CRD without the stand-in's format check lets it be any length.
        return bounded(ip, _ANALYZER_SHOWN_MAX) if isinstance(ip, str) else None
    selector = _mapping(metadata.get("labels")).get(ANALYZER_POD_SELECTOR)
    return selector if isinstance(selector, str) and selector else None
