"""Single-file HTML report of one run.

The report is one self-contained file: inline CSS, figures embedded as base64 PNG, no external URL, so it
can be mailed, archived with the run and opened offline years later. Figures are drawn with matplotlib's
Agg canvas on :class:`matplotlib.figure.Figure` objects, never through pyplot, so rendering touches no
global state and works without a display.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from domesim.errors import ParameterError
from domesim.results.metrics import mean_ci

__all__ = ["TAGS", "render_report"]

Table = Mapping[str, np.ndarray]

#: Provenance tags and what they mean (design.md; parameter-catalogue.md).
TAGS: dict[str, str] = {
    "V": "verified against a primary source",
    "V2": "verified against a secondary source",
    "V-data": "taken from a public data set",
    "D": "derived from other parameters",
    "V2-weak": "read in a weak secondary source (an educational summary): confirm before use",
    "R": "recalled, not yet verified",
    "assumed": "notional default, no source",
    "scenario": "set in the scenario file",
}
# The tags a reader should look at first: numbers nobody has checked.
_WEAK_TAGS = frozenset({"R", "assumed", "V2-weak"})

_REQUIRED = (
    "scenario", "description", "trials", "seed", "version", "git_hash", "scenario_hash", "p_no_leak",
    "expected_leakers", "threat_objects", "interceptors_fired", "kills_by_layer", "inventory", "wall_s",
)  # fmt: skip

#: Engagements of at most this many trials are drawn, so the timeline stays readable and small.
MAX_TIMELINE_TRIALS = 200

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies and in greyscale print.
_HIT, _MISS, _LAUNCH = "#0072B2", "#D55E00", "#444444"
_CLASS_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")


def render_report(
    out_path: str | os.PathLike[str],
    summary: Mapping[str, Any],
    tables: Mapping[str, Table],
    nominal: Mapping[str, np.ndarray],
    scenario_text: str,
    provenance: Sequence[Mapping[str, Any]],
) -> Path:
    """Write the HTML report of a run.

    Parameters
    ----------
    out_path : path-like
        The HTML file to write (its directory is created if missing).
    summary : mapping
        The run summary (keys ``scenario``, ``description``, ``trials``, ``seed``, ``version``, ``git_hash``,
        ``scenario_hash``, ``p_no_leak`` {``mean``, ``ci95``}, ``expected_leakers``, ``threat_objects``,
        ``interceptors_fired``, ``kills_by_layer``, ``inventory``, ``wall_s``; ``sensing`` optional).
    tables : mapping of str to column table
        ``trials``, ``engagements`` and ``objects`` column tables (1-D arrays); ``engagements`` may be
        empty or absent when the architecture has no interceptors.
    nominal : mapping
        ``t_s`` (T,) s and ``alt_km`` (N, T) km, NaN outside flight, for the threat objects in the order of
        ``tables["objects"]``.
    scenario_text : str
        The scenario file as read.
    provenance : sequence of mapping
        One mapping per parameter: ``element``, ``parameter``, ``value``, ``tag``, ``source``, ``note``.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ParameterError
        If ``summary`` lacks a required key.
    """
    missing = [key for key in _REQUIRED if key not in summary]
    if missing:
        raise ParameterError(
            f"render_report: the summary lacks {missing}; the engine's summary dict must have them"
        )
    objects = tables.get("objects") or {}
    engagements = tables.get("engagements") or {}
    t0 = _first_launch(objects, nominal)
    html = _template().render(
        s=summary,
        outcome=_outcome(summary, tables.get("trials") or {}),
        layers=_layer_rows(summary),
        interceptors=_interceptor_rows(summary, engagements),
        inventory=_inventory_rows(summary),
        sensing=_sensing_rows(summary.get("sensing")),
        detection=_detection_rows(objects),
        assets=_asset_rows(tables.get("assets") or {}),
        leaker_map_png=_leaker_map_png(tables.get("assets") or {}),
        timeline_png=_timeline_png(objects, engagements, t0),
        gospa_png=_gospa_png(tables.get("gospa") or {}, summary.get("gospa") or {}, t0),
        altitude_png=_altitude_png(objects, nominal, t0),
        timeline_trials=min(len(np.unique(engagements.get("trial", []))), MAX_TIMELINE_TRIALS),
        provenance=[_provenance_row(p) for p in provenance],
        weak_tags=_WEAK_TAGS,
        tags=TAGS,
        scenario_text=scenario_text,
        wall_s=f"{float(summary['wall_s']):.1f}",
    )
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)
    return out


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    source = resources.files("domesim.report").joinpath("report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    return env.from_string(source)


def _nrows(table: Table) -> int:
    return len(next(iter(table.values()))) if table else 0


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _outcome(summary: Mapping[str, Any], trials: Table) -> dict[str, str]:
    lo, hi = summary["p_no_leak"]["ci95"]
    leak_ci = ""
    if _nrows(trials) >= 2 and "leakers" in trials:
        l_lo, l_hi = mean_ci(trials["leakers"])
        leak_ci = f"{_fmt(float(l_lo), 3)}–{_fmt(float(l_hi), 3)}"
    return {
        "p": _fmt(summary["p_no_leak"]["mean"], 4),
        "lo": _fmt(lo, 4),
        "hi": _fmt(hi, 4),
        "leakers": _fmt(summary["expected_leakers"], 3),
        "leakers_ci": leak_ci,
    }


def _layer_rows(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    kills = summary["kills_by_layer"]
    total = sum(kills.values())
    return [
        {"layer": layer, "kills": _fmt(k), "share": f"{100 * k / total:.0f}%" if total else "–"}
        for layer, k in kills.items()
    ]


def _interceptor_rows(summary: Mapping[str, Any], eng: Table) -> list[dict[str, str]]:
    fired = summary["interceptors_fired"]
    trials = max(int(summary["trials"]), 1)
    rows = []
    for kind, mean in fired.items():
        row = {"interceptor": kind, "fired": _fmt(mean), "kills": "–", "salvo_pk": "–"}
        if _nrows(eng):
            mine = eng["interceptor"] == kind
            salvos, kills = int(mine.sum()), int(eng["killed"][mine].sum())
            row["kills"] = _fmt(kills / trials)
            row["salvo_pk"] = f"{kills / salvos:.2f}" if salvos else "–"
        rows.append(row)
    return rows


def _inventory_rows(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    rows = []
    for site, rec in summary["inventory"].items():
        inv, used = rec["inventory"], rec["mean_fired"]
        rows.append(
            {
                "site": site,
                "interceptor": rec["interceptor"],
                "inventory": str(inv),
                "fired": _fmt(used),
                "used": f"{100 * used / inv:.0f}%" if inv else "–",
            }
        )
    return rows


def _sensing_rows(sensing: Any) -> list[tuple[str, str]]:
    if sensing is None:
        return []
    if not isinstance(sensing, Mapping):
        return [("sensing", str(sensing))]
    return [(str(k), v if isinstance(v, str) else json.dumps(v, default=str)) for k, v in sensing.items()]


def _detection_rows(objects: Table) -> list[dict[str, str]]:
    """Per threat object: when it was first seen and, with tracked sensing, held in a fire-control track."""

    def fmt(key: str, i: int, digits: int = 0) -> str:
        if key not in objects:
            return ""
        v = float(objects[key][i])
        return "never" if not np.isfinite(v) else f"{v:.{digits}f}"

    if "detect_after_launch_s" not in objects:
        return []
    rows = []
    for i in range(len(objects.get("name", []))):
        rows.append(
            {
                "name": str(objects["name"][i]),
                "kind": str(objects["kind"][i]) if "kind" in objects else "",
                "detect": fmt("detect_after_launch_s", i),
                "p_detected": fmt("p_detected", i, 2),
                "track": fmt("track_after_launch_s", i),
                "fire_control": fmt("fire_control_after_launch_s", i),
                "p_fire_control": fmt("p_fire_control", i, 2),
                "tracks_held": fmt("tracks_held", i, 1),
            }
        )
    return rows


def _provenance_row(p: Mapping[str, Any]) -> dict[str, str]:
    return {key: "" if p.get(key) is None else str(p.get(key)) for key in
            ("element", "parameter", "value", "tag", "source", "note")}  # fmt: skip


def _first_launch(objects: Table, nominal: Mapping[str, np.ndarray]) -> float:
    if _nrows(objects) and np.isfinite(objects["launch_t_s"]).any():
        return float(np.nanmin(objects["launch_t_s"]))
    t = np.asarray(nominal.get("t_s", []), dtype=float)
    return float(t[0]) if t.size else 0.0


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    # No Software metadata: the same run gives the same bytes, and the file names no web address.
    fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(height_in: float) -> Figure:
    fig = Figure(figsize=(9.0, height_in), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _rows_of(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Row of each ``wanted`` object id in ``ids``, -1 where absent."""
    if not len(ids):
        return np.full(len(wanted), -1)
    order = np.argsort(ids)
    rows = order[np.minimum(np.searchsorted(ids, wanted, sorter=order), len(ids) - 1)]
    return np.where(ids[rows] == wanted, rows, -1)


