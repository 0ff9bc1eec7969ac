"""The fielded architecture (build/architecture.py), from the file and the catalogue alone, is what the world
builder fields: the same sites, labels, places, inventories and constellation sizes; ``[norad]`` switches
remove Canada's sites as the builder does; and costing reads it without building the world."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from domesim.build.architecture import architecture
from domesim.build.catalogue import load_catalogue
from domesim.build.schema import ConstellationSpec, NoradSpec
from domesim.errors import ScenarioError
from domesim.scenario.costing import scenario_cost
from domesim.scenario.loader import load_scenario, load_spec

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
GOLDEN_DOME = EXAMPLES / "golden-dome.toml"

# every way a file names a site or an orbit: explicit class + site, explicit point, file Walker pattern,
# element rows, GEO longitudes; a catalogue constellation re-patterned by the file
EXTRA = """

[[sensor]]
name = "forward radar"
sensor = "tpy2_fbm"
site = "kodiak"

[[interceptor_site]]
interceptor = "thaad"
lat_deg = 47.5
lon_deg = -122.0
alt_m = 50.0
inventory = 16

[[constellation]]
name = "extra geo"
sensor = "opir_geo"
geo_lon_deg = [-100.0, 0.0, 100.0]

[[constellation]]
sensor = "leo_wide_field"
elements_deg = [[1000.0, 0.0, 80.0, 0.0, 0.0, 0.0], [1000.0, 0.0, 80.0, 90.0, 0.0, 0.0]]

