"""What ``mirrorctl explain`` was asked about: ``POD``, ``pod NAME``, ``md NAME`` (or the
kubectl forms ``pod/NAME`` and ``md/NAME``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = ["Target", "parse_target"]

_POD = {"pod", "pods", "po"}
_MD = {"md", "mds", "mirrordestination", "mirrordestinations"}
USAGE = "expected POD, pod NAME or md NAME (also pod/NAME, md/NAME)"


@dataclass(frozen=True, slots=True)
class Target:
    kind: Literal["pod", "md"]
    name: str


def _kind(word: str) -> Literal["pod", "md"] | None:
    # "mirrordestinations.core.contrail.juniper.net" names the kind as well as "md" does.
    base = word.lower().split(".", 1)[0]
    if base in _POD:
        return "pod"
    if base in _MD:
        return "md"
    return None


def parse_target(words: Sequence[str]) -> Target:
    """ValueError (a usage error) for anything else. A single word is a pod name, even one
    called ``md``: the kind needs a name after it."""
    if len(words) == 1:
        word = words[0]
        if "/" in word:
            kind_word, _, name = word.partition("/")
            kind = _kind(kind_word)
            if kind is None or not name or "/" in name:
                raise ValueError(f"cannot explain {word!r}: {USAGE}")
            return Target(kind, name)
        if not word:
            raise ValueError(f"an empty name: {USAGE}")
        return Target("pod", word)
    if len(words) == 2:
        kind = _kind(words[0])
        if kind is None:
            raise ValueError(f"cannot explain a {words[0]!r}: {USAGE}")
        if not words[1] or "/" in words[1]:
            raise ValueError(f"cannot explain {words[1]!r}: {USAGE}")
        return Target(kind, words[1])
    raise ValueError(f"too many words ({' '.join(words)}): {USAGE}")