def _asset_rows(assets: Table) -> list[dict[str, str]]:
    return [
        {
            "asset": str(assets["asset"][i]),
            "country": str(assets["country"][i]),
            "priority": str(assets["priority"][i]),
            "aimed": f"{float(assets['warheads_aimed'][i]):.2f}",
            "leakers": f"{float(assets['mean_leakers'][i]):.3f}",
            "p_hit": f"{float(assets['p_hit'][i]):.3f}",
        }
        for i in range(_nrows(assets) if "asset" in assets else 0)
    ]


def _leaker_map_png(assets: Table) -> str:
    """Defended assets on a map, each marked by the mean number of warheads leaking through to it."""
    if "asset" not in assets or not _nrows(assets):
        return ""
    from domesim.core.landmask import land_mask

    coast = "#8a8a8a"

    lon, lat = np.asarray(assets["lon_deg"], float), np.asarray(assets["lat_deg"], float)
    leak = np.asarray(assets["mean_leakers"], float)
    fig = _figure(4.6)
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
    safe = leak <= 0
    ax.scatter(lon[safe], lat[safe], s=18, facecolors="none", edgecolors="#2a7a2a", label="no leaker")
    size = 30 + 600 * leak[~safe] / max(leak.max(), 1e-9)
    ax.scatter(lon[~safe], lat[~safe], s=size, color=_MISS, alpha=0.7, label="mean leakers per trial (area)")
    for x, y, name, v in zip(lon, lat, assets["asset"], leak, strict=True):
        if v > 0:
            ax.annotate(f"{name} {v:.2f}", (x, y), xytext=(4, 4), textcoords="offset points", fontsize=7)
    ax.set_xlim(*lon_lim)
    ax.set_ylim(*lat_lim)
    ax.set_aspect(1.0 / max(np.cos(np.radians(np.mean(lat_lim))), 0.2))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize="small")
    return _png(fig)


