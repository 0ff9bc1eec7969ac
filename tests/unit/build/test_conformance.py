"""Conformance of every registered kind (threat families, sensor families, interceptor classes,
constellation payloads): each builds from every catalogue entry of its families, flies or measures a
small batch, round-trips its scenario block, and appears in the run report.

Parametrised over the registries, so a new kind is checked without editing this file (the habit of
scikit-learn's ``estimator_checks``).
"""

from __future__ import annotations

import numpy as np
import pytest

from domesim.build.catalogue import load_catalogue
from domesim.build.constellations import PAYLOADS
from domesim.build.countermeasures import COUNTERMEASURES
from domesim.build.interceptors import INTERCEPTOR_CLASSES
from domesim.build.schema import scenario_model
from domesim.build.sensors import SENSOR_FAMILIES
from domesim.build.threats import threat_families
from domesim.core.ballistic import STATUS_DIVERGED
from domesim.engine.sensing import Chunk, sense
from domesim.engine.simulate import fly_truth
from domesim.errors import ScenarioError

pytestmark = pytest.mark.slow

CATALOGUE = load_catalogue()
LAUNCH = (40.0, 127.0)  # deg: the threats fly east from here
RANGES_KM = (8000.0, 3000.0, 900.0, 400.0)  # the first range a class can be built for is tested


def _entries(section: str, families: tuple[str, ...]) -> list[str]:
    return [i for i in CATALOGUE.ids(section) if CATALOGUE.entry(section, i).fields.get("family") in families]


def _cases(section: str, registry) -> list:
    cases = [(kind.name, entry) for kind in registry for entry in _entries(section, kind.catalogue_families)]
    assert cases, f"no catalogue entry for any registered kind of {section}"
    return cases


def _scenario(threats: str, extra: str = "", sensing: str = "ideal", duration_s: float = 21600.0) -> str:
    return f"""
[scenario]
name = "conformance"
duration_s = {duration_s}
step_s = 4.0
sensing = "{sensing}"
space_epoch = "fixed"
{threats}
{extra}
[montecarlo]
trials = 2
seed = 1
"""


def _aim(range_km: float) -> tuple[float, float]:
    """A point ``range_km`` east of the launch point along its parallel's great circle start."""
    lat, lon = np.radians(LAUNCH)
    psi = range_km / 6371.0
    lat2 = np.arcsin(np.sin(lat) * np.cos(psi) + np.cos(lat) * np.sin(psi) * np.cos(np.pi / 2))
    lon2 = lon + np.arctan2(
        np.sin(np.pi / 2) * np.sin(psi) * np.cos(lat), np.cos(psi) - np.sin(lat) * np.sin(lat2)
    )
    return float(np.degrees(lat2)), float((np.degrees(lon2) + 180.0) % 360.0 - 180.0)


def _threat_block(threat_class: str, range_km: float) -> str:
    aim = _aim(range_km)
    return f"""
[[threat]]
class = "{threat_class}"
launch_lat_deg = {LAUNCH[0]}
launch_lon_deg = {LAUNCH[1]}
aim_lat_deg = {aim[0]:.6f}
aim_lon_deg = {aim[1]:.6f}
{_unknowns("threat", threat_class)}
"""


# A threat every sensor and interceptor can be measured against: a solid ICBM from North Korea to Seattle.
REFERENCE_THREAT = """
[[threat]]
class = "icbm_solid"
launch_region = "north_korea"
aim_asset = "seattle"
"""


def _unknowns(section: str, entry_id: str) -> str:
    """``override = {...}`` for the entry's parameters with no public value: unknown stays unknown in the
    catalogue, so every scenario that uses the entry sets them, as this test's scenarios do (the middle
    of a published range where there is one, else 1,000 in the key's unit: an input of the test)."""
    entry = CATALOGUE.entry(section, entry_id)
    values = {
        key: 0.5 * (p.low + p.high) if p.low is not None and p.high is not None else 1000.0
        for key, p in entry.params.items()
        if p.value is None
    }
    return "override = {" + ", ".join(f"{k} = {v}" for k, v in values.items()) + "}" if values else ""


def _round_trip(loaded) -> None:
    dumped = loaded.spec.model_dump(mode="json", by_alias=True)
    assert scenario_model().model_validate(dumped) == loaded.spec


@pytest.mark.parametrize(("family", "threat_class"), _cases("threat", threat_families()))
def test_threat_family(family, threat_class, tmp_path, load_text, run_and_report):
    errors = []
    for range_km in RANGES_KM:
        try:
            loaded = load_text(tmp_path, _scenario(_threat_block(threat_class, range_km)))
            break
        except ScenarioError as exc:
            errors.append(f"{range_km:.0f} km: {exc}")
    else:
        pytest.fail(f"{threat_class} ({family}) cannot be built at any of {RANGES_KM} km: {errors}")
    world = loaded.world
    assert [group.family for group in world.threat_groups] == [family]
    # flies a small batch: three dispersed trials, finite while flying, impact near the aim point
    truth = fly_truth(world, 3, seed=5)
    n = len(world.objects)
    assert truth.r_ecef.shape[:2] == (3, n)
    assert not (truth.status == STATUS_DIVERGED).any()
    flying = np.isfinite(truth.alt_m)
    assert flying.any(axis=-1).all()
    assert np.isfinite(truth.r_ecef[flying]).all()
    lethal = np.array([info.lethal for info in world.objects])
    assert np.isfinite(truth.impact_t_s[:, lethal]).all()
    _round_trip(loaded)
    summary, html = run_and_report(loaded, tmp_path)
    assert summary["threat_objects"] == int(lethal.sum())
    assert f"threat {threat_class}" in html  # its parameters, with their provenance


