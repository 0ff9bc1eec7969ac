"""A new threat family is one new module plus its catalogue entries: the worked example of
docs/design.md (``straight_line_family.py`` beside this file) builds, flies, is engaged and reported
without any other change to domesim."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from domesim.build.catalogue import Catalogue, load_catalogue
from domesim.build.threats import THREAT_FAMILIES, threat_families
from domesim.core import frames
from domesim.errors import ScenarioError

MODULE = Path(__file__).with_name("straight_line_family.py")
DESIGN = Path(__file__).parents[3] / "docs" / "design.md"

# The catalogue entry the example needs (docs/design.md shows it too).
ENTRY = {
    "name": "Great-circle vehicle (worked example)",
    "family": "straight_line",
    "speed_km_s": {"value": 0.25, "tag": "assumed", "note": "worked example"},
    "height_km": {"value": 5.0, "tag": "assumed", "note": "worked example"},
}

SCENARIO = """
[scenario]
name = "example family"
duration_s = 5400.0
step_s = 5.0
sensing = "ideal"

[[threat]]
name = "example"
class = "demo_straight_line"
count = 2
launch_lat_deg = 49.0
launch_lon_deg = -128.0
aim_asset = "seattle"
[threat.dispersion]
speed_sigma_frac = 0.05

[[interceptor_site]]
interceptor = "pac3_mse"
lat_deg = 47.6
lon_deg = -122.3
inventory = 16
"""


@pytest.fixture
def family():
    """The example module, imported as a plug-in: it registers itself; unregistered afterwards."""
    threat_families()  # the built-in families first, as domesim itself loads them
    spec = importlib.util.spec_from_file_location("straight_line_family", MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # picklable, as the run's checkpoint key needs
    spec.loader.exec_module(module)
    yield module
    THREAT_FAMILIES.unregister(module.FAMILY.name)
    del sys.modules[spec.name]


@pytest.fixture
def catalogue() -> Catalogue:
    shipped = load_catalogue()
    return Catalogue({**shipped.data, "threat": {**shipped.data["threat"], "demo_straight_line": ENTRY}})


@pytest.mark.slow
def test_example_family_builds_flies_and_is_engaged(family, catalogue, tmp_path, load_text, run_and_report):
    loaded = load_text(tmp_path, SCENARIO, catalogue)
    world = loaded.world
    assert [g.family for g in world.threat_groups] == ["straight_line"]
    assert [o.name for o in world.objects] == ["example #1", "example #2"]
    summary, html = run_and_report(loaded, tmp_path, trials=4)
    assert summary["threat_objects"] == 2
    assert summary["interceptors_fired"]["pac3_mse"] > 0  # the terminal layer engages it
    assert "threat demo_straight_line" in html
    # its own dispersion table is validated as its own block
    bad = SCENARIO.replace("speed_sigma_frac = 0.05", "loft_deg = 3.0")
    with pytest.raises(ScenarioError, match="unknown key 'loft_deg'"):
        load_text(tmp_path, bad, catalogue)


@pytest.mark.slow
def test_example_family_lands_on_its_aim_point(family, catalogue, tmp_path, load_text):
    from domesim.engine.simulate import fly_truth

    world = load_text(tmp_path, SCENARIO, catalogue).world
    truth = fly_truth(world, 3, seed=2)
    seattle = catalogue.entry("asset", "seattle")
    aim = np.radians([seattle.value("lat_deg"), seattle.value("lon_deg")])
    assert np.allclose(truth.impact_lat_rad, aim[0]) and np.allclose(truth.impact_lon_rad, aim[1])
    # the last point flown is over the aim point (within one step of flight)
    r = truth.r_ecef[0, 0]
    last = r[np.isfinite(r[:, 0])][-1]
    lat, lon, _ = frames.ecef_to_geodetic(last)
    distance = frames.great_circle_distance_m(float(lat), float(lon), aim[0], aim[1])
    assert distance < 250.0 * 5.0 * 1.2


def test_without_the_module_the_class_is_reported(catalogue, tmp_path, load_text):
    with pytest.raises(ScenarioError, match="no registered threat family builds"):
        load_text(tmp_path, SCENARIO.replace("[threat.dispersion]\nspeed_sigma_frac = 0.05\n", ""), catalogue)


def test_design_doc_shows_the_module_as_it_is():
    """docs/design.md quotes the example module whole: the doc cannot drift from the tested code."""
    assert MODULE.read_text().strip() in DESIGN.read_text()
