"""Junk for the malformed-input fuzz test: values of every JSON type, and mutations that put
them at a random depth of an object, only where the apiserver would store them.

The apiserver guarantees metadata's shape (names, label and annotation maps of strings) and, for
pods, the types of spec and status; everything under a custom resource's spec and status, and
any annotation value, may be anything another writer put there. Label values must still match
the apiserver's label-value syntax.
"""

from __future__ import annotations

import json
import random
from typing import Any

from mirrorctl.mirroring import keys

__all__ = ["junk", "junk_label_value", "junk_text", "mutate_annotations", "mutate_tree"]

# Deeper than orjson serialises (254 levels) yet far from Python's recursion limit, which
# the apiserver's own decoder (10,000 levels) does not bound.
_NESTING = 300
_BIG = "x" * 100_000

# Strings that are almost what a reader wants, or nothing like it.
_TEXTS: tuple[str, ...] = (
    "",
    " ",
    _BIG,
    "10.0.0.300",
    "10.0.0.5/24",
    " 10.0.0.5",
    "10.0.0.5\n",
    "::ffff:999.1.1.1",
    "fe80::1%eth0",
    "0.0.0.0",
    "255.255.255.255",
    "224.0.0.1",
    "02:00:00:00:00",
    "02:00:00:00:00:0g",
    "02-00-00-00-00-0a",
    "ff:ff:ff:ff:ff:ff",
    "02:00:00:00:00:0a:0b",
    "ünïcødé ✓ \u202e\u200b",
    "\x00",
    "\ud7ff\ue000\U0010ffff",
    "eth0",
    "ETH0",
    "eth" + "0" * 100,
    "eth0\x00",
    "1/0",
    "0/0",
    "2/1",
    "-1/1",
    "0/99999999999999999999",
    "a/b",
    "/",
    "md1",
    "MD1",
    "md1 ",
    "no such destination",
    "-md",
    "x" * 64,
    "true",
    "True",
    "false",
    "null",
    "[",
    "{",
    '{"a":',
    "[null]",
    '[{"name": 5}]',
    '[{"name": "blue", "cni-args": []}]',
    '[{"name": "blue", "interface": ""}]',
    '[{"name": "blue", "namespace": 7}]',
    "blue,red@",
    "@eth1",
    "ns/",
    ",,,",
    "[" * 1000,
    "default-domain:ns:vn:vn",
    "v4",
    "v6",
    "v5",
    "static",
    "dynamic",
    "ingress",
)
_INTS = (0, -1, 1, 65535, 65536, 4094, 4095, 16777216, 2**31, 2**63 - 1, -(2**63))
_FLOATS = (0.0, -0.0, 1.5, 1e300, -1e-300, 8099.0)
_LABEL_VALUES = ("", "a", "true", "false", "1", "A.b_c-9", "0" * 63, "md-nope", "MD1", "sniffer2")
# Pod annotations the mirroring readers look at, to be added with junk values.
_POD_KEYS = (
    keys.ANALYZER_INTERFACE,
    keys.MIRROR_DESTINATION,
    keys.NETWORKS,
    keys.NETWORK_STATUS,
)
# Contrail annotations the readers look at.
_CONTRAIL_KEYS = (
    keys.KUBE_MANAGER_POD_NAME,
    keys.KUBE_MANAGER_POD_NAMESPACE,
    keys.KUBE_MANAGER_POD_CLUSTER_NAME,
    keys.VMI_INTERFACE,
    keys.VMI_INDEX,
    keys.MIRRORING_CONFIGURATION,
)
# Annotations whose value is JSON: mutated inside, structure-aware, as well as replaced.
_JSON_ANNOTATIONS = (keys.NETWORKS, keys.NETWORK_STATUS, keys.MIRRORING_CONFIGURATION)


def junk_text(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return "".join(chr(rng.randrange(1, 0xD7FF)) for _ in range(rng.randrange(1, 20)))
    return rng.choice(_TEXTS)


def junk_label_value(rng: random.Random) -> str:
    return rng.choice(_LABEL_VALUES)


def _nested(rng: random.Random) -> Any:
    value: Any = junk_text(rng) if rng.random() < 0.5 else None
    for _ in range(_NESTING):
        value = [value] if rng.random() < 0.5 else {"name": value}
    return value


def junk(rng: random.Random, depth: int = 0) -> Any:
    """Any JSON value."""
    kind = rng.randrange(10 if depth < 2 else 7)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice((True, False))
    if kind == 2:
        return rng.choice(_INTS)
    if kind == 3:
        return rng.choice(_FLOATS)
    if kind in (4, 5, 6):
        return junk_text(rng)
    if kind == 7:
        return [junk(rng, depth + 1) for _ in range(rng.randrange(3))]
    if kind == 8:
        names = ("name", "namespace", "uid", "fqName", "kind", junk_text(rng)[:20])
        return {rng.choice(names): junk(rng, depth + 1) for _ in range(rng.randrange(3))}
    return _nested(rng)


def mutate_tree(rng: random.Random, root: dict[str, Any], *, deep: bool = False) -> None:
    """Replace, delete or add one value at a random depth under ``root`` (a spec or status);
    ``deep``: the value is a deeply nested one."""

    def junk_value() -> Any:
        return _nested(rng) if deep else junk(rng)

    node: Any = root
    levels = 0
    while True:
        children = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not children:
            break
        key = rng.choice(children)
        child = node[key]
        descend = rng.random() < (0.6 if levels < 20 else 0.0)  # not into nested junk
        if isinstance(child, (dict, list)) and child and descend:
            node = child
            levels += 1
            continue
        action = rng.random()
        if action < 0.15:
            del node[key]
        elif action < 0.25 and isinstance(node, dict):
            node[junk_text(rng)[:30]] = junk_value()
        else:
            node[key] = junk_value()
        return
    if isinstance(node, dict):
        node[rng.choice(("name", "fqName", "uid", junk_text(rng)[:30]))] = junk_value()
    else:
        node.append(junk_value())


def _mutated_json(rng: random.Random, text: str) -> str:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # "[" * 1000 is too deep for the json module
        return junk_text(rng)
    holder = {"v": value}
    mutate_tree(rng, holder, deep=rng.random() < 0.3)
    return json.dumps(holder.get("v"), ensure_ascii=rng.random() < 0.5)


def mutate_annotations(rng: random.Random, meta: dict[str, Any], *, pod: bool) -> None:
    """Give one annotation (existing, or one the readers look at) a junk string value; label
    values only change within the label syntax."""
    if rng.random() < 0.2:
        labels = meta.setdefault("labels", {})
        candidates = [*labels, keys.ANALYZER_POD, keys.ANALYZER_POD_SELECTOR]
        labels[rng.choice(candidates)] = junk_label_value(rng)
        return
    annotations = meta.setdefault("annotations", {})
    structured = [k for k in _JSON_ANNOTATIONS if k in annotations]
    if structured and rng.random() < 0.4:
        key = rng.choice(structured)  # they hold the most structure
    else:
        key = rng.choice([*annotations, *(_POD_KEYS if pod else _CONTRAIL_KEYS)])
    if key in _JSON_ANNOTATIONS and key in annotations and rng.random() < 0.6:
        annotations[key] = _mutated_json(rng, annotations[key])
    elif rng.random() < 0.1:
        annotations.pop(key, None)
    else:
        annotations[key] = junk_text(rng)
