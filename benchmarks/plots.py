"""PNG plots of benchmark figures (matplotlib, headless), written to ``benchmarks/results/``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["RESULTS", "cdf", "progress", "timeseries"]

RESULTS = Path(__file__).resolve().parent / "results"


def _figure(width: float = 7, height: float = 4.2) -> tuple[Figure, Axes]:
    # A bare Figure (no pyplot): no global figure registry, no GUI backend. Imported here so
    # that benchmarks without plots run without matplotlib.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.add_subplot()


def _save(fig: Figure, name: str) -> str:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return str(path.relative_to(RESULTS.parent.parent))


def cdf(name: str, title: str, series: Mapping[str, Sequence[float]], unit: str = "ms") -> str:
    """Empirical CDFs (x log-scaled) of one sample list per label; returns the repo path."""
    fig, ax = _figure()
    for label, values in series.items():
        ordered = sorted(values)
        if not ordered:
            continue
        n = len(ordered)
        ax.step(ordered, [(i + 1) / n for i in range(n)], where="post", label=f"{label} (n={n})")
    ax.set_xscale("log")
    ax.set_xlabel(unit)
    ax.set_ylabel("fraction ≤ x")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, name)


def progress(name: str, title: str, series: Mapping[str, Sequence[float]]) -> str:
    """Objects done over time: each label's sorted completion times (s since the change)."""
    fig, ax = _figure()
    for label, times in series.items():
        ordered = sorted(times)
        ax.plot(ordered, range(1, len(ordered) + 1), label=label)
    ax.set_xlabel("seconds since the change")
    ax.set_ylabel("VMIs carrying the new configuration")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return _save(fig, name)


def timeseries(
    name: str,
    title: str,
    series: Mapping[str, Sequence[tuple[float, float]]],
    ylabel: str,
    *,
    second: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    second_label: str = "",
    from_zero: bool = False,
) -> str:
    """(t, value) lines against seconds; ``second`` goes on a right-hand axis. ``from_zero``
    starts the left axis at 0, so a flat curve looks flat rather than magnified."""
    fig, ax = _figure(8)
    for label, points in series.items():
        ax.plot([p[0] for p in points], [p[1] for p in points], label=label)
    ax.ticklabel_format(axis="y", useOffset=False)
    if from_zero:
        ax.set_ylim(bottom=0, top=max((p[1] for v in series.values() for p in v), default=1) * 1.15)
    ax.set_xlabel("seconds")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    if second:
        right = ax.twinx()
        for i, (label, points) in enumerate(second.items()):
            right.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                label=label,
                linestyle=":",
                color=f"C{len(series) + i}",  # the right axis would restart the colour cycle
            )
        right.set_ylabel(second_label)
        more_handles, more_labels = right.get_legend_handles_labels()
        handles += more_handles
        labels += more_labels
    ax.legend(handles, labels, fontsize=8, loc="upper left")
    return _save(fig, name)
