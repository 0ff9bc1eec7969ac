"""Single-file HTML report of one run.

The report is one self-contained file: inline CSS, figures embedded as base64 PNG, no external URL, so it
can be mailed, archived with the run and opened offline years later. Figures are drawn with matplotlib's
Agg canvas on :class:`matplotlib.figure.Figure` objects, never through pyplot, so rendering touches no
global state and works without a display.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import numpy as np

from domesim.errors import ParameterError
from domesim.report.words import (
    GLOSSARY,
    asset_name,
    count_text,
    element_name,
    interceptor_name,
    layer_name,
    money_text,
    share_text,
    site_name,
)
from domesim.results.leaks import cause_words
from domesim.results.metrics import mean_ci
from domesim.viz.report_figures import (
    BUBBLE_LEGEND,
    MAX_ALTITUDE_LINES,
    altitude_png,
    gospa_png,
    leaker_bubbles,
    leaker_map_png,
    nrows,
    probability_text,
    rows_of,
    timeline_png,
    timeline_trials,
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
    cost: Mapping[str, Any] | None = None,
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
    cost : mapping, optional
        The scenario's lifecycle cost, as :meth:`domesim.scenario.costing.ScenarioCost.to_dict` gives it.
        Without it the report costs ``scenario_text`` itself (:func:`scenario_cost` of the file as read);
        if that fails the report says why and shows no cost.

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
    assets = tables.get("assets") or {}
    t0 = _first_launch(objects, nominal)
    cost_error = ""
    if cost is None:
        cost, cost_error = _cost_of_text(scenario_text)
    names = {str(a): asset_name(str(a)) for a in assets.get("asset", [])}
    html = _template().render(
        s=summary,
        lead=_lead(summary, cost, cost_error, provenance),
        outcome=_outcome(summary, tables.get("trials") or {}),
        causes=_cause_rows(summary),
        layers=_layer_rows(summary, engagements, objects, cost),
        interceptors=_interceptor_rows(summary, engagements, objects),
        inventory=_inventory_rows(summary),
        cost=_cost_rows(cost),
        cost_error=cost_error,
        waves=_wave_rows(summary),
        exchange=_exchange_rows(summary.get("cost_exchange")),
        sensing=_sensing_rows(summary.get("sensing")),
        detection=_detection_groups(objects),
        assets=_asset_rows(assets, names),
        bubbles_json=json.dumps(
            [{k: b[k] for k in ("asset", "p_hit", "area_pt2")} for b in leaker_bubbles(assets, names)]
        ),
        bubble_legend=BUBBLE_LEGEND,
        leaker_map_png=leaker_map_png(assets, names),
        timeline_png=timeline_png(objects, engagements, t0),
        gospa_png=gospa_png(tables.get("gospa") or {}, summary.get("gospa") or {}, t0),
        altitude_png=altitude_png(objects, nominal, t0),
        altitude_drawn=min(nrows(objects), MAX_ALTITUDE_LINES),
        altitude_total=nrows(objects),
        altitude_capped=nrows(objects) > MAX_ALTITUDE_LINES,
        timeline_trials=len(timeline_trials(engagements)),
        glossary=GLOSSARY,
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


def _cost_of_text(scenario_text: str) -> tuple[dict[str, Any] | None, str]:
    """The lifecycle cost of the scenario file as read, or why it could not be costed."""
    from domesim.scenario.costing import scenario_cost

    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scenario.toml"
            path.write_text(scenario_text, encoding="utf-8")
            return scenario_cost(path).to_dict(), ""
    except Exception as exc:  # the report is still written; it says the cost is missing and why
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"the scenario could not be costed ({first})"


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    source = resources.files("domesim.report").joinpath("report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    return env.from_string(source)


def _fmt(x: float | None, digits: int = 2) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _cause_text(key: str) -> str:
    """A leak cause in words, with the layer's display name."""
    if key.startswith("missed_"):
        layer = layer_name(key.removeprefix("missed_"))
        return f"were engaged, last by the {layer} layer, and every salvo missed"
    return cause_words(key)


def _largest_causes(summary: Mapping[str, Any]) -> list[tuple[float, str]]:
    causes = [(float(v), k) for k, v in (summary.get("leak_causes") or {}).items() if v and v > 0]
    return sorted(causes, key=lambda item: (-item[0], item[1]))


