"""Capability over time (studies/capability.py): the architecture of each year is the fielded share of the
full one, and its probability of no leak grows to the full architecture's as fielding completes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from domesim.cli import app
from domesim.montecarlo.runner import run_trials
from domesim.results.summary import build_tables
from domesim.scenario.costing import scenario_cost
from domesim.scenario.loader import load_scenario
from domesim.studies.capability import capability_by_year, fielded_shares, fielded_world

RAMP = """

[cost]
operational_year = 2027

[cost.element.sbi]
production_per_year = 2600

[cost.element.gbi]
production_per_year = 20
"""


def test_fielded_world_scales_inventories_and_thins_constellations() -> None:
    world = load_scenario("examples/nk-10-space.toml").world
    layer = world.sbi_layers[0]
    half = fielded_world(world, {"gbi_fort_greely": 0.5, layer.name: 0.25})
    inventory = {b.name: b.inventory for b in half.ground_batteries}
    full = {b.name: b.inventory for b in world.ground_batteries}
    assert inventory["gbi_fort_greely"] == full["gbi_fort_greely"] // 2
    assert inventory["gbi_vandenberg"] == full["gbi_vandenberg"]  # no share given: in service
    kept = half.sbi_layers[0].elements
    assert len(kept) == len(layer.elements) // 4
    # spread over the pattern: every plane (RAAN, element 3) keeps satellites
    assert np.unique(kept[:, 3].round(6)).size == np.unique(layer.elements[:, 3].round(6)).size


@pytest.mark.slow
def test_capability_grows_to_the_full_architecture(tmp_path: Path) -> None:
    path = tmp_path / "ramp.toml"
    path.write_text(Path("examples/nk-10-space.toml").read_text(encoding="utf-8") + RAMP, encoding="utf-8")
    loaded = load_scenario(path)
    cost = scenario_cost(loaded)
    rows = capability_by_year(loaded.world, cost, 60, 4)
    p = np.array([r["p_no_leak"] for r in rows])
    assert rows[0]["fielded_share"]["sbi_cbo_2026"] == 2600 / 7800
    assert p[0] < p[-1] and (np.diff(p) >= 0).all()  # common random numbers: more fielded, no worse
    leakers = build_tables(loaded.world, run_trials(loaded.world, 60, 4))["trials"]["leakers"]
    assert p[-1] == np.mean(leakers == 0)  # fully fielded: the scenario itself
    sbi = next(e for e in cost.estimates if e.holding.element == "sbi")
    assert sbi.operational == {"year": 2027, "reachable": False, "year_reached": 2028}


GOLDEN_DOME = Path(__file__).resolve().parents[2] / "examples" / "golden-dome.toml"


def test_golden_dome_fielding_grows_year_by_year_at_the_default_rates() -> None:
    """Issue 14: with the catalogue's default rates (SBIs 1,440 a year, S79; SDA tracking tranches 14 and
    27 a year, S29; NGI from 2028, S03/S05) the architecture of each year is a different share of the full
    one for five years, so capability by year is not one row repeated; the SBIs level off at 7,200 (a
    5-year life sustains 1,440 x 5), below CBO's 7,800 (S45)."""
    cost = scenario_cost(GOLDEN_DOME)
    years = cost.estimates[0].cost.schedule.years
    sbi = [fielded_shares(cost, i)["sbi_cbo_2026"] for i in range(len(years))]
    assert sbi[:5] == pytest.approx([1440 * k / 7800 for k in range(1, 6)])
    assert np.all(np.diff(sbi[:5]) > 0) and sbi[5:] == pytest.approx([7200 / 7800] * (len(years) - 5))
    ngi = [fielded_shares(cost, i)["ngi_fort_greely"] for i in range(3)]
    assert ngi == [0.0, 0.0, 1.0]
    shares = {tuple(sorted(fielded_shares(cost, i).items())) for i in range(len(years))}
    assert len(shares) == 5  # 2026-2030 differ; from 2030 on the fielding is steady


@pytest.mark.slow
def test_cost_capability_on_golden_dome_grows_year_by_year() -> None:
    """Issue 14 acceptance: ``domesim cost --capability examples/golden-dome.toml``: P(no leak) grows while
    the SBIs are fielded (2026-2030) and then holds; the expected number of leakers falls. Thinned
    constellations of successive years are not nested, so a year may gain little at a small number of
    trials; at 60 trials (seed of the file, common random numbers) every year of the ramp is no worse."""
    result = CliRunner().invoke(app, ["cost", str(GOLDEN_DOME), "--capability", "--trials", "60", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["capability_by_year"]
    p = np.array([r["p_no_leak"] for r in rows])
    leakers = np.array([r["expected_leakers"] for r in rows])
    assert len(rows) == 20
    assert p[0] < p[1] < p[2] <= p[3] <= p[4] and (p[4:] == p[4]).all()
    assert leakers[0] > leakers[1] > leakers[2] >= leakers[4]
