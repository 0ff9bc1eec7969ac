"""``domesim attack``: the attacker's cheapest answer against nk-10's defence, searched over raid size and
countermeasures; reproducible with its seed and resumable like a sweep (rows of ``sweep_points``)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from domesim.errors import ParameterError, ScenarioError
from domesim.results.store import RunCatalogue
from domesim.studies.attack import AttackSearch, Goal, mixes, run_attack_search
from domesim.studies.sweep import SweepStore

REPO = Path(__file__).resolve().parents[3]
NK10 = REPO / "examples" / "nk-10.toml"


def _search(**settings) -> AttackSearch:
    return AttackSearch(
        scenario_path=NK10, goal=Goal.parse("p_leak>=0.5"), trials=20, seed=3, budget=6, **settings
    )


def test_the_search_beats_the_plain_salvo_and_is_reproducible_and_resumable(tmp_path):
    store = SweepStore(RunCatalogue(tmp_path / "runs.duckdb"))
    first = run_attack_search(_search(), store)
    assert first["met"] and first["baseline"] is not None
    assert first["attack"]["goal_met"] and first["attack"]["p_leak"] >= 0.5
    # cheaper than the plain salvo that meets the goal, which the search reports beside it
    assert first["attacker_cost_musd"] < first["baseline_attacker_cost_musd"]
    assert first["attack"]["missiles"] < first["baseline"]["missiles"]
    assert first["exchange_ratio"] == pytest.approx(first["defender_cost_musd"] / first["attacker_cost_musd"])
    assert set(first) >= {
        "goal",
        "met",
        "attack",
        "attacker_cost_musd",
        "defender_cost_musd",
        "exchange_ratio",
    }
    assert first["evaluated"] <= 6 and first["reused"] == 0

    # run again: every candidate is read back from the catalogue, none simulated again, same answer
    again = run_attack_search(_search(), store)
    assert again["reused"] == again["evaluated"] == first["evaluated"]
    assert again["attack"] == first["attack"]

    # the Python API is the same search: it reads them back too
    from domesim import api

    via_api = api.attack(NK10, goal="p_leak>=0.5", trials=20, seed=3, budget=6, catalogue=store.catalogue)
    assert via_api["reused"] == first["evaluated"] and via_api["attack"] == first["attack"]

    # lose half the stored candidates (an interrupted search): the rest are recomputed identically
    db = tmp_path / "runs.duckdb"
    with duckdb.connect(str(db)) as con:
        rows = con.execute("SELECT point, p_no_leak FROM sweep_points ORDER BY point").fetchall()
        con.execute(
            "DELETE FROM sweep_points WHERE point IN (SELECT point FROM sweep_points ORDER BY point LIMIT 3)"
        )
    resumed = run_attack_search(_search(), store)
    assert resumed["reused"] == first["evaluated"] - 3
    assert resumed["attack"] == first["attack"] and resumed["baseline"] == first["baseline"]
    with duckdb.connect(str(db)) as con:
        assert con.execute("SELECT point, p_no_leak FROM sweep_points ORDER BY point").fetchall() == rows


def test_goals_and_mixes():
    assert str(Goal.parse(" p_leak >= 0.5 ")) == "p_leak>=0.5"
    assert Goal.parse("expected_leakers>1").met({"p_no_leak": 0.0, "expected_leakers": 1.5})
    for bad in ("p_leak<=0.5", "p_win>=0.5", "p_leak>=2", "p_leak>=0.5; rm"):
        with pytest.raises(ParameterError):
            Goal.parse(bad)
    from domesim.build.catalogue import load_catalogue

    every = mixes(load_catalogue())
    assert every[0].plain and sum(m.plain for m in every) == 1
    assert len(every) == len(set(every))


def test_the_command_answers_in_json_and_refuses_a_bad_goal(tmp_path):
    env_run = [sys.executable, "-m", "domesim.cli", "attack", str(NK10), "--out", str(tmp_path / "out")]
    bad = subprocess.run([*env_run, "--goal", "p_leak=0.5"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "goal 'p_leak=0.5'" in bad.stderr and "Traceback" not in bad.stderr
    done = subprocess.run(
        [*env_run, "--goal", "p_leak>=0.2", "--trials", "10", "--budget", "2", "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["goal"] == "p_leak>=0.2" and answer["evaluated"] <= 2
    assert (tmp_path / "out" / "attack.json").is_file()


def test_a_sweep_puts_the_cheapest_answer_on_a_frontier(tmp_path):
    from domesim.studies.sweep import load_sweep, run_sweep, sweep_table

    (tmp_path / "nk-1.toml").write_text((REPO / "examples" / "nk-1.toml").read_text(), encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(
        """
[sweep]
name = "gbi-vs-attack"
scenario = "nk-1.toml"
trials = 10
seed = 2
attack_goal = "p_leak>=0.5"
attack_budget = 4
set = {"interceptor_site[gbi_vandenberg].inventory" = 0}

[[parameter]]
key = "interceptor_site[gbi_fort_greely].inventory"
values = [0, 40]
""",
        encoding="utf-8",
    )
    sweep = load_sweep(path)
    store = SweepStore(RunCatalogue(tmp_path / "runs.duckdb"))
    rows = run_sweep(sweep, store)
    table = sweep_table(sweep, rows)
    none, many = table["attack_cheapest_usd"]
    # no GBIs: a single missile already meets the goal; 40 GBIs force a costlier answer
    assert json.loads(rows[0]["attack_cheapest"])["missiles"] == 1
    assert many != many or many > none  # NaN: no attack met the goal within the budget
    assert table["attack_pareto"].tolist() == [True, True]
    from domesim.viz.frontier import plot_attack_frontier

    png = plot_attack_frontier(table, tmp_path / "frontier-attack.png", "t", 2025, "p_leak>=0.5")
    assert png.read_bytes()[:4] == b"\x89PNG"
    # a goal the search cannot read is the sweep file's problem, at its key
    path.write_text(path.read_text().replace('"p_leak>=0.5"', '"p_win>=3"'), encoding="utf-8")
    with pytest.raises(ScenarioError) as bad:
        load_sweep(path)
    assert [p.key for p in bad.value.problems] == ["sweep.attack_goal"]
    # stored: read back, not searched again
    assert [r["attack_cheapest_usd"] for r in run_sweep(sweep, store)] == [
        r["attack_cheapest_usd"] for r in rows
    ]
