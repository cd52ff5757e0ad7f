from __future__ import annotations

import pytest

from mirrorctl.mirroring.names import (
    check_interface_name,
    check_label_value,
    check_mirror_destination_name,
    check_object_name,
    is_label_value,
    is_object_name,
)


@pytest.mark.parametrize("name", ["a", "md1", "a.b-c", "x" * 63, "0abc"])
def test_valid_mirror_destination_names(name: str) -> None:
    assert check_mirror_destination_name(name) == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "must not be empty"),
        ("MD1", "lower-case"),
        ("md_1", "lower-case"),
        ("-md", "starting and ending"),
        ("md-", "starting and ending"),
        ("mirrör", "lower-case"),
        ("镜像", "lower-case"),
        ("x" * 64, "at most 63 are allowed because the name is written as a label value"),
        ("a b", "lower-case"),
    ],
)
def test_invalid_mirror_destination_names(name: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_mirror_destination_name(name)


def test_object_name_length_limit() -> None:
    assert check_object_name("a" * 253, what="n")
    with pytest.raises(ValueError, match="254 characters long, at most 253"):
        check_object_name("a" * 254, what="n")


@pytest.mark.parametrize("value", ["", "a", "A_b.c-D", "x" * 63])
def test_valid_label_values(value: str) -> None:
    assert check_label_value(value, what="v") == value


@pytest.mark.parametrize("value", ["-a", "a-", "a b", "ü", "x" * 64])
def test_invalid_label_values(value: str) -> None:
    with pytest.raises(ValueError, match="label value"):
        check_label_value(value, what="v")


@pytest.mark.parametrize("value", ["", "a", "A_b.c-D", "x" * 63, "-a", "a-", "a b", "ü", "x" * 64])
def test_is_label_value_agrees_with_the_check(value: str) -> None:
    try:
        check_label_value(value, what="v")
    except ValueError:
        assert not is_label_value(value)
    else:
        assert is_label_value(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("md1", True),
        ("a.b-c", True),
        ("a" * 253, True),
        ("", False),
        ("Foo", False),
        ("md_1", False),
        ("-md", False),
        ("a" * 254, False),
        ("mirrör", False),
    ],
)
def test_is_object_name(value: str, expected: bool) -> None:
    assert is_object_name(value) is expected


@pytest.mark.parametrize("value", ["eth0", "net1", "x" * 15, "vlan.100"])
def test_valid_interface_names(value: str) -> None:
    assert check_interface_name(value) == value


@pytest.mark.parametrize("value", ["", "x" * 16, "a/b", "a b", ".", "..", "a:b"])
def test_invalid_interface_names(value: str) -> None:
    with pytest.raises(ValueError, match="interface name"):
        check_interface_name(value)
