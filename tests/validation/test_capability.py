"""Capability over time (studies/capability.py): the architecture of each year is the fielded share of the
full one, and its probability of no leak grows to the full architecture's as fielding completes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from domesim.montecarlo.runner import run_trials
from domesim.results.summary import build_tables
from domesim.scenario.costing import scenario_cost
from domesim.scenario.loader import load_scenario
from domesim.studies.capability import capability_by_year, fielded_world

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
