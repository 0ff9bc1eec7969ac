"""``domesim.api.run`` gives what ``domesim run`` gives, and every name of ``domesim.api.__all__`` works.

The command line runs as a real subprocess (``python -m domesim.cli``); the API in this process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import domesim.api as api
from domesim.api import (
    DomesimError,
    Results,
    RunCatalogue,
    ScenarioError,
    absentee,
    attack,
    compare,
    load_scenario,
    minimum_energy_trajectory,
    open_run,
    run,
    salvo,
    scenario_cost,
    shoot_look_shoot,
    shots_needed,
)
from domesim.errors import ParameterError

# Each test simulates (seconds, and a first compile of the kernels on a fresh cache): not in `make check`.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
NK1 = REPO / "examples" / "nk-1.toml"
# what identifies the build rather than the result (tests/regression/test_examples_unchanged.py)
NOT_RESULTS = {"wall_s", "git_hash"}


def _results(summary: dict) -> dict:
    return {k: v for k, v in json.loads(json.dumps(summary)).items() if k not in NOT_RESULTS}


def test_api_run_gives_the_summary_and_tables_of_domesim_run(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    env = dict(os.environ, DOMESIM_DATA_DIR=str(tmp_path / "data"))
    cmd = [sys.executable, "-m", "domesim.cli", "run", str(NK1), "--trials", "200", "--seed", "1"]
    done = subprocess.run(
        [*cmd, "--out", str(out)], capture_output=True, text=True, timeout=600, check=False, env=env
    )
    assert done.returncode == 0, done.stderr

    results = api.run(str(NK1), trials=200, seed=1)
    cli_summary = json.loads((out / "summary.json").read_text())
    assert _results(results.summary) == _results(cli_summary)
    assert results.summary["trials"] == 200 and results.summary["seed"] == 1

    stored = api.open_run(out)
    assert stored.summary == cli_summary
    assert stored.names == results.names
    for name in results.names:
        assert stored.table(name).equals(results.table(name)), name
    xr.testing.assert_identical(stored.to_xarray(), results.to_xarray())

    objects = results.to_pandas("objects")
    assert len(objects) == results.summary["objects_total"]
    assert {"name", "p_leak", "launch_t_s"} <= set(objects.columns)
    ds = results.to_xarray()
    assert ds.sizes["trial"] == 200 and ds.sizes["object"] == results.summary["objects_total"]
    lethal = ds["lethal"].values
    # the trial x object arrays agree with the per-trial counts and the summary
    assert ((ds["killed"].values & lethal).sum(axis=1) == ds["objects_killed"].values).all()
    assert ((ds["killed"].values & ~lethal).sum(axis=1) == ds["nonlethal_killed"].values).all()
    assert (ds["leaked"].values == (~ds["killed"].values & lethal)).all()
    assert float(ds["leaked"].sum("object").mean()) == pytest.approx(results.summary["expected_leakers"])
    assert float(ds["shots"].sum("object").mean()) == pytest.approx(
        results.summary["interceptors_fired"]["gbi"]
    )


def test_every_name_of_the_api(tmp_path: Path) -> None:
    used = set()
    loaded = load_scenario(NK1)
    used.add("load_scenario")
    results = run(loaded, trials=20, seed=3)
    used.add("run")
    assert isinstance(results, Results)
    assert (results.summary["trials"], results.summary["seed"]) == (20, 3)
    assert run(NK1, trials=5, seed=3, sensing="screening").summary["sensing"] == "screening"
    used.add("Results")
    assert results.warnings == list(loaded.warnings)
    folder = results.save(tmp_path / "nk-1")
    assert (folder / "report.html").read_text(encoding="utf-8").startswith("<!")
    assert open_run(folder).summary == json.loads(json.dumps(results.summary))
    used.add("open_run")
    other = run(NK1, trials=20, seed=3, edits={"doctrine.salvo_size": 2}).save(tmp_path / "nk-1-salvo-2")
    comparison = compare(folder, other).to_dict()
    assert "doctrine.salvo_size" in json.dumps(comparison)
    used.add("compare")
    with pytest.raises(ParameterError, match="load_scenario"):
        run(loaded, edits={"doctrine.salvo_size": 2})
    with pytest.raises(ScenarioError) as bad:
        run(NK1, trials=5, edits={"threat[0].count": 0})
    assert isinstance(bad.value, DomesimError)
    used |= {"ScenarioError", "DomesimError"}

    cost = scenario_cost(NK1)
    assert cost.total_usd > 0
    used.add("scenario_cost")
    catalogue = RunCatalogue(tmp_path / "runs.duckdb")
    catalogue.add_run({"run_id": "r1", "scenario": "nk-1", "p_no_leak": results.summary["p_no_leak"]["mean"]})
    assert [r["run_id"] for r in catalogue.list_runs()] == ["r1"]
    used.add("RunCatalogue")
    answer = attack(NK1, goal="p_leak>=0.01", trials=5, seed=3, budget=1, catalogue=catalogue)
    assert answer["evaluated"] == 1 and answer["goal"] == "p_leak>=0.01"
    used.add("attack")

    assert salvo(0.5, 2).p_kill == pytest.approx(0.75)
    assert shoot_look_shoot(0.5, 1, 1).p_kill == pytest.approx(0.75)
    assert shots_needed(0.5, 1, 0.75) == 2
    assert minimum_energy_trajectory(10000.0).burnout_speed_km_s > 6.0
    assert absentee(1000.0, k=1).to_dict()
    used |= {"salvo", "shoot_look_shoot", "shots_needed", "minimum_energy_trajectory", "absentee"}
    assert used == set(api.__all__)
    assert np.isfinite(results.summary["expected_leakers"])