def _lead(
    summary: Mapping[str, Any],
    cost: Mapping[str, Any] | None,
    cost_error: str,
    provenance: Sequence[Mapping[str, Any]],
) -> dict[str, str]:
    """The report's first paragraph, in parts: the question, the answer with its interval, the largest
    reasons for leakage, the lifecycle cost and what is assumed."""
    p = summary["p_no_leak"]
    warheads = int(summary["threat_objects"])
    total = int(summary.get("objects_total", warheads))
    leakers = float(summary["expected_leakers"])
    raid = f"{warheads:,} warhead{'s' if warheads != 1 else ''}"
    if total > warheads:
        raid += f" (among {total:,} objects, decoys and buses included)"
    question = f"The question: of the {raid} in this raid, how likely is it that none gets through?"
    answer = (
        f"In {int(summary['trials']):,} simulated trials, the chance that no warhead gets through is "
        f"{p['mean']:.2f} (95 % interval {p['ci95'][0]:.2f} to {p['ci95'][1]:.2f}); on average "
        f"{count_text(leakers)} of the {warheads:,} warheads get through per trial."
    )
    causes = _largest_causes(summary)
    if leakers <= 0 or not causes:
        why = "No warhead got through in any trial."
    else:
        parts = [f"{_cause_text(k)} ({share_text(v, leakers)} of the leakers)" for v, k in causes[:3]]
        why = "The largest reason for leakage: the leakers " + parts[0]
        if len(parts) > 1:
            why += "; then the leakers " + "; the leakers ".join(parts[1:])
        why += "."
        by_asset = summary.get("leakers_by_asset") or {}
        if by_asset:
            asset, worst = max(by_asset.items(), key=lambda item: item[1]["mean_leakers"])
            if worst["mean_leakers"] > 0:
                why += (
                    f" The asset most at risk is {asset_name(asset)} (a warhead reaches it in "
                    f"{probability_text(float(worst['p_hit']))} of the trials)."
                )
    if cost is None:
        money = f"The cost is not shown: {cost_error or 'no cost was computed'}."
    else:
        money = (
            f"Fielding and running this architecture for {cost['horizon_years']} years costs "
            f"{money_text(cost['total_usd'])} in {cost['dollar_year']} dollars"
        )
        lo, hi = cost.get("total_low_usd"), cost.get("total_high_usd")
        if lo is not None and hi is not None and hi > lo:
            money += f" ({money_text(lo)} to {money_text(hi)} over the unknown parameters' public ranges)"
        missing = sorted({element_name(str(e["element"])) for e in cost.get("not_costed", [])})
        if missing:
            money += (
                f"; a lower bound, since parts with no public cost figure are left out "
                f"({', '.join(missing[:6])}{', …' if len(missing) > 6 else ''})"
            )
        money += "."
    weak = sum(1 for r in provenance if r.get("tag") in _WEAK_TAGS)
    sensing = summary.get("sensing")
    fidelity = {
        "full": "full sensing (radar looks, a tracker that never sees truth, fire-control tracks)",
        "screening": "screening sensing (coverage plus a fixed delay, no track quality: optimistic)",
        "ideal": "ideal sensing (every object known at once: an upper bound)",
    }.get(str(sensing), f"{sensing} sensing" if sensing else "the default sensing")
    assumed = (
        f"Assumed: {fidelity}; kills drawn from each interceptor class's single-shot kill probability and "
        f"reliability; command and control by the scenario's doctrine with a fixed decision delay; "
        f"notional parameters from public sources"
    )
    assumed += (
        f", {weak} of {len(provenance)} of them recalled or assumed rather than checked (highlighted in the "
        f"parameter table)."
        if provenance
        else "."
    )
    return {"question": question, "answer": answer, "why": why, "cost": money, "assumed": assumed}


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


