"""The figures of the run report, each returned as a base64 PNG for embedding in the one-file HTML.

Drawn with matplotlib's Agg canvas on :class:`matplotlib.figure.Figure` objects, never through pyplot,
so rendering touches no global state and works without a display.
"""

from __future__ import annotations

import base64
import io
import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

Table = Mapping[str, np.ndarray]


def nrows(table: Table) -> int:
    """Rows of a column table (0 for an empty one)."""
    return len(next(iter(table.values()))) if table else 0


#: Engagements of at most this many trials are drawn, so the timeline stays readable and small.
MAX_TIMELINE_TRIALS = 200
#: ... and at most this many engagement markers (fewer trials for a large raid; always at least one trial).
MAX_TIMELINE_MARKERS = 20_000
#: More objects than this are drawn one row per threat class.
MAX_TIMELINE_ROWS = 60

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies and in greyscale print.
_HIT, _MISS, _LAUNCH = "#0072B2", "#D55E00", "#444444"
_CLASS_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def png(fig: Figure) -> str:
    buf = io.BytesIO()
    # No Software metadata: the same run gives the same bytes, and the file names no web address.
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def figure(height_in: float) -> Figure:
    fig = Figure(figsize=(9.0, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def rows_of(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Row of each ``wanted`` object id in ``ids``, -1 where absent."""
    if not len(ids):
        return np.full(len(wanted), -1)
    order = np.argsort(ids)
    rows = order[np.minimum(np.searchsorted(ids, wanted, sorter=order), len(ids) - 1)]
    return np.where(ids[rows] == wanted, rows, -1)


def probability_text(p: float) -> str:
    """A probability as a percentage with two significant digits, never "0" for a non-zero chance.

    >>> probability_text(0.63), probability_text(0.011), probability_text(0.0004), probability_text(0.0)
    ('63 %', '1.1 %', '0.04 %', '0 %')
    >>> probability_text(1.0), probability_text(0.999)
    ('100 %', '>99 %')
    """
    if p <= 0:
        return "0 %"
    pct = 100.0 * p
    if pct >= 99.5:
        return "100 %" if p >= 1 else ">99 %"
    return f"{pct:.2g} %" if pct < 10 else f"{pct:.0f} %"


#: Bubble area, in points squared, of a probability of 1 on the leaker map. The scale is absolute: the same
#: probability gives the same bubble in every report, whatever the other assets' probabilities.
BUBBLE_AREA_PT2_AT_1 = 1200.0
#: Probabilities drawn in the leaker map's legend.
BUBBLE_LEGEND = (0.01, 0.1, 0.5, 1.0)


def bubble_area_pt2(p: np.ndarray | float) -> np.ndarray:
    """Marker area (points squared) of the leaker map for a probability ``p``: proportional to ``p`` on
    the fixed scale 0..1 (values outside it are clipped), so equal probabilities give equal bubbles in
    every report.

    >>> bubble_area_pt2(np.array([0.0, 0.25, 1.0, 2.0])).tolist()
    [0.0, 300.0, 1200.0, 1200.0]
    """
    return BUBBLE_AREA_PT2_AT_1 * np.clip(np.asarray(p, dtype=float), 0.0, 1.0)


def leaker_bubbles(assets: Table, names: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """The leaker map's bubbles: per asset its id, display name, the probability that a warhead reaches
    it (``p_hit``), the bubble's area in points squared (:func:`bubble_area_pt2`) and its label."""
    if "asset" not in assets or not nrows(assets):
        return []
    p = np.asarray(assets["p_hit"], dtype=float)
    area = bubble_area_pt2(p)
    out = []
    for i, asset in enumerate(assets["asset"]):
        name = (names or {}).get(str(asset), str(asset))
        out.append(
            {
                "asset": str(asset),
                "name": name,
                "p_hit": float(p[i]),
                "area_pt2": float(area[i]),
                "label": f"{name} {probability_text(float(p[i]))}" if p[i] > 0 else "",
            }
        )
    return out


def leaker_map_figure(assets: Table, names: Mapping[str, str] | None = None) -> Figure | None:
    """Defended assets on a map, each with a bubble whose area is the probability that at least one
    warhead reaches it, on the absolute scale of :func:`bubble_area_pt2` (legend: :data:`BUBBLE_LEGEND`)."""
    bubbles = leaker_bubbles(assets, names)
    if not bubbles:
        return None
    from domesim.core.landmask import land_mask

    coast = "#8a8a8a"
    lon, lat = np.asarray(assets["lon_deg"], float), np.asarray(assets["lat_deg"], float)
    p = np.array([b["p_hit"] for b in bubbles])
    area = np.array([b["area_pt2"] for b in bubbles])
    fig = figure(5.0)
    ax = fig.add_subplot()
    pad = 8.0
    lon_lim = (float(lon.min()) - pad, float(lon.max()) + pad)
    lat_lim = (max(-90.0, float(lat.min()) - pad), min(90.0, float(lat.max()) + pad))
    mask = land_mask()
    if mask is not None:
        mlat, mlon, ocean = mask
        cols = (mlon >= lon_lim[0] - 1) & (mlon <= lon_lim[1] + 1)
        rows = (mlat >= lat_lim[0] - 1) & (mlat <= lat_lim[1] + 1)
        ax.contour(
            mlon[cols],
            mlat[rows],
            ocean[np.ix_(rows, cols)],
            levels=[0.5],
            colors=[coast],
            linewidths=0.5,
        )
    safe = p <= 0
    if safe.any():
        ax.scatter(lon[safe], lat[safe], s=14, facecolors="none", edgecolors="#2a7a2a",
                   label="no warhead reached it")  # fmt: skip
    ax.scatter(lon[~safe], lat[~safe], s=area[~safe], color=_MISS, alpha=0.6, edgecolors="#7a2e00",
               linewidths=0.5, gid="leaker-bubbles")  # fmt: skip
    for x, y, b in zip(lon, lat, bubbles, strict=True):
        if b["label"]:
            r_pt = float(np.sqrt(b["area_pt2"] / np.pi))
            ax.annotate(b["label"], (x, y), xytext=(r_pt + 2, r_pt * 0.5 + 2), textcoords="offset points",
                        fontsize=7.5, color="#1a1a1a")  # fmt: skip
    for q in BUBBLE_LEGEND:  # empty scatters: legend entries drawn at the map's own scale
        ax.scatter([], [], s=float(bubble_area_pt2(q)), color=_MISS, alpha=0.6, edgecolors="#7a2e00",
                   linewidths=0.5, label=probability_text(q))  # fmt: skip
    ax.set_xlim(*lon_lim)
    ax.set_ylim(*lat_lim)
    ax.set_aspect(1.0 / max(np.cos(np.radians(np.mean(lat_lim))), 0.2))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    fig.legend(loc="outside right center", frameon=False, fontsize="small", labelspacing=2.4, borderpad=1.0,
               handletextpad=1.8, title="chance a warhead\nreaches the asset\n(bubble area)",
               title_fontsize="small")  # fmt: skip
    return fig


def timeline_trials(eng: Table) -> np.ndarray:
    """The trials whose engagements the timeline draws: the first ones, at most :data:`MAX_TIMELINE_TRIALS`
    of them and no more than :data:`MAX_TIMELINE_MARKERS` engagements in all (at least one trial).

    >>> timeline_trials({"trial": np.repeat(np.arange(5), 3)}).tolist()
    [0, 1, 2, 3, 4]
    >>> len(timeline_trials({"trial": np.repeat(np.arange(300), 1000)}))
    20
    """
    if not nrows(eng):
        return np.zeros(0, dtype=np.int64)
    trials, counts = np.unique(np.asarray(eng["trial"]), return_counts=True)
    trials, counts = trials[:MAX_TIMELINE_TRIALS], counts[:MAX_TIMELINE_TRIALS]
    n = max(1, int(np.searchsorted(np.cumsum(counts), MAX_TIMELINE_MARKERS, side="right")))
    return trials[:n]


def leaker_map_png(assets: Table, names: Mapping[str, str] | None = None) -> str:
    """:func:`leaker_map_figure` as a base64 PNG ("" without assets)."""
    fig = leaker_map_figure(assets, names)
    return png(fig) if fig is not None else ""


def gospa_png(gospa: Table, info: Mapping[str, Any], t0: float) -> str:
    """Mean GOSPA of the track picture over time, with the 10-90 % band over trials ("" if not tracked)."""
    if not nrows(gospa):
        return ""
    fig = figure(3.2)
    ax = fig.add_subplot()
    t = gospa["t_s"] - t0
    ax.fill_between(t, gospa["p10_km"], gospa["p90_km"], color="#c6dbef", label="10-90 % of trials")
    ax.plot(t, gospa["mean_km"], color="#08519c", lw=1.2, label="mean over trials")
    ax.set_xlabel("time after first launch (s)")
    ax.set_ylabel(f"GOSPA, km (cut-off {info.get('cutoff_km', '')} km)")
    ax.grid(color="#dddddd")
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize="small")
    return png(fig)


def timeline_png(objects: Table, eng: Table, t0: float) -> str:
    """Threat flights with the engagements of the first trials: one bar per object, or one per threat
    class when the raid has more than :data:`MAX_TIMELINE_ROWS` objects (the figure stays readable and
    quick to draw whatever the raid size)."""
    n = nrows(objects)
    launch, impact = (
        (np.asarray(objects[c], dtype=float) - t0 for c in ("launch_t_s", "impact_t_s"))
        if n
        else (np.zeros(0), np.zeros(0))
    )
    if n > MAX_TIMELINE_ROWS:  # one row per class: from its first launch to its last nominal impact
        labels, row_of = np.unique(np.asarray(objects["threat_class"], dtype=str), return_inverse=True)
        starts = np.array([launch[row_of == i].min() for i in range(labels.size)])
        ends = np.array([impact[row_of == i].max() for i in range(labels.size)])
        names = [f"{label} ({np.count_nonzero(row_of == i)} objects)" for i, label in enumerate(labels)]
    else:
        row_of, starts, ends, names = np.arange(n), launch, impact, [str(x) for x in objects.get("name", [])]
    n_rows = len(names)
    fig = figure(min(1.8 + 0.35 * max(n_rows, 1), 24.0))
    ax = fig.add_subplot()
    if n_rows:
        ax.barh(np.arange(n_rows), ends - starts, left=starts, height=0.6, color="#e0e0e0",
                edgecolor="#909090", label="threat flight, launch to nominal impact")  # fmt: skip
        ax.set_yticks(np.arange(n_rows), labels=names)
    if nrows(eng) and n:
        kept = np.isin(eng["trial"], timeline_trials(eng))
        objects_of = rows_of(objects["object"], eng["object"][kept])
        on_row = objects_of >= 0
        rows = row_of[objects_of[on_row]]
        # Spread the trials over the bar's height so that many trials' markers stay apart.
        y = rows + 0.06 * ((eng["trial"][kept][on_row] % 9) - 4)
        hit = eng["killed"][kept][on_row].astype(bool)
        t_launch, t_int = (eng[c][kept][on_row] - t0 for c in ("launch_t_s", "intercept_t_s"))
        ax.scatter(t_launch, y, marker="|", s=25, color=_LAUNCH, linewidths=0.8, label="interceptor launch")
        ax.scatter(t_int[hit], y[hit], marker="o", s=12, color=_HIT, alpha=0.7, label="intercept: kill")
        ax.scatter(t_int[~hit], y[~hit], marker="x", s=16, color=_MISS, alpha=0.8, label="intercept: miss")
    else:
        ax.text(0.5, 0.5, "no interceptor engagements" if n else "no threat objects",
                transform=ax.transAxes, ha="center", va="center", color="#555555")  # fmt: skip
    if n_rows:
        ax.set_ylim(n_rows - 0.5, -0.5)  # first row on top
    else:
        ax.set_yticks([])
    ax.set_xlabel("time after first launch (s)")
    ax.grid(axis="x", color="#dddddd")
    if ax.get_legend_handles_labels()[0]:
        fig.legend(loc="outside lower center", ncols=4, frameon=False, fontsize="small")
    return png(fig)


#: The altitude figure draws at most this many objects (spread over the threat classes) and this many
#: time samples per line, so that it stays quick to draw for a raid of thousands of objects.
MAX_ALTITUDE_LINES = 120
MAX_ALTITUDE_POINTS = 600


def altitude_selection(classes: np.ndarray) -> np.ndarray:
    """Rows of the objects the altitude figure draws: all of them up to :data:`MAX_ALTITUDE_LINES`, else
    an even spread within each class (each class keeps at least one line).

    >>> altitude_selection(np.array(["a"] * 3 + ["b"])).tolist()
    [0, 1, 2, 3]
    >>> len(altitude_selection(np.array(["a"] * 5000 + ["b"] * 10)))
    120
    """
    n = len(classes)
    if n <= MAX_ALTITUDE_LINES:
        return np.arange(n)
    labels, row_of = np.unique(classes, return_inverse=True)
    counts = np.bincount(row_of, minlength=labels.size)
    quota = np.maximum(1, np.floor(MAX_ALTITUDE_LINES * counts / n)).astype(int)
    while quota.sum() > MAX_ALTITUDE_LINES and quota.max() > 1:
        quota[np.argmax(quota)] -= 1
    while quota.sum() < min(MAX_ALTITUDE_LINES, n):  # hand the rounding's spare lines to the largest classes
        spare = counts - quota
        quota[np.argmax(spare)] += 1
    keep = [np.flatnonzero(row_of == i)[np.linspace(0, c - 1, q).round().astype(int)]
            for i, (c, q) in enumerate(zip(counts, quota, strict=True))]  # fmt: skip
    return np.sort(np.concatenate(keep))


def altitude_png(objects: Table, nominal: Mapping[str, np.ndarray], t0: float) -> str:
    """Nominal altitude against time of the threat objects, coloured by class; at most
    :data:`MAX_ALTITUDE_LINES` lines (:func:`altitude_selection`) of at most :data:`MAX_ALTITUDE_POINTS`
    samples each."""
    t = np.asarray(nominal.get("t_s", []), dtype=float) - t0
    alt = np.asarray(nominal.get("alt_km", []), dtype=float)
    alt = alt.reshape(-1, t.size) if t.size else np.empty((0, 0))
    fig = figure(4.2)
    ax = fig.add_subplot()
    # Colour by class only when the objects table lines up with the nominal rows.
    aligned = len(alt) > 0 and nrows(objects) == len(alt)
    classes = (
        np.asarray(objects["threat_class"], dtype=str) if aligned else np.full(len(alt), "threat object")
    )
    keep = altitude_selection(classes)
    alt, classes = alt[keep], classes[keep]
    if t.size > MAX_ALTITUDE_POINTS:
        every = int(np.ceil(t.size / MAX_ALTITUDE_POINTS))
        t, alt = t[::every], alt[:, ::every]
    for colour, cls in zip(itertools.cycle(_CLASS_COLOURS), np.unique(classes)):
        lines = ax.plot(t, alt[classes == cls].T, color=colour, linewidth=1.0, alpha=0.85)
        lines[0].set_label(cls)
    if not len(alt):
        ax.text(0.5, 0.5, "no threat objects", transform=ax.transAxes, ha="center", va="center")
    ax.set_xlabel("time after first launch (s)")
    ax.set_ylabel("altitude (km)")
    ax.grid(color="#dddddd")
    if len(alt):
        ax.legend(title="threat class", fontsize="small", frameon=False, loc="upper right")
    return png(fig)