@pytest.mark.parametrize(("family", "sensor_class"), _cases("sensor", SENSOR_FAMILIES))
def test_sensor_family(family, sensor_class, tmp_path, load_text, run_and_report):
    site = f"""
[[sensor]]
sensor = "{sensor_class}"
lat_deg = 47.0
lon_deg = -122.0
{_unknowns("sensor", sensor_class)}
"""
    assert SENSOR_FAMILIES[family].name == family
    loaded = load_text(tmp_path, _scenario(REFERENCE_THREAT, site, "full", 3600.0))
    world = loaded.world
    assert len(world.radars) == 1 and world.radars[0].cls.name == sensor_class
    truth = fly_truth(world, 2, seed=3)
    first = sense(world, Chunk(truth, 3, 0, 0.0, np.zeros(2))).detect_t_s  # measures a small batch
    assert first.shape == truth.impact_t_s.shape
    seen = np.isfinite(first)  # a detection time is a grid time; never seen is +inf, never NaN
    assert np.all(np.isposinf(first[~seen])) and np.isin(first[seen], truth.t_s).all()
    _round_trip(loaded)
    _, html = run_and_report(loaded, tmp_path)
    assert f"sensor {sensor_class}" in html


@pytest.mark.parametrize(("kind_name", "interceptor"), _cases("interceptor", INTERCEPTOR_CLASSES))
def test_interceptor_class(kind_name, interceptor, tmp_path, load_text, run_and_report):
    site = f"""
[[interceptor_site]]
interceptor = "{interceptor}"
lat_deg = 47.5
lon_deg = -122.3
inventory = 8
{_unknowns("interceptor", interceptor)}
"""
    kind = INTERCEPTOR_CLASSES[kind_name]
    loaded = load_text(tmp_path, _scenario(REFERENCE_THREAT, site, "ideal", 3600.0))
    world = loaded.world
    assert [b.interceptor.name for b in world.ground_batteries] == [interceptor]
    truth = fly_truth(world, 2, seed=3)
    windows = kind.engagement_windows(world.ground_batteries[0], truth.r_ecef, truth.alt_m, truth.t_s)
    assert windows.shape == truth.alt_m.shape
    _round_trip(loaded)
    summary, html = run_and_report(loaded, tmp_path)
    assert interceptor in summary["interceptors_fired"]
    assert f"interceptor {interceptor}" in html


@pytest.mark.parametrize(
    ("kind_name", "payload"),
    [(k.name, e) for k in PAYLOADS for e in _entries(k.section, k.catalogue_families)],
)
def test_constellation_payload(kind_name, payload, tmp_path, load_text, run_and_report):
    kind = PAYLOADS[kind_name]
    block = f"""
[[constellation]]
name = "test layer"
walker = {{alt_km = 1000.0, inc_deg = 60.0, planes = 4, per_plane = 6, phasing = 1}}
{kind.section} = "{payload}"
"""
    if kind.section == "sensor":  # a sensor layer cues a battery; an SBI layer engages by itself
        block += '\n[[interceptor_site]]\ninterceptor = "gbi"\nsite = "fort_greely"\ninventory = 4\n'
    sensing = "screening" if kind.section == "sensor" else "ideal"  # SBIs need a cue; the ideal one here
    loaded = load_text(tmp_path, _scenario(REFERENCE_THREAT, block, sensing, 3600.0))
    world = loaded.world
    layers = world.space_sensors if kind.section == "sensor" else world.sbi_layers
    assert [layer.name for layer in layers] == ["test layer"]
    assert len(layers[0].elements) == 24
    _round_trip(loaded)
    summary, html = run_and_report(loaded, tmp_path)  # measures: detections, or boost-phase shots
    assert f"{kind.section} {payload}" in html
    if kind.section == "interceptor":
        assert "test layer" in summary["inventory"]


@pytest.mark.parametrize(("kind_name", "countermeasure"), _cases("countermeasure", COUNTERMEASURES))
def test_countermeasure(kind_name, countermeasure, tmp_path, load_text, run_and_report):
    """Each countermeasure entry fits the reference threat (with balloon decoys, which anti-simulation
    needs), flies, round-trips its block and its parameters appear in the report."""
    block = REFERENCE_THREAT + f'countermeasures = ["{countermeasure}"]\n'
    block += '\n[threat.payload]\ndecoys = 1\ndecoy_class = "balloon"\n'
    loaded = load_text(tmp_path, _scenario(block, "", "ideal", 3600.0))
    assert loaded.spec.threat[0].countermeasures == [countermeasure]
    truth = fly_truth(loaded.world, 2, seed=3)
    lethal = np.array([info.lethal for info in loaded.world.objects])
    assert np.isfinite(truth.impact_t_s[:, lethal]).all()
    _round_trip(loaded)
    _, html = run_and_report(loaded, tmp_path)
    assert f"countermeasure {countermeasure}" in html


def test_every_catalogue_family_is_registered():
    """A catalogue entry whose family no kind builds would be unusable: every family is registered."""
    for section, registries in (
        ("threat", [threat_families()]),
        ("sensor", [SENSOR_FAMILIES, PAYLOADS]),
        ("interceptor", [INTERCEPTOR_CLASSES, PAYLOADS]),
        ("countermeasure", [COUNTERMEASURES]),
    ):
        built = {f for registry in registries for f in registry.families()}
        for entry_id in CATALOGUE.ids(section):
            family = CATALOGUE.entry(section, entry_id).fields.get("family")
            assert family in built, f"{section}.{entry_id}: family {family!r} is not registered"
