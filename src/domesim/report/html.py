"""Single-file HTML report of one run.

The report is one self-contained file: inline CSS, figures embedded as base64 PNG, no external URL, so it
can be mailed, archived with the run and opened offline years later. Figures are drawn with matplotlib's
Agg canvas on :class:`matplotlib.figure.Figure` objects, never through pyplot, so rendering touches no
global state and works without a display.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from domesim.errors import ParameterError
from domesim.results.leaks import cause_words
from domesim.results.metrics import mean_ci
from domesim.viz.report_figures import (
    MAX_TIMELINE_TRIALS,
    altitude_png,
    gospa_png,
    leaker_map_png,
    nrows,
    timeline_png,
)

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
        story=_leak_story(summary),
        causes=_cause_rows(summary),
        layers=_layer_rows(summary),
        interceptors=_interceptor_rows(summary, engagements),
        inventory=_inventory_rows(summary),
        sensing=_sensing_rows(summary.get("sensing")),
        detection=_detection_rows(objects),
        assets=_asset_rows(tables.get("assets") or {}),
        leaker_map_png=leaker_map_png(tables.get("assets") or {}),
        timeline_png=timeline_png(objects, engagements, t0),
        gospa_png=gospa_png(tables.get("gospa") or {}, summary.get("gospa") or {}, t0),
        altitude_png=altitude_png(objects, nominal, t0),
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


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _outcome(summary: Mapping[str, Any], trials: Table) -> dict[str, str]:
    lo, hi = summary["p_no_leak"]["ci95"]
    leak_ci = ""
    if nrows(trials) >= 2 and "leakers" in trials:
        l_lo, l_hi = mean_ci(trials["leakers"])
        leak_ci = f"{_fmt(float(l_lo), 3)}–{_fmt(float(l_hi), 3)}"
    return {
        "p": _fmt(summary["p_no_leak"]["mean"], 4),
        "lo": _fmt(lo, 4),
        "hi": _fmt(hi, 4),
        "leakers": _fmt(summary["expected_leakers"], 3),
        "leakers_ci": leak_ci,
    }


def _leak_story(summary: Mapping[str, Any]) -> str:
    """The answer in words: how many warheads leak, the largest reasons why, and where they fall."""
    leakers = float(summary["expected_leakers"])
    causes = sorted(((v, k) for k, v in (summary.get("leak_causes") or {}).items() if v > 0), reverse=True)
    p = summary["p_no_leak"]
    text = (
        f"In {summary['trials']:,} trials, the chance that no warhead gets through is {p['mean']:.2f} "
        f"(95% interval {p['ci95'][0]:.2f} to {p['ci95'][1]:.2f})."
    )
    if leakers <= 0 or not causes:
        text += " No warhead leaked in any trial."
    else:
        parts = [f"{v:.2f} ({100 * v / leakers:.0f}%) {cause_words(k)}" for v, k in causes[:3]]
        text += f" Of the {leakers:.2f} expected leakers per trial, " + "; ".join(parts) + "."
        by_asset = summary.get("leakers_by_asset") or {}
        if by_asset:
            asset, worst = max(by_asset.items(), key=lambda item: item[1]["mean_leakers"])
            if worst["mean_leakers"] > 0:
                text += f" Most fall on {asset} ({worst['mean_leakers']:.2f} per trial)."
    if summary.get("sensing") == "screening":
        text += (
            " Sensing here is the screening model (a first detection plus a fixed delay, with no track "
            "quality): an optimistic screening estimate, not the full kill chain."
        )
    return text


def _cause_rows(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    leakers = float(summary["expected_leakers"])
    return [
        {
            "cause": cause_words(k),
            "leakers": f"{v:.3f}",
            "share": f"{100 * v / leakers:.0f}%" if leakers > 0 else "",
        }
        for k, v in (summary.get("leak_causes") or {}).items()
    ]


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
        if nrows(eng):
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
    """Per threat object: when it was first seen and, on the full chain, held in a fire-control track."""

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
    if nrows(objects) and np.isfinite(objects["launch_t_s"]).any():
        return float(np.nanmin(objects["launch_t_s"]))
    t = np.asarray(nominal.get("t_s", []), dtype=float)
    return float(t[0]) if t.size else 0.0


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
        for i in range(nrows(assets) if "asset" in assets else 0)
    ]