def _gospa_png(gospa: Table, info: Mapping[str, Any], t0: float) -> str:
    """Mean GOSPA of the track picture over time, with the 10-90 % band over trials ("" if not tracked)."""
    if not _nrows(gospa):
        return ""
    fig = _figure(3.2)
    ax = fig.add_subplot()
    t = gospa["t_s"] - t0
    ax.fill_between(t, gospa["p10_km"], gospa["p90_km"], color="#c6dbef", label="10-90 % of trials")
    ax.plot(t, gospa["mean_km"], color="#08519c", lw=1.2, label="mean over trials")
    ax.set_xlabel("time after first launch (s)")
    ax.set_ylabel(f"GOSPA, km (cut-off {info.get('cutoff_km', '')} km)")
    ax.grid(color="#dddddd")
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize="small")
    return _png(fig)


def _timeline_png(objects: Table, eng: Table, t0: float) -> str:
    n = _nrows(objects)
    fig = _figure(min(1.8 + 0.35 * max(n, 1), 24.0))
    ax = fig.add_subplot()
    if n:
        launch, impact = objects["launch_t_s"] - t0, objects["impact_t_s"] - t0
        ax.barh(np.arange(n), impact - launch, left=launch, height=0.6, color="#e0e0e0", edgecolor="#909090",
                label="threat flight, launch to nominal impact")  # fmt: skip
        ax.set_yticks(np.arange(n), labels=[str(x) for x in objects["name"]])
    if _nrows(eng) and n:
        kept = np.isin(eng["trial"], np.unique(eng["trial"])[:MAX_TIMELINE_TRIALS])
        rows = _rows_of(objects["object"], eng["object"][kept])
        on_row = rows >= 0
        # Spread the trials over the bar's height so that many trials' markers stay apart.
        y = (rows + 0.06 * ((eng["trial"][kept] % 9) - 4))[on_row]
        hit = eng["killed"][kept][on_row].astype(bool)
        t_launch, t_int = (eng[c][kept][on_row] - t0 for c in ("launch_t_s", "intercept_t_s"))
        ax.scatter(t_launch, y, marker="|", s=25, color=_LAUNCH, linewidths=0.8, label="interceptor launch")
        ax.scatter(t_int[hit], y[hit], marker="o", s=12, color=_HIT, alpha=0.7, label="intercept: kill")
        ax.scatter(t_int[~hit], y[~hit], marker="x", s=16, color=_MISS, alpha=0.8, label="intercept: miss")
    else:
        ax.text(0.5, 0.5, "no interceptor engagements" if n else "no threat objects",
                transform=ax.transAxes, ha="center", va="center", color="#555555")  # fmt: skip
    if n:
        ax.set_ylim(n - 0.5, -0.5)  # first object on top
    else:
        ax.set_yticks([])
    ax.set_xlabel("time after first launch (s)")
    ax.grid(axis="x", color="#dddddd")
    if ax.get_legend_handles_labels()[0]:
        fig.legend(loc="outside lower center", ncols=4, frameon=False, fontsize="small")
    return _png(fig)


