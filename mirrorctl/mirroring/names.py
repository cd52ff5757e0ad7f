"""Checks of the Kubernetes names and label values that mirroring copies between objects."""

from __future__ import annotations

import re

from mirrorctl.mirroring.quoting import shown

__all__ = [
    "LABEL_VALUE_MAX",
    "check_interface_name",
    "check_label_value",
    "check_mirror_destination_name",
    "check_object_name",
    "is_label_value",
    "is_object_name",
]

LABEL_VALUE_MAX = 63
_SUBDOMAIN_MAX = 253
_IFNAME_MAX = 15  # Linux IFNAMSIZ - 1
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
_IFNAME_FORBIDDEN = re.compile(r"[/:\s]")


def _length_problem(value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"is {len(value)} characters long, at most {limit} are allowed"
    return None


def check_object_name(value: str, *, what: str) -> str:
    """``value`` if it is a DNS-1123 subdomain (the name rule of most kinds); else ValueError."""
    if not value:
        raise ValueError(f"{what} must not be empty")
    too_long = _length_problem(value, _SUBDOMAIN_MAX)
    if too_long:
        raise ValueError(f"{what} {value[:40]!r}... {too_long}")
    if not _SUBDOMAIN.fullmatch(value):
        raise ValueError(
            f"{what} {value!r} is not a valid name: use lower-case letters a-z, digits, '-' "
            "and '.', starting and ending with a letter or digit"
        )
    return value


def check_label_value(value: str, *, what: str) -> str:
    """``value`` if it can be a label value; else ValueError."""
    too_long = _length_problem(value, LABEL_VALUE_MAX)
    if too_long:
        raise ValueError(f"{what} {value[:40]!r}... {too_long} (it is used as a label value)")
    if not _LABEL_VALUE.fullmatch(value):
        raise ValueError(
            f"{what} {value!r} cannot be a label value: use letters a-z A-Z, digits, '-', '_' "
            "and '.', starting and ending with a letter or digit"
        )
    return value


def is_label_value(value: str) -> bool:
    """Whether ``value`` can be a label value."""
    return len(value) <= LABEL_VALUE_MAX and _LABEL_VALUE.fullmatch(value) is not None


def is_object_name(value: str) -> bool:
    """Whether ``value`` can be the name of an object of most kinds (a DNS-1123 subdomain)."""
    return 0 < len(value) <= _SUBDOMAIN_MAX and _SUBDOMAIN.fullmatch(value) is not None


def check_mirror_destination_name(value: str, *, what: str = "MirrorDestination name") -> str:
    """A MirrorDestination name is copied into a VMI label, so it must be both a valid object
    name and a valid label value (at most 63 characters)."""
    if len(value) > LABEL_VALUE_MAX:
        raise ValueError(
            f"{what} {value[:40]!r}... is {len(value)} characters long; at most "
            f"{LABEL_VALUE_MAX} are allowed because the name is written as a label value"
        )
    return check_object_name(value, what=what)


def check_interface_name(value: str, *, what: str = "interface name") -> str:
    """``value`` if it can be a Linux interface name; else ValueError."""
    if not value:
        raise ValueError(f"{what} must not be empty")
    if len(value) > _IFNAME_MAX or value in (".", "..") or _IFNAME_FORBIDDEN.search(value):
        raise ValueError(
            f"{what} {shown(value)} is not a valid interface name: at most {_IFNAME_MAX} "
            "characters, without '/', ':' or whitespace"
        )
    return value
