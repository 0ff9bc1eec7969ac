"""Tests of the self-contained HTML report in domesim.report.html."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import numpy as np
import pytest

from domesim.errors import ParameterError
from domesim.report.html import render_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _summary() -> dict:
    return {
        "scenario": "Two ICBMs <demo> & friends",
        "description": "Synthetic test run.",
        "trials": 300,
        "seed": 1234,
        "version": "0.1.0",
        "git_hash": "0123abcd",
        "scenario_hash": "feedface",
        "p_no_leak": {"mean": 0.8133, "ci95": [0.7651, 0.8536]},
        "expected_leakers": 0.21,
        "threat_objects": 3,
        "interceptors_fired": {"gbi": 3.5, "sm3": 1.25},
        "kills_by_layer": {"midcourse": 2.1, "terminal": 0.4},
        "inventory": {"Fort Greely": {"interceptor": "gbi", "inventory": 40, "mean_fired": 3.5}},
        "sensing": {"tracked_fraction": 0.99, "sensors": ["upewr", "sbx"]},
        "wall_s": 2.345,
    }


def _tables(n_trials: int = 300) -> dict[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    rows = 4 * n_trials
    return {
        "trials": {
            "trial": np.arange(n_trials, dtype=np.int64),
            "leakers": rng.integers(0, 2, n_trials).astype(np.int32),
            "objects_killed": np.full(n_trials, 2, dtype=np.int32),
            "shots_fired": np.full(n_trials, 5, dtype=np.int32),
        },
        "engagements": {
            "trial": np.repeat(np.arange(n_trials, dtype=np.int64), 4),
            "object": np.tile(np.array([10, 11, 12, 10], dtype=np.int32), n_trials),
            "site": np.tile(np.array(["Fort Greely", "Fort Greely", "Aegis", "Aegis"]), n_trials),
            "interceptor": np.tile(np.array(["gbi", "gbi", "sm3", "sm3"]), n_trials),
            "layer": np.tile(np.array(["midcourse", "midcourse", "terminal", "terminal"]), n_trials),
            "launch_t_s": 400.0 + rng.uniform(0, 200, rows),
            "intercept_t_s": 900.0 + rng.uniform(0, 300, rows),
            "shots": np.full(rows, 2, dtype=np.int32),
            "killed": rng.random(rows) < 0.7,
            "intercept_alt_km": rng.uniform(100, 900, rows),
            "intercept_range_km": rng.uniform(500, 3000, rows),
        },
        "objects": {
            "object": np.array([10, 11, 12], dtype=np.int32),
            "name": np.array(["ICBM-1 RV", "ICBM-2 RV", "SLBM-1 RV"]),
            "threat_class": np.array(["icbm", "icbm", "slbm"]),
            "aim": np.array(["A", "B", "C"]),
            "launch_t_s": np.array([100.0, 160.0, 220.0]),
            "impact_t_s": np.array([1900.0, 1950.0, 1400.0]),
            "range_km": np.array([9000.0, 9100.0, 4000.0]),
            "apogee_km": np.array([1200.0, 1250.0, 800.0]),
        },
    }


def _nominal(objects: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    t = np.linspace(0.0, 2000.0, 201)
    launch, impact, apogee = (objects[k][:, None] for k in ("launch_t_s", "impact_t_s", "apogee_km"))
    frac = (t - launch) / (impact - launch)
    alt = np.where((frac >= 0) & (frac <= 1), 4 * apogee * frac * (1 - frac), np.nan)
    return {"t_s": t, "alt_km": alt}


PROVENANCE = [
    {
        "element": "gbi",
        "parameter": "burnout_speed_km_s",
        "value": 7.5,
        "tag": "R",
        "source": "S07",
        "note": "",
    },
    {"element": "gbi", "parameter": "pk", "value": 0.55, "tag": "assumed", "source": "", "note": "notional"},
    {
        "element": "icbm",
        "parameter": "range_km",
        "value": 9000,
        "tag": "V",
        "source": "S01, S04",
        "note": None,
    },
]


def _render(tmp_path: Path, tables: dict, **kw) -> str:
    summary = kw.pop("summary", _summary())
    path = render_report(
        tmp_path / "out" / "report.html", summary, tables, _nominal(tables["objects"]),
        'name = "demo"\nnote = "<script>alert(1)</script>"\n', PROVENANCE,
    )  # fmt: skip
    assert path == tmp_path / "out" / "report.html" and path.is_file()
    return path.read_text(encoding="utf-8")


def _embedded_pngs(html: str) -> list[bytes]:
    return [base64.b64decode(b) for b in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def test_report_is_self_contained_with_figures_and_numbers(tmp_path: Path) -> None:
    html = _render(tmp_path, _tables())
    assert "0.8133" in html and "0.7651" in html and "0.8536" in html
    assert "Synthetic test run." in html and "0123abcd" in html and "feedface" in html
    pngs = _embedded_pngs(html)
    assert len(pngs) == 2 and all(p.startswith(PNG_MAGIC) for p in pngs)
    assert not re.search(r"https?://", html)
    assert not re.search(r"""(?:src|href)\s*=\s*(?!["']?data:)""", html)  # only data: URIs are referenced
    assert list((tmp_path / "out").iterdir()) == [tmp_path / "out" / "report.html"]  # no leftover temp file


def test_report_escapes_text_and_highlights_weak_parameters(tmp_path: Path) -> None:
    html = _render(tmp_path, _tables())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Two ICBMs &lt;demo&gt; &amp; friends" in html
    assert len(re.findall(r'<tr class="weak">', html)) == 2  # the R and the assumed rows
    for tag in ("V2", "V-data", "scenario", "recalled, not yet verified"):
        assert tag in html
    assert "Fort Greely" in html and "midcourse" in html and "sm3" in html


def test_report_without_engagements(tmp_path: Path) -> None:
    tables = _tables(n_trials=5)
    tables["engagements"] = {k: v[:0] for k, v in tables["engagements"].items()}
    summary = _summary() | {"interceptors_fired": {}, "kills_by_layer": {}, "inventory": {}}
    html = _render(tmp_path, tables, summary=summary)
    assert len(_embedded_pngs(html)) == 2
    assert "No interceptor engagements" in html and "No interceptors were fired" in html
    del tables["engagements"]
    assert "No interceptor engagements" in _render(tmp_path, tables, summary=summary)


def test_report_rejects_incomplete_summary(tmp_path: Path) -> None:
    summary = _summary()
    del summary["p_no_leak"]
    with pytest.raises(ParameterError, match="p_no_leak"):
        _render(tmp_path, _tables(), summary=summary)


def test_report_without_objects_or_nominal(tmp_path: Path) -> None:
    trials = _tables(n_trials=3)["trials"]
    path = render_report(tmp_path / "r.html", _summary(), {"trials": trials}, {}, "", [])
    html = path.read_text(encoding="utf-8")
    assert len(_embedded_pngs(html)) == 2 and "No provenance records" in html


def test_timeline_of_a_large_raid_has_one_row_per_class():
    """5,000 objects are drawn as one row per threat class: a short figure, quick to draw."""
    import base64
    import struct

    from domesim.viz.report_figures import timeline_png

    n = 5000
    objects = {
        "object": np.arange(n, dtype=np.int32),
        "name": np.array([f"o{i}" for i in range(n)]),
        "threat_class": np.array(
            ["icbm_solid", "light_decoy", "hgv_regional"] * (n // 3) + ["icbm_solid"] * (n % 3)
        ),
        "launch_t_s": np.linspace(0.0, 600.0, n),
        "impact_t_s": np.linspace(1800.0, 2400.0, n),
    }
    eng = {
        "trial": np.zeros(10, dtype=np.int64),
        "object": np.arange(10, dtype=np.int32) * 400,
        "killed": np.ones(10, dtype=bool),
        "launch_t_s": np.full(10, 700.0),
        "intercept_t_s": np.full(10, 1200.0),
    }
    png = base64.b64decode(timeline_png(objects, eng, 0.0))
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert height < 600  # three rows; one row per object would be the 24-inch maximum (2,640 px)


def _lead_text(html: str) -> str:
    return re.sub(r"\s+", " ", html.split('<p id="answer"', 1)[1].split("</p>", 1)[0])


COST = {
    "total_usd": 38.2e9,
    "total_low_usd": 38.2e9,
    "total_high_usd": 38.2e9,
    "dollar_year": 2025,
    "horizon_years": 20,
    "by_layer": {
        "midcourse": {
            "development_usd": 0.0,
            "acquisition_usd": 4.18e9,
            "launch_usd": 0.0,
            "ops_usd": None,
            "total_usd": 4.18e9,
            "not_costed": ["ops_usd"],
        },  # fmt: skip
    },
    "not_costed": [{"element": "gbi", "part": "ops_usd", "reason": "no public figure"}],
    "not_costed_elements": [],
}


def test_report_opens_with_the_answer_cause_and_cost(tmp_path: Path) -> None:
    summary = _summary() | {
        "leak_causes": {"no_track": 0.05, "missed_upper_tier": 0.16, "withheld": 0.0},
        "objects_total": 9,
    }
    tables = _tables()
    path = render_report(
        tmp_path / "r.html", summary, tables, _nominal(tables["objects"]), "", PROVENANCE, cost=COST
    )
    html = path.read_text(encoding="utf-8")
    lead = _lead_text(html)
    assert html.index('id="answer"') < html.index('id="outcome"') < html.index('id="provenance"')
    assert "0.81 (95 % interval 0.77 to 0.85)" in lead
    # the largest cause first, with the layer's display name
    assert lead.index("upper tier (THAAD class) layer") < lead.index("never held in a track")
    assert "$38.2 billion in 2025 dollars" in lead and "lower bound" in lead
    assert "Ground-Based Interceptor" in lead  # the part not costed, by its display name
    assert "2 of 3" in lead  # parameters recalled or assumed
    # cost by layer: a part with no public figure reads "not costed", never $0
    cost_table = html.split('id="cost-table"', 1)[1].split("</table>", 1)[0]
    assert "not costed" in cost_table and "≥ $4.18 billion" in cost_table
    assert 'id="glossary"' in html


def test_report_without_cost_says_why(tmp_path: Path) -> None:
    html = _render(tmp_path, _tables())
    assert "could not be costed" in html and "$0" not in html


def test_kills_of_warheads_and_other_objects_are_apart(tmp_path: Path) -> None:
    tables = _tables()
    tables["objects"]["lethal"] = np.array([True, False, True])  # object 11 is a decoy
    summary = _summary() | {"interceptors_fired": {"gbi": 3.5, "sm3": 1.25, "pac3": 0.0}}
    html = _render(tmp_path, tables, summary=summary)
    rows = html.split('id="interceptor-table"', 1)[1].split("</table>", 1)[0]
    eng, objects = tables["engagements"], tables["objects"]
    lethal = objects["lethal"][np.searchsorted(objects["object"], eng["object"])]
    gbi = eng["interceptor"] == "gbi"
    warheads = (eng["killed"] & lethal & gbi).sum() / 300
    others = (eng["killed"] & ~lethal & gbi).sum() / 300
    assert f'<td class="num">{warheads:.2f}</td>' in rows and f'<td class="num">{others:.2f}</td>' in rows
    pac3 = rows.split("pac3", 1)[1].split("</tr>", 1)[0]
    assert pac3.rstrip().endswith('<td class="num">—</td>')  # never fired: no kills per salvo


def test_detection_is_one_line_per_missile_with_objects_on_demand(tmp_path: Path) -> None:
    tables = _tables(n_trials=5)
    names = ["ICBM #1 bus", "ICBM #1 RV1", "ICBM #1 light_decoy1", "ICBM #2 RV1"]
    tables["objects"] = {
        "object": np.arange(4, dtype=np.int32),
        "name": np.array(names),
        "kind": np.array(["bus", "rv", "light_decoy", "rv"]),
        "lethal": np.array([False, True, False, True]),
        "threat_class": np.full(4, "icbm"),
        "launch_t_s": np.zeros(4),
        "impact_t_s": np.full(4, 1800.0),
        "apogee_km": np.full(4, 1000.0),
        "detect_after_launch_s": np.array([30.0, 180.0, 181.0, np.nan]),
        "p_detected": np.array([1.0, 1.0, 1.0, 0.0]),
    }
    tables["engagements"]["object"] = tables["engagements"]["object"] % 4
    html = _render(tmp_path, tables, summary=_summary() | {"sensing": "screening"})
    section = html.split('id="detection"', 1)[1].split("</section>", 1)[0]
    summary_rows = section.split('<table class="groups">', 1)[1].split("</table>", 1)[0]
    assert summary_rows.count("<tr>") == 3  # a header and two missiles
    assert "ICBM #1</td>" in summary_rows and "never" in summary_rows  # ICBM #2's warhead is never seen
    assert '<td class="num">30</td>' in summary_rows  # a missile is first seen when any of its objects is
    assert section.count('<details class="missile">') == 2 and "ICBM #1 light_decoy1" in section


def test_report_costs_the_scenario_text_it_is_given(tmp_path: Path) -> None:
    text = (Path(__file__).resolve().parents[3] / "examples" / "nk-10.toml").read_text(encoding="utf-8")
    tables = _tables(n_trials=5)
    path = render_report(tmp_path / "r.html", _summary(), tables, _nominal(tables["objects"]), text, [])
    html = path.read_text(encoding="utf-8")
    lead = _lead_text(html)
    assert "20 years costs $" in lead and "2025 dollars" in lead and "lower bound" in lead
    cost_table = html.split('id="cost-table"', 1)[1].split("</table>", 1)[0]
    assert "midcourse" in cost_table and "not costed" in cost_table  # a sensor's O&S has no public figure