def _cause_rows(summary: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The leak causes with leakers, largest first, and the causes that had none (one line)."""
    leakers = float(summary["expected_leakers"])
    causes = summary.get("leak_causes") or {}
    return {
        "rows": [
            {"cause": _cause_text(k), "leakers": count_text(v), "share": share_text(v, leakers)}
            for v, k in _largest_causes(summary)
        ],
        "none": [_cause_text(k) for k, v in causes.items() if not v],
    }


def _object_kills(eng: Table, objects: Table) -> tuple[np.ndarray, np.ndarray]:
    """Per salvo: whether it killed a warhead, and whether it killed another object (decoy, bus, a
    missile in boost)."""
    if not nrows(eng):
        return np.zeros(0, bool), np.zeros(0, bool)
    killed = np.asarray(eng["killed"], dtype=bool)
    if "lethal" in objects and nrows(objects):
        row = rows_of(np.asarray(objects["object"]), np.asarray(eng["object"]))
        lethal = np.where(row >= 0, np.asarray(objects["lethal"], dtype=bool)[np.maximum(row, 0)], True)
    else:
        lethal = np.ones(killed.size, bool)
    return killed & lethal, killed & ~lethal


def _layer_rows(
    summary: Mapping[str, Any], eng: Table, objects: Table, cost: Mapping[str, Any] | None
) -> list[dict[str, str]]:
    """Per layer: warheads destroyed (as summary.json counts them), other objects destroyed, interceptors
    fired, and the layer's lifecycle cost."""
    kills = summary["kills_by_layer"]
    trials = max(int(summary["trials"]), 1)
    total = sum(kills.values())
    _, other = _object_kills(eng, objects)
    fired_by_layer: dict[str, float] = {}
    if nrows(eng):
        for layer in np.unique(eng["layer"]):
            fired_by_layer[str(layer)] = float(eng["shots"][eng["layer"] == layer].sum()) / trials
    by_layer = (cost or {}).get("by_layer") or {}
    rows = []
    for layer, k in kills.items():
        mine = eng["layer"] == layer if nrows(eng) else np.zeros(0, bool)
        layer_cost = by_layer.get(layer)
        rows.append(
            {
                "layer": layer_name(layer),
                "warheads": count_text(float(k)),
                "share": share_text(float(k), total) if total else "—",
                "other": count_text(float(other[mine].sum()) / trials) if nrows(eng) else "0",
                "fired": count_text(fired_by_layer.get(layer, 0.0)),
                "cost": _money_cell(layer_cost) if cost is not None else "—",
            }
        )
    return rows


def _money_cell(part: Mapping[str, Any] | None, key: str = "total_usd") -> str:
    if part is None:
        return "not costed"
    text = money_text(part.get(key))
    if key == "total_usd" and part.get("not_costed") and part.get(key) is not None:
        text = f"≥ {text}"
    return text


def _interceptor_rows(summary: Mapping[str, Any], eng: Table, objects: Table) -> list[dict[str, str]]:
    """Per interceptor class: fired, salvos, objects destroyed (warheads and others apart), kills per salvo
    ("—" for a class that never fired)."""
    fired = summary["interceptors_fired"]
    trials = max(int(summary["trials"]), 1)
    warhead, other = _object_kills(eng, objects)
    layer_of: dict[str, str] = {}
    if nrows(eng):
        for kind, layer in zip(eng["interceptor"], eng["layer"], strict=True):
            layer_of.setdefault(str(kind), str(layer))
    rows = []
    for kind, mean in fired.items():
        mine = eng["interceptor"] == kind if nrows(eng) else np.zeros(0, bool)
        salvos = int(mine.sum())
        kills = int(warhead[mine].sum() + other[mine].sum())
        rows.append(
            {
                "interceptor": interceptor_name(kind),
                "layer": layer_name(layer_of[kind]) if kind in layer_of else "",
                "fired": count_text(float(mean)),
                "salvos": f"{salvos:,}",
                "warheads": count_text(float(warhead[mine].sum()) / trials),
                "other": count_text(float(other[mine].sum()) / trials),
                "salvo_pk": f"{kills / salvos:.2f}" if salvos else "—",
            }
        )
    return rows


def _inventory_rows(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    """Per site or constellation: inventory, mean fired per trial and the share used (never "0 %" for a
    non-zero use: a constellation of thousands shows e.g. "0.12 %")."""
    rows = []
    for site, rec in summary["inventory"].items():
        inv, used = rec["inventory"], float(rec["mean_fired"])
        rows.append(
            {
                "site": site_name(site),
                "interceptor": interceptor_name(rec["interceptor"]),
                "inventory": f"{inv:,}",
                "fired": count_text(used),
                "used": share_text(used, float(inv)),
            }
        )
    return rows


def _wave_rows(summary: Mapping[str, Any]) -> list[dict[str, str]]:
    """A campaign's waves (``summary["waves"]``), one row each."""
    rows = []
    for w in summary.get("waves") or ():
        p, (lo, hi) = w["p_no_leak"]["mean"], w["p_no_leak"]["ci95"]
        left = ", ".join(
            f"{interceptor_name(name)} {count_text(float(n))}" for name, n in w["interceptors_left"].items()
        )
        rows.append(
            {
                "name": w["name"],
                "start_h": f"{w['start_h']:g}",
                "warheads": str(w["warheads"]),
                "p_no_leak": f"{p:.3f} [{lo:.3f}, {hi:.3f}]",
                "leakers": f"{w['expected_leakers']:.2f}",
                "asat": count_text(float(w["satellites_killed_by_asat"])),
                "sbi_near": count_text(float(w["sbi_over_launch_area"])),
                "left": left,
            }
        )
    return rows


def _money(usd: float | None) -> str:
    if usd is None:
        return "not costed"
    return f"${usd / 1e9:,.2f} B" if abs(usd) >= 1e9 else f"${usd / 1e6:,.1f} M"


def _exchange_rows(exchange: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The cost-exchange section (``summary["cost_exchange"]``, :mod:`domesim.results.exchange`)."""
    if not exchange:
        return None
    ratio = exchange["exchange_ratio"]
    lo, hi = ratio["interval"]

    def num(x: float | None) -> str:
        return "not defined" if x is None else f"{x:,.2f}"

    attacker = exchange["attacker_usd"]
    bounds = exchange["lower_bounds"]
    lower = []
    if bounds["defender"]:
        lower.append(f"interceptors not costed: {', '.join(exchange['not_costed_interceptors'])}")
    if bounds["attacker"]:
        lower.append(f"attack items not costed: {'; '.join(exchange['attacker_not_costed'])}")
    return {
        "defender": _money(exchange["defender_engagement_usd"]["mean"]),
        "defender_ci": " to ".join(_money(x) for x in exchange["defender_engagement_usd"]["ci95"]),
        "attacker": _money(attacker["value"]),
        "attacker_range": f"{_money(attacker['low'])} to {_money(attacker['high'])}",
        "ratio": num(ratio["value"]),
        "ratio_interval": f"{num(lo)} to {num(hi)}",
        "architecture": _money(exchange["architecture_usd"]),
        "horizon": exchange["architecture_horizon_years"],
        "architecture_ratio": num(exchange["architecture_per_attack_dollar"]),
        "dollar_year": exchange["dollar_year"],
        "lower_bound": ("Lower bounds: " + "; ".join(lower) + ".") if lower else "",
        "attack_items": [
            {
                "what": item["what"],
                "count": f"{item['count']:,}",
                "unit": _money(item["unit_usd"]),
                "tag": item["tag"],
                "source": item["source"],
            }
            for item in exchange["attacker_items"]
        ],
        "midpoints": ", ".join(exchange["attacker_assumed_midpoints"]),
    }


_COST_PARTS = ("development_usd", "acquisition_usd", "launch_usd", "ops_usd", "total_usd")


def _cost_rows(cost: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The lifecycle cost by layer; a part with no public figure reads "not costed", never 0."""
    if cost is None:
        return None
    rows = []
    for layer, part in (cost.get("by_layer") or {}).items():
        row = {"layer": layer_name(layer)}
        for key in _COST_PARTS:
            value = part.get(key)
            partial = key in (part.get("not_costed") or ()) and value is not None
            row[key] = f"≥ {money_text(value)}" if partial else money_text(value)
        if part.get("not_costed") and part.get("total_usd") is not None:
            row["total_usd"] = f"≥ {money_text(part['total_usd'])}"
        rows.append(row)
    return {
        "rows": rows,
        "total": money_text(cost.get("total_usd")),
        "low": money_text(cost.get("total_low_usd")),
        "high": money_text(cost.get("total_high_usd")),
        "ranged": (cost.get("total_high_usd") or 0) > (cost.get("total_low_usd") or 0),
        "dollar_year": cost.get("dollar_year"),
        "horizon_years": cost.get("horizon_years"),
        "complete": not cost.get("not_costed") and not cost.get("not_costed_elements"),
        "not_costed": [
            {
                "element": element_name(str(e.get("element"))),
                "part": str(e.get("part")),
                "reason": str(e.get("reason")),
            }
            for e in cost.get("not_costed", [])
        ],
    }


def _sensing_rows(sensing: Any) -> list[tuple[str, str]]:
    if sensing is None:
        return []
    if not isinstance(sensing, Mapping):
        return [("sensing", str(sensing))]
    return [(str(k), v if isinstance(v, str) else json.dumps(v, default=str)) for k, v in sensing.items()]


_MISSILE_OF = re.compile(r"^(?P<missile>.+) (?P<part>\S+)$")


def _missile_of(name: str, kind: str) -> str:
    """The missile an object belongs to: its name without the part ("ICBM to Seattle #1 RV1" -> "ICBM to
    Seattle #1"); an object that is its own missile keeps its name.

    >>> _missile_of("ICBM to Seattle #1 RV1", "rv"), _missile_of("ICBM #1 light_decoy2", "light_decoy")
    ('ICBM to Seattle #1', 'ICBM #1')
    >>> _missile_of("NK ICBM to Seattle #2", "rv")
    'NK ICBM to Seattle #2'
    """
    m = _MISSILE_OF.match(name)
    if m and kind and m["part"].lower().startswith(kind.lower()):
        return m["missile"]
    return name


def _detection_groups(objects: Table) -> list[dict[str, Any]]:
    """Per missile: a one-line summary over its warheads (first detection, P(detected), fire-control
    track) and the per-object rows, shown on demand."""

    def fmt(key: str, i: int, digits: int = 0) -> str:
        if key not in objects:
            return ""
        v = float(objects[key][i])
        return "never" if not np.isfinite(v) else f"{v:.{digits}f}"

    if "detect_after_launch_s" not in objects:
        return []
    groups: dict[str, dict[str, Any]] = {}
    kinds = objects["kind"] if "kind" in objects else np.full(nrows(objects), "", dtype=str)
    lethal = objects["lethal"] if "lethal" in objects else np.ones(nrows(objects), bool)
    for i in range(len(objects.get("name", []))):
        name, kind = str(objects["name"][i]), str(kinds[i])
        group = groups.setdefault(_missile_of(name, kind), {"rows": [], "warheads": []})
        group["rows"].append(
            {
                "name": name,
                "kind": kind,
                "detect": fmt("detect_after_launch_s", i),
                "p_detected": fmt("p_detected", i, 2),
                "track": fmt("track_after_launch_s", i),
                "fire_control": fmt("fire_control_after_launch_s", i),
                "p_fire_control": fmt("p_fire_control", i, 2),
                "tracks_held": fmt("tracks_held", i, 1),
            }
        )
        group.setdefault("all", []).append(i)
        if bool(lethal[i]):
            group["warheads"].append(i)
    out = []
    for missile, group in groups.items():
        idx = np.array(group["warheads"] or [], dtype=np.int64)
        every = np.array(group["all"], dtype=np.int64)

        def over(key: str, how: str, digits: int = 0, idx: np.ndarray = idx) -> str:
            if key not in objects or not idx.size:
                return "—"
            v = np.asarray(objects[key], dtype=float)[idx]
            v = v[np.isfinite(v)]
            if not v.size:
                return "never"
            return f"{(v.min() if how == 'min' else v.mean()):.{digits}f}"

        out.append(
            {
                "missile": missile,
                "objects": len(group["rows"]),
                "warheads": int(idx.size),
                "detect": over("detect_after_launch_s", "min", idx=every),
                "p_detected": over("p_detected", "mean", 2),
                "fire_control": over("fire_control_after_launch_s", "min"),
                "p_fire_control": over("p_fire_control", "mean", 2),
                "rows": group["rows"],
            }
        )
    return out


def _provenance_row(p: Mapping[str, Any]) -> dict[str, str]:
    return {key: "" if p.get(key) is None else str(p.get(key)) for key in
            ("element", "parameter", "value", "tag", "source", "note")}  # fmt: skip


def _first_launch(objects: Table, nominal: Mapping[str, np.ndarray]) -> float:
    if nrows(objects) and np.isfinite(objects["launch_t_s"]).any():
        return float(np.nanmin(objects["launch_t_s"]))
    t = np.asarray(nominal.get("t_s", []), dtype=float)
    return float(t[0]) if t.size else 0.0


def _asset_rows(assets: Table, names: Mapping[str, str]) -> list[dict[str, str]]:
    return [
        {
            "asset": names.get(str(assets["asset"][i]), str(assets["asset"][i])),
            "country": str(assets["country"][i]),
            "priority": str(assets["priority"][i]),
            "aimed": count_text(float(assets["warheads_aimed"][i])),
            "leakers": count_text(float(assets["mean_leakers"][i])),
            "p_hit": probability_text(float(assets["p_hit"][i])),
        }
        for i in range(nrows(assets) if "asset" in assets else 0)
    ]
