"""Rendering an explanation: aligned text for a person, JSON for scripts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import orjson

from mirrorctl.cli.explain_model import (
    DestinationExplanation,
    InterfaceExplanation,
    InterfaceState,
    Link,
    OwnedKeys,
    PlannedWrite,
    PodExplanation,
    ReceiverExplanation,
    RecordedEvent,
    StoredStatus,
)
from mirrorctl.mirroring.keys import ANALYZER_INTERFACE, MIRROR_DESTINATION, MIRRORING_CONFIGURATION

__all__ = ["render_json", "render_text"]

Explanation = PodExplanation | DestinationExplanation
MIRRORED = InterfaceState.MIRRORED


def render_json(explanation: Explanation) -> str:
    return orjson.dumps(explanation, option=orjson.OPT_INDENT_2).decode() + "\n"


# A longer cell (a routing-instance FQ name) overflows its column rather than widening it.
_MAX_COLUMN = 40


def _table(rows: Sequence[Sequence[str]], indent: str) -> list[str]:
    """Rows with every column but the last padded to its widest cell (up to a limit)."""
    if not rows:
        return []
    widths = [
        max((len(row[i]) for row in rows if len(row[i]) <= _MAX_COLUMN), default=0)
        for i in range(len(rows[0]) - 1)
    ]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append((indent + "  ".join([*cells, row[-1]])).rstrip())
    return lines


def _fields(pairs: Iterable[tuple[str, str]], indent: str) -> list[str]:
    """``name  value`` lines; a multi-line value continues under its first line."""
    rows = [(name, value.splitlines() or [""]) for name, value in pairs]
    width = max((len(name) for name, _ in rows), default=0)
    lines = []
    for name, values in rows:
        lines.append(f"{indent}{name.ljust(width)}  {values[0]}".rstrip())
        lines.extend(f"{indent}{' ' * width}  {more}" for more in values[1:])
    return lines


def _links(links: Sequence[Link], indent: str) -> list[str]:
    return _table(
        [(link.mark.value.upper(), link.kind, link.name or "-", link.detail) for link in links],
        indent,
    )


def _compact(value: object) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _owned(keys: OwnedKeys | None) -> str:
    if keys is None:
        return "- (no VMI)"
    lines = []
    if keys.mirror_destination is not None:
        lines.append(f"label {MIRROR_DESTINATION}={keys.mirror_destination}")
    config = keys.mirroring_configuration
    if isinstance(config, dict):
        lines.append(f"annotation {MIRRORING_CONFIGURATION}:")
        lines += _table([(str(k), _compact(v)) for k, v in config.items()], "  ")
    elif config is not None:
        lines.append(f"annotation {MIRRORING_CONFIGURATION}={_compact(config)}")
    if keys.analyzer_interface:
        lines.append(f"label {ANALYZER_INTERFACE}")
    return "\n".join(lines) or "none of mirrorctl's keys"


def _events(events: Sequence[RecordedEvent]) -> list[str]:
    if not events:
        return []
    rows = [(e.type, e.reason, f"{e.kind} {e.key}: {e.message}") for e in events]
    return ["", "Events the controller records about this:", *_table(rows, "  ")]


def _pending(writes: Sequence[PlannedWrite]) -> list[str]:
    if not writes:
        return []
    rows = [
        (
            f"{w.kind} {w.key}" + (f" ({w.subresource})" if w.subresource else ""),
            _compact(w.patch),
        )
        for w in writes
    ]
    return [
        "",
        "Writes the controller would make now (not converged: is mirrorctl running?):",
        *_table(rows, "  "),
    ]


def _interface(interface: InterfaceExplanation) -> list[str]:
    network = interface.network or "default network"
    head = f"{interface.name} ({network}): {interface.state.value.upper()}"
    pairs: list[tuple[str, str]] = [("summary", interface.summary)]
    if interface.mirror_destination is not None:
        pairs.append(("asks for", f"MirrorDestination {interface.mirror_destination}"))
    if interface.analyzer_mark:
        pairs.append(("marked", "analyzer interface"))
    if interface.analyzer_for:
        pairs.append(("analyzer of", ", ".join(interface.analyzer_for)))
    pairs.append(("on the VMI", _owned(interface.on_vmi)))
    if interface.expected is not None and interface.expected != interface.on_vmi:
        pairs.append(("controller wants", _owned(interface.expected)))
    lines = ["", head, *_fields(pairs, "  ")]
    if interface.mirror_destination is not None:
        lines += ["  chain", *_links(interface.links, "    ")]
        if interface.receiver is not None:
            lines += [f"    note: {note}" for note in interface.receiver.notes]
    return lines


def _pod(pod: PodExplanation) -> list[str]:
    pairs = [
        ("summary", pod.summary),
        ("uid", pod.uid or "-"),
        ("VirtualMachine", pod.virtual_machine or "-"),
        ("analyzer label", pod.analyzer_label or "-"),
    ]
    lines = [f"Pod {pod.namespace}/{pod.name}", *_fields(pairs, "  ")]
    for interface in pod.interfaces:
        lines += _interface(interface)
    return [*lines, *_events(pod.problems), *_pending(pod.pending)]


def _receiver(receiver: ReceiverExplanation) -> list[str]:
    lines = ["  receiver chain", *_links(receiver.links, "    ")]
    return lines + [f"    note: {note}" for note in receiver.notes]


def _stored(status: StoredStatus | None, current: bool) -> str:
    if status is None:
        text = "none yet"
    else:
        parts = [f"{status.state or '?'} ({status.reason or '?'})"]
        if status.ip_address:
            parts.append(f"IP {status.ip_address}")
        if status.mac_address:
            parts.append(f"MAC {status.mac_address}")
        if status.routing_instance:
            parts.append(f"routing instance {status.routing_instance}")
        if status.observed_generation is not None:
            parts.append(f"observedGeneration {status.observed_generation}")
        if status.source_count is not None:
            parts.append(f"{status.source_count} source(s)")
        text = ", ".join(parts)
    return text + ("; up to date" if current else "; behind what the controller computes now")


def _sources(md: DestinationExplanation) -> str:
    asking = len(md.sources)
    if asking == md.source_count:
        return f"{asking} interface(s) ask for it"
    # The status counts neither the analyzer's own interface nor those of finished pods.
    return (
        f"{asking} interface(s) ask for it, {md.source_count} counted as sources "
        "(not the analyzer's own interface, nor those of finished pods)"
    )


def _destination(md: DestinationExplanation) -> list[str]:
    receiver = md.receiver
    generation = f" (generation {md.generation})" if md.generation is not None else ""
    pairs = [
        ("summary", md.summary),
        ("analyzer", md.analyzer or "-"),
        ("now", f"{receiver.state} ({receiver.reason}): {receiver.message}"),
        ("stored status", _stored(md.status, md.status_current)),
        ("sources", _sources(md)),
    ]
    lines = [f"MirrorDestination {md.name}{generation}", *_fields(pairs, "  ")]
    lines += _receiver(receiver)
    if md.sources:
        rows = [
            (s.pod, s.interface, s.state.value, "" if s.state is MIRRORED else s.summary)
            for s in md.sources
        ]
        lines += ["  source interfaces", *_table(rows, "    ")]
    return [*lines, *_events(md.events), *_pending(md.pending)]


def render_text(explanation: Explanation) -> str:
    if isinstance(explanation, PodExplanation):
        lines = _pod(explanation)
    else:
        lines = _destination(explanation)
    return "\n".join(lines) + "\n"
