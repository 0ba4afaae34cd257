"""The benchmark's PNG: success and recovery per kind, the time split, and throughput.

matplotlib is an optional dependency (the `bench` extra), imported only here and only
when a plot is written; it renders off-screen (Agg), so no display is needed.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.bench.errors import INSTALL_HINT, BenchSetupError
from agent.bench.summary import NODE_PHASES, ConfigSummary
from agent.bench.table import Throughput, kind_rates


def require_matplotlib() -> Any:  # noqa: ANN401 - matplotlib is optional; its pyplot module
    """`matplotlib.pyplot` on the Agg backend, or BenchSetupError naming the install."""
    try:
        matplotlib = importlib.import_module("matplotlib")
    except ImportError:
        msg = (
            f"writing the plot needs matplotlib, which is not installed: run {INSTALL_HINT} "
            "(or pip install 'matplotlib>=3.9,<4')"
        )
        raise BenchSetupError(msg) from None
    matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def write_plot(
    path: Path, summaries: Sequence[ConfigSummary], throughput: Sequence[Throughput]
) -> Path:
    """Draw the three panels into `path` (PNG) and return it."""
    plt = require_matplotlib()
    fig, axes = plt.subplot_mosaic(
        [["rates", "rates", "rates"], ["time", "hazards", "throughput"]], figsize=(15, 9)
    )
    _rates(axes["rates"], summaries)
    _time(axes["time"], summaries)
    _hazards(axes["hazards"], summaries)
    _throughput(axes["throughput"], throughput)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _rates(ax: Any, summaries: Sequence[ConfigSummary]) -> None:  # noqa: ANN401 - an Axes
    rates = kind_rates(summaries)
    kinds = list(dict.fromkeys(k for rows in rates.values() for k in rows))
    width = 0.8 / max(len(summaries), 1)
    for i, s in enumerate(summaries):
        values = [rates[s.config].get(k, (0.0, 0.0, 0.0)) for k in kinds]
        xs = [j + (i - (len(summaries) - 1) / 2) * width for j in range(len(kinds))]
        heights = [100 * v[0] for v in values]
        # max(0, ...): at 0/n and n/n the interval's edge can miss the rate by 1e-16.
        errors = [
            [max(0.0, 100 * (v[0] - v[1])) for v in values],
            [max(0.0, 100 * (v[2] - v[0])) for v in values],
        ]
        ax.bar(xs, heights, width, yerr=errors, capsize=2, label=s.config)
    ax.axhline(95, color="grey", linestyle="--", linewidth=1)
    labels = ["all episodes:\nsuccess" if k == "all" else f"{k}:\nrecovery" for k in kinds]
    ax.set_xticks(range(len(kinds)), labels, fontsize=8)
    ax.set_ylabel("% of episodes (95% Wilson CI)")
    ax.set_ylim(0, 105)
    ax.set_title("Goal success (all) and recovery per perturbation")
    ax.legend(loc="lower left", fontsize=8)


def _time(ax: Any, summaries: Sequence[ConfigSummary]) -> None:  # noqa: ANN401 - an Axes
    parts = [p for p in NODE_PHASES if p != "waiting_for_person"] + ["overhead"]
    bottoms = [0.0] * len(summaries)
    for part in parts:
        shares = []
        for s in summaries:
            seconds = s.time.overhead_s if part == "overhead" else s.time.phases_s[part]
            shares.append(100 * s.time.share(seconds))
        ax.bar([s.config for s in summaries], shares, bottom=bottoms, label=part)
        bottoms = [b + v for b, v in zip(bottoms, shares, strict=True)]
    ax.set_ylabel("% of run wall time")
    ax.set_ylim(0, 130)
    ax.set_yticks(range(0, 101, 20))
    ax.set_title("Where the time goes")
    ax.legend(fontsize=7, loc="upper center", ncol=3)


def _hazards(ax: Any, summaries: Sequence[ConfigSummary]) -> None:  # noqa: ANN401 - an Axes
    names = [s.config for s in summaries]
    counts = [s.hazard_count for s in summaries]
    ax.bar(names, counts, color="firebrick")
    ax.set_ylim(0, max(counts, default=0) + 1)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("hazardous actions executed")
    ax.set_title("Hazardous actions (all episodes)")


def _throughput(ax: Any, rows: Sequence[Throughput]) -> None:  # noqa: ANN401 - an Axes
    ax.set_title("Throughput")
    if not rows:
        ax.text(0.5, 0.5, "not measured (--throughput 1,2)", ha="center", va="center")
        ax.set_axis_off()
        return
    ax.plot([r.workers for r in rows], [r.per_minute for r in rows], marker="o")
    ax.set_xticks([r.workers for r in rows])
    ax.set_xlabel("workers")
    ax.set_ylabel("episodes / minute")
    ax.set_ylim(0, 1.2 * max(r.per_minute for r in rows))
