"""Why every leaker leaked (results/leaks.py): one cause per leaker, summing to the expected leakers;
a corridor that no radar covers shows up as "no fire-control track"; the report opens with the answer
and names the largest cause in words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from domesim.montecarlo.runner import run_trials
from domesim.report.html import render_report
from domesim.results.leaks import cause_names, cause_words
from domesim.results.summary import build_summary, build_tables, nominal_altitudes
from domesim.scenario.loader import load_scenario

pytestmark = pytest.mark.slow

# A corridor no radar tracks in time: tests/validation/gap.toml says how.
GAP = (Path(__file__).parent / "gap.toml").read_text(encoding="utf-8")

# The same, with a forward-based radar beside the launch area: the gap closes.
CLOSED = GAP + """
[[sensor]]
deployment = "tpy2_kyogamisaki"
"""


def _run(path: Path, trials: int = 20):
    loaded = load_scenario(path, trials=trials, seed=3)
    tables = build_tables(loaded.world, run_trials(loaded.world, trials, 3))
    summary = build_summary(
        loaded.world, tables, trials=trials, seed=3, chunk_trials=100, version="", git_hash="",
        scenario_hash="", description="", wall_s=0.0,
    )  # fmt: skip
    return loaded, tables, summary


def test_a_corridor_no_radar_tracks_is_a_fire_control_gap(tmp_path):
    path = tmp_path / "gap.toml"
    path.write_text(GAP)
    loaded, tables, summary = _run(path)
    causes = summary["leak_causes"]
    assert set(causes) == set(cause_names(loaded.world))  # every cause listed, zeros included
    assert abs(sum(causes.values()) - summary["expected_leakers"]) < 1e-9
    assert summary["expected_leakers"] > 0.5
    assert max(causes, key=causes.get) == "no_fire_control_track"
    assert summary["interceptors_fired"]["gbi"] == 0
    # per object: the shares of the causes add up to the object's leak probability
    objects = tables["objects"]
    shares = sum(objects[f"leak_{name}"] for name in cause_names(loaded.world))
    lethal = objects["lethal"]
    assert np.allclose(shares[lethal], objects["p_leak"][lethal])
    # the report opens with the answer and names the largest cause in words
    html = render_report(
        tmp_path / "report.html", summary, tables, nominal_altitudes(loaded.world), loaded.text, []
    ).read_text()
    first = html.split('<p id="answer"', 1)[1].split("</p>", 1)[0]
    assert cause_words("no_fire_control_track") in first
    assert "Honolulu" in first  # the asset's display name


def test_closing_the_gap_engages(tmp_path):
    path = tmp_path / "closed.toml"
    path.write_text(CLOSED)
    _, _, summary = _run(path)
    assert summary["interceptors_fired"]["gbi"] > 0
    assert summary["leak_causes"]["no_fire_control_track"] < 0.5
