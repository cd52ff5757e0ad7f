from __future__ import annotations

import pytest

from mirrorctl.cli.explain_target import Target, parse_target


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["web"], Target("pod", "web")),
        (["md"], Target("pod", "md")),  # a pod that happens to be called md
        (["pod", "web"], Target("pod", "web")),
        (["pods", "web"], Target("pod", "web")),
        (["po/web"], Target("pod", "web")),
        (["md", "blue"], Target("md", "blue")),
        (["MirrorDestination", "blue"], Target("md", "blue")),
        (["mirrordestinations.core.contrail.juniper.net", "blue"], Target("md", "blue")),
        (["md/blue"], Target("md", "blue")),
    ],
)
def test_accepted(words: list[str], expected: Target) -> None:
    assert parse_target(words) == expected


@pytest.mark.parametrize(
    "words",
    [
        ["svc", "web"],
        ["deploy/web"],
        ["md/"],
        ["md/a/b"],
        ["pod", "a/b"],
        [""],
        ["md", "a", "b"],
    ],
)
def test_refused(words: list[str]) -> None:
    with pytest.raises(ValueError, match=r"expected POD, pod NAME or md NAME|empty"):
        parse_target(words)