def _altitude_png(objects: Table, nominal: Mapping[str, np.ndarray], t0: float) -> str:
    t = np.asarray(nominal.get("t_s", []), dtype=float) - t0
    alt = np.asarray(nominal.get("alt_km", []), dtype=float)
    alt = alt.reshape(-1, t.size) if t.size else np.empty((0, 0))
    fig = _figure(4.2)
    ax = fig.add_subplot()
    # Colour by class only when the objects table lines up with the nominal rows.
    aligned = len(alt) > 0 and _nrows(objects) == len(alt)
    classes = (
        np.asarray(objects["threat_class"], dtype=str) if aligned else np.full(len(alt), "threat object")
    )
    for colour, cls in zip(itertools.cycle(_CLASS_COLOURS), np.unique(classes)):
        lines = ax.plot(t, alt[classes == cls].T, color=colour, linewidth=1.0, alpha=0.85)
        lines[0].set_label(cls)
    if not len(alt):
        ax.text(0.5, 0.5, "no threat objects", transform=ax.transAxes, ha="center", va="center")
    ax.set_xlabel("time after first launch (s)")
    ax.set_ylabel("altitude (km)")
    ax.grid(color="#dddddd")
    if len(alt):
        ax.legend(title="threat class", fontsize="small", frameon=False)
    return _png(fig)