[[constellation]]
name = "small sbi"
interceptor = "sbi"
per_satellite = 2
walker = {alt_km = 500.0, inc_deg = 60.0, planes = 3, per_plane = 4}
"""


def _assert_same_as_world(path: Path) -> None:
    loaded = load_scenario(path)
    world = loaded.world
    arch = architecture(loaded.spec, load_catalogue(), path.parent)
    assert arch.problems == ()
    sites = [(s.label, s.class_id, s.layer, s.inventory) for s in arch.interceptor_sites]
    batteries = [
        (b.name, b.interceptor.name, b.interceptor.layer, b.inventory) for b in world.ground_batteries
    ]
    assert sites == batteries
    for s, b in zip(arch.interceptor_sites, world.ground_batteries, strict=True):
        assert (s.lat_rad, s.lon_rad, s.alt_m) == (b.lat_rad, b.lon_rad, b.alt_m)
    assert [r.label for r in arch.sensor_sites] == [r.name for r in world.radars]
    for r, radar in zip(arch.sensor_sites, world.radars, strict=True):
        assert (r.lat_rad, r.lon_rad, r.alt_m) == (radar.lat_rad, radar.lon_rad, radar.alt_m)
    sensors = [(c.label, c.class_id, c.satellites) for c in arch.sensor_constellations]
    assert sensors == [(s.name, s.sensor.name, len(s.elements)) for s in world.space_sensors]
    sbis = [(c.label, c.satellites, c.per_satellite) for c in arch.interceptor_constellations]
    assert sbis == [(s.name, len(s.elements), s.per_satellite) for s in world.sbi_layers]
    layers = [*world.space_sensors, *world.sbi_layers]
    ordered = [*arch.sensor_constellations, *arch.interceptor_constellations]
    for c, layer in zip(ordered, layers, strict=True):  # the same orbits, to the bit
        assert np.array_equal(c.elements, layer.elements)
    space_batteries = world.batteries[len(world.ground_batteries) :]
    assert [(c.label, c.class_id, c.layer, c.units) for c in arch.interceptor_constellations] == [
        (b.name, b.interceptor.name, b.interceptor.layer, b.inventory) for b in space_batteries
    ]


@pytest.mark.slow  # builds the world: compiles the trajectory kernels
def test_golden_dome_architecture_is_what_the_world_fields() -> None:
    _assert_same_as_world(GOLDEN_DOME)
    arch = architecture(load_spec(GOLDEN_DOME).spec, load_catalogue(), EXAMPLES)
    assert len(arch.interceptor_sites) == 12 and len(arch.sensor_sites) == 11
    inventory = {s.label: s.inventory for s in arch.interceptor_sites}
    assert inventory["gbi_fort_greely"] == 40 and inventory["gbi_vandenberg"] == 4  # catalogue (S01)
    assert [(c.label, c.satellites) for c in arch.constellations] == [
        ("opir_geo", 4),
        ("opir_heo", 2),
        ("tracking_t1", 28),
        ("tracking_mfov", 42),
        ("sbi_cbo_2026", 7800),
    ]
    assert {s.country for s in arch.interceptor_sites if s.label == "pac3_mse_ottawa"} == {"CA"}
    holdings = {h.element: h for h in arch.holdings()}
    assert holdings["gbi"].units == 44 and holdings["gbi"].sites == 2
    assert holdings["sbi"].kind == "sbi" and holdings["sbi"].units == 7800
    assert holdings["pac3_mse"].canada_units == inventory["pac3_mse_ottawa"]


@pytest.mark.slow
def test_every_kind_of_site_and_orbit_is_what_the_world_fields(tmp_path: Path) -> None:
    path = tmp_path / "extra.toml"
    text = (EXAMPLES / "nk-10-space.toml").read_text(encoding="utf-8") + EXTRA
    path.write_text(text, encoding="utf-8")
    _assert_same_as_world(path)
    arch = architecture(load_spec(path).spec, load_catalogue(), tmp_path)
    assert arch.interceptor_sites[-1].label == "thaad@site" and arch.interceptor_sites[-1].country == "US"
    assert arch.sensor_sites[-1].label == "forward radar" and arch.sensor_sites[-1].band == "X"
    extra = {c.label: (c.satellites, c.units) for c in arch.constellations}
    assert extra["extra geo"] == (3, 3)
    assert extra["leo_wide_field"] == (2, 2)
    assert extra["small sbi"] == (12, 24)


def test_norad_switches_remove_canadian_sites() -> None:
    spec = load_spec(GOLDEN_DOME).spec
    catalogue = load_catalogue()
    full = architecture(spec, catalogue, EXAMPLES)
    assert any(s.country == "CA" for s in full.interceptor_sites)
    assert any(s.country == "CA" for s in full.sensor_sites)
    no_sites = architecture(
        spec.model_copy(update={"norad": NoradSpec(canada_sites=False)}), catalogue, EXAMPLES
    )
    assert [s.label for s in no_sites.interceptor_sites] == [
        s.label for s in full.interceptor_sites if s.country != "CA"
    ]
    assert "pac3_mse_ottawa" not in {s.label for s in no_sites.interceptor_sites}
    assert no_sites.sensor_sites == full.sensor_sites  # the sensors have their own switch
    assert all(h.canada_units == 0 for h in no_sites.holdings() if h.kind == "interceptor")
    no_sensors = architecture(
        spec.model_copy(update={"norad": NoradSpec(canada_sensors=False)}), catalogue, EXAMPLES
    )
    assert [s.label for s in no_sensors.sensor_sites] == [
        s.label for s in full.sensor_sites if s.country != "CA"
    ]
    assert no_sensors.interceptor_sites == full.interceptor_sites


def test_unknown_ids_are_problems_with_their_key_path(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    text = GOLDEN_DOME.read_text(encoding="utf-8").replace(
        'deployment = "gbi_vandenberg"', 'deployment = "gbi_vandenburg"'
    )
    path.write_text(text + '\n[[constellation]]\nconstellation = "opir_gep"\n', encoding="utf-8")
    arch = architecture(load_spec(path).spec, load_catalogue(), tmp_path)
    where = {p: m for p, m in arch.problems}
    assert "unknown deployment id 'gbi_vandenburg'" in where[("interceptor_site", 1, "deployment")]
    assert "did you mean 'gbi_vandenberg'" in where[("interceptor_site", 1, "deployment")]
    assert ("constellation", 5, "constellation") in where
    assert len(arch.interceptor_sites) == 11  # the faulty site is left out, the others kept
    with pytest.raises(ScenarioError) as caught:
        scenario_cost(path)
    assert "interceptor_site#2.deployment" in str(caught.value)


def test_scenario_cost_does_not_build_the_world(monkeypatch: pytest.MonkeyPatch) -> None:
    import domesim.build.world

    def no_world(*args: object, **kwargs: object) -> None:
        raise AssertionError("scenario_cost built the world")

    monkeypatch.setattr(domesim.build.world, "build_world", no_world)
    cost = scenario_cost(GOLDEN_DOME)
    sbi = next(e for e in cost.estimates if e.holding.element == "sbi")
    assert sbi.holding.units == 7800
    assert cost.total_usd > 0


def test_a_tle_constellation_counts_the_file_s_satellites(tmp_path: Path) -> None:
    (tmp_path / "sats.tle").write_text(
        "ISS (ZARYA)\n"
        "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991\n"
        "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482\n",
        encoding="utf-8",
    )
    spec = load_spec(EXAMPLES / "nk-10.toml").spec
    spec = spec.model_copy(
        update={
            "scenario": spec.scenario.model_copy(update={"epoch_utc": "2019-12-10T00:00:00Z"}),
            "constellation": [
                ConstellationSpec(name="iss", sensor="leo_wide_field", tle_file="sats.tle"),
                ConstellationSpec(name="none", sensor="leo_wide_field", tle_file="missing.tle"),
            ],
        }
    )
    arch = architecture(spec, load_catalogue(), tmp_path)
    assert [(c.label, c.satellites) for c in arch.constellations] == [("iss", 1)]
    assert [p for p, _ in arch.problems] == [("constellation", 1, "tle_file")]


def test_a_value_a_component_refuses_names_the_file_and_key(tmp_path: Path) -> None:
    """A radar with more faces than its record holds is reported on the block's override, with the file
    and line, not as an error without them."""
    text = (EXAMPLES / "nk-10.toml").read_text(encoding="utf-8") + (
        '\n[[sensor]]\nsensor = "uewr"\nsite = "clear"\n'
        "override = {faces_az_deg = [0.0, 40.0, 80.0, 120.0, 160.0, 200.0, 240.0, 280.0, 320.0]}\n"
    )
    path = tmp_path / "faces.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, sensing="full")
    problem = info.value.problems[0]
    assert problem.key.startswith("sensor#") and problem.key.endswith(".override")
    assert problem.line is not None and "faces" in problem.message
