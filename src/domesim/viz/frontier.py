"""Plots of architecture studies: the cost-effectiveness frontier of a sweep, and a tornado chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

FRONTIER_COLOUR = "#c0392b"
POINT_COLOUR = "#7f8c8d"


def plot_frontier(table: Mapping[str, np.ndarray], path: str | Path, title: str, dollar_year: int) -> Path:
    """Cost (billions of dollars of ``dollar_year``) against P(no leak) with 95 % intervals; the Pareto
    set (``table["pareto"]``) joined as a step line, since between two frontier points the cheaper
    one's protection is all that money is known to buy."""
    cost = table["cost_usd"] / 1e9
    p, lo, hi = table["p_no_leak"], table["p_no_leak_lo"], table["p_no_leak_hi"]
    front = table["pareto"].astype(bool)
    fig = Figure(figsize=(8.0, 5.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.errorbar(cost[~front], p[~front], yerr=[p[~front] - lo[~front], hi[~front] - p[~front]], fmt="o",
                ms=4, color=POINT_COLOUR, alpha=0.6, elinewidth=0.8, label="architecture point")  # fmt: skip
    order = np.argsort(cost[front])
    ax.errorbar(cost[front][order], p[front][order],
                yerr=[(p - lo)[front][order], (hi - p)[front][order]], fmt="o", ms=6, color=FRONTIER_COLOUR,
                elinewidth=1.0, label="Pareto set (frontier)")  # fmt: skip
    ax.step(cost[front][order], p[front][order], where="post", color=FRONTIER_COLOUR, lw=1.2)
    ax.set_xlabel(f"lifecycle cost, billions of {dollar_year} dollars")
    ax.set_ylabel("probability that no warhead leaks")
    ax.set_ylim(-0.02, 1.02)
    return _finish(fig, ax, path, title, "lower right")


def plot_attack_frontier(
    table: Mapping[str, np.ndarray], path: str | Path, title: str, dollar_year: int, goal: str
) -> Path:
    """Defence cost (billions) against the cost of the attacker's cheapest answer to ``goal`` (millions):
    the frontier (``table["attack_pareto"]``) is where no cheaper defence forces a costlier answer. Points
    where no attack met the goal within the search's budget are drawn at the top, marked."""
    cost = table["cost_usd"] / 1e9
    attack = table["attack_cheapest_usd"] / 1e6
    found = np.isfinite(attack)
    front = table["attack_pareto"].astype(bool) & found
    fig = Figure(figsize=(8.0, 5.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot(cost[found & ~front], attack[found & ~front], "o", ms=4, color=POINT_COLOUR, alpha=0.6,
            label="architecture point")  # fmt: skip
    order = np.argsort(cost[front])
    ax.step(cost[front][order], attack[front][order], "o-", where="post", ms=6, color=FRONTIER_COLOUR,
            lw=1.2, label="frontier")  # fmt: skip
    top = float(np.nanmax(attack)) * 1.15 if found.any() else 1.0
    if (~found).any():
        ax.plot(cost[~found], np.full(int((~found).sum()), top), "^", ms=7, color="#2e86c1",
                label="no attack met the goal within the budget")  # fmt: skip
    ax.set_xlabel(f"defence lifecycle cost, billions of {dollar_year} dollars")
    ax.set_ylabel(f"cheapest attack meeting {goal}, millions of {dollar_year} dollars")
    ax.set_ylim(0.0, top * 1.08)
    return _finish(fig, ax, path, title, "upper left")


def _finish(fig: Figure, ax: Any, path: str | Path, title: str, legend: str) -> Path:
    """Grid, title and legend of a frontier plot, then the PNG."""
    ax.grid(alpha=0.3)
    ax.set_title(title)
    ax.legend(loc=legend)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path


def plot_tornado(
    labels: Sequence[str],
    low: np.ndarray,
    high: np.ndarray,
    base: float,
    path: str | Path,
    title: str,
    metric: str,
) -> Path:
    """One bar per input from the metric at its low value to the metric at its high value, widest on top."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    order = np.argsort(-np.abs(high - low), kind="stable")[::-1]  # barh draws bottom up: widest last
    fig = Figure(figsize=(9.0, 1.2 + 0.32 * max(len(labels), 1)))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    y = np.arange(len(order))
    ax.barh(y, low[order] - base, left=base, color="#2e86c1", label="input at its low value")
    ax.barh(y, high[order] - base, left=base, color="#e67e22", alpha=0.8, label="input at its high value")
    ax.axvline(base, color="black", lw=1.0)
    ax.set_yticks(y, [labels[i] for i in order], fontsize=8)
    ax.set_xlabel(metric)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path
