"""The CZML scene of one trial (domesim.viz.czml): structure, clock, availability, positions against the
re-flown truth and an independent simulation of the chunk, fly-outs, kills and misses, leakers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from domesim.core import frames
from domesim.engine.simulate import simulate_chunk
from domesim.engine.world import fly_truth
from domesim.results.run import run_scenario
from domesim.scenario.loader import load_scenario
from domesim.viz import czml

REPO = Path(__file__).resolve().parents[3]
NK1 = REPO / "examples" / "nk-1.toml"
TRIALS, CHUNK = 7, 3  # three chunks: the trial drawn below lies past the first


def _t(iso: str) -> float:
    """Seconds since the nk-1 epoch (2026-01-01T00:00:00Z) of a CZML time."""
    from datetime import datetime

    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (moment - datetime.fromisoformat("2026-01-01T00:00:00+00:00")).total_seconds()


def _interval(text: str) -> tuple[float, float]:
    start, end = text.split("/")
    return _t(start), _t(end)


@pytest.fixture(scope="module")
def nk1():
    loaded = load_scenario(NK1, TRIALS, 3, edits={"montecarlo.chunk_trials": CHUNK})
    out = run_scenario(loaded)
    eng = out.tables["engagements"]
    # a trial past the first chunk with engagements (nk-1 engages in every trial)
    trial = int(next(t for t in range(CHUNK, TRIALS) if (eng["trial"] == t).any()))
    doc = czml.scene_document(loaded.world, out.summary, out.tables, trial)
    packets = json.loads(doc.model_dump_json(exclude_none=True))
    return {"loaded": loaded, "out": out, "trial": trial, "packets": packets,
            "by_id": {p["id"]: p for p in packets}}  # fmt: skip


def test_the_document_comes_first_with_a_clock_over_every_event(nk1):
    packets = nk1["packets"]
    assert packets[0]["id"] == "document" and packets[0]["version"] == "1.0"
    assert packets[0]["name"] == "nk-1"
    start, stop = _interval(packets[0]["clock"]["interval"])
    for p in packets[1:]:
        if "availability" in p and not p["id"].startswith(("satellite/", "nominal/")):
            a, b = _interval(p["availability"])
            assert start - 1e-3 <= a and b <= stop + 1e-3, p["id"]
    eng = nk1["out"].tables["engagements"]
    mine = eng["trial"] == nk1["trial"]
    assert start <= eng["launch_t_s"][mine].min() and eng["intercept_t_s"][mine].max() <= stop
    assert nk1["by_id"]["scene"]["properties"]["trial"] == nk1["trial"]
    assert nk1["by_id"]["scene"]["properties"]["chunk"] == nk1["trial"] // CHUNK


def test_one_packet_per_object_from_launch_to_impact_or_kill(nk1):
    world, trial = nk1["loaded"].world, nk1["trial"]
    chunk, row = divmod(trial, CHUNK)
    truth = fly_truth(world, min(CHUNK, TRIALS - chunk * CHUNK), 3, chunk)
    eng = nk1["out"].tables["engagements"]
    mine = eng["trial"] == trial
    objects = [p for p in nk1["packets"] if p["id"].startswith("object/")]
    assert len(objects) == len(world.objects)
    for n, p in enumerate(objects):
        assert p["id"] == f"object/{n}"
        flying = np.flatnonzero(np.isfinite(truth.r_ecef[row, n, :, 0]))
        a, b = _interval(p["availability"])
        assert a == pytest.approx(truth.t_s[flying[0]], abs=1e-3)
        kills = eng["intercept_t_s"][mine & eng["killed"] & (eng["object"] == n)]
        end = kills.min() if kills.size else truth.impact_t_s[row, n]
        assert b == pytest.approx(end, abs=1e-3)


def _sample(packet: dict, t: float) -> np.ndarray:
    values = np.array(packet["position"]["cartesian"]).reshape(-1, 4)
    epoch = _t(packet["position"]["epoch"])
    k = np.flatnonzero(np.isclose(values[:, 0] + epoch, t, atol=1e-6))
    assert k.size == 1, t
    return values[k[0], 1:]


def test_positions_are_the_truth_of_the_trial_and_of_an_independent_simulation(nk1):
    world, trial = nk1["loaded"].world, nk1["trial"]
    chunk, row = divmod(trial, CHUNK)
    n_chunk = min(CHUNK, TRIALS - chunk * CHUNK)
    truth = fly_truth(world, n_chunk, 3, chunk)
    for n in range(len(world.objects)):
        p = nk1["by_id"][f"object/{n}"]
        times = np.array(p["position"]["cartesian"]).reshape(-1, 4)[:, 0]
        for t in times[[0, len(times) // 3, len(times) // 2, -2]]:
            k = int(np.argmin(np.abs(truth.t_s - t)))
            assert np.linalg.norm(_sample(p, t) - truth.r_ecef[row, n, k]) < 1.0
    # the re-fly is the run's: an independent simulation of the chunk lands every object where the
    # document does, and meets it at the intercepts at the logged heights and ranges
    log = simulate_chunk(world, chunk, n_chunk, 3)
    for n in range(len(world.objects)):
        p = nk1["by_id"][f"object/{n}"]
        if not math.isnan(log["impact_t_s"][row, n]) and not log["killed"][row, n]:
            ground = frames.geodetic_to_ecef(
                log["impact_lat_rad"][row, n], log["impact_lon_rad"][row, n], 0.0
            )
            assert np.linalg.norm(_sample(p, log["impact_t_s"][row, n]) - ground) < 1.0
    mine = np.flatnonzero(log["eng_trial"] == row)
    flyouts = [p for p in nk1["packets"] if p["id"].startswith("flyout/")]
    assert len(flyouts) == mine.size
    for p in flyouts:
        prop = p["properties"]
        (i,) = [
            i for i in mine
            if log["eng_object"][i] == prop["object"]
            and log["eng_launch_t_s"][i] == pytest.approx(prop["launch_t_s"])
            and world.batteries[log["eng_battery"][i]].name == prop["site"]
        ]  # fmt: skip
        site, target = np.array(p["polyline"]["positions"]["cartesian"]).reshape(2, 3)
        assert np.linalg.norm(target - site) == pytest.approx(log["eng_range_m"][i], abs=1.0)
        assert frames.ecef_to_geodetic(target)[2] == pytest.approx(log["eng_alt_m"][i], abs=1.0)


def test_one_flyout_per_engagement_from_its_site_over_its_interval(nk1):
    world, trial = nk1["loaded"].world, nk1["trial"]
    eng = nk1["out"].tables["engagements"]
    rows = np.flatnonzero(eng["trial"] == trial)
    sites = {b.name: b for b in world.batteries}
    for i in rows:
        p = nk1["by_id"][f"flyout/{i}"]
        start = np.array(p["polyline"]["positions"]["cartesian"][:3])
        assert np.linalg.norm(start - sites[str(eng["site"][i])].r_ecef) < 1.0
        assert p["properties"]["site"] == str(eng["site"][i])
        a, b = _interval(p["availability"])
        assert a == pytest.approx(eng["launch_t_s"][i], abs=1e-3)
        assert b == pytest.approx(eng["intercept_t_s"][i], abs=1e-3)
    assert sum(p["id"].startswith("flyout/") for p in nk1["packets"]) == rows.size


def test_kills_and_misses_are_the_engagements_of_the_trial(nk1):
    eng = nk1["out"].tables["engagements"]
    mine = eng["trial"] == nk1["trial"]
    events = [p for p in nk1["packets"] if p["id"].startswith("event/")]
    assert sum(p["label"]["text"] == "kill" for p in events) == int(eng["killed"][mine].sum())
    assert sum(p["label"]["text"] == "miss" for p in events) == int((~eng["killed"][mine]).sum())


def test_leakers_of_the_trial_are_marked(nk1):
    leak = nk1["out"].tables["leakers"]
    mine = leak["object"][leak["trial"] == nk1["trial"]]
    marked = sorted(int(p["id"].split("/")[1]) for p in nk1["packets"] if p["id"].startswith("leaker/"))
    assert marked == sorted(mine.tolist())


def test_sites_radars_and_nominal_raid(nk1):
    world = nk1["loaded"].world
    by_id = nk1["by_id"]
    for b, battery in enumerate(world.ground_batteries):
        assert str(battery.inventory) in by_id[f"site/{b}"]["label"]["text"]
    for m, radar in enumerate(world.radars):
        assert f"radar/{m}" in by_id
        for f in range(len(radar.cls.faces_az_rad)):
            fan = np.array(by_id[f"radar/{m}/face/{f}"]["polyline"]["positions"]["cartesian"]).reshape(-1, 3)
            reach = np.linalg.norm(fan - radar.r_ecef, axis=1).max()
            if math.isfinite(radar.cls.max_altitude_m):  # a ground footprint: the chord is a little shorter
                assert 0.97 * radar.cls.ref_range_m < reach <= radar.cls.ref_range_m
            else:
                assert reach == pytest.approx(radar.cls.ref_range_m, rel=1e-6)
    assert sum(p["id"].startswith("nominal/") for p in nk1["packets"]) == len(world.objects)


def test_default_trial_is_the_first_with_a_leaker():
    tables = {"trials": {"leakers": np.array([0, 0, 2, 1])}}
    assert czml.default_trial(tables) == 2
    assert czml.default_trial({"trials": {"leakers": np.zeros(3, int)}}) == 0


def test_planes_of_a_walker_pattern():
    from domesim.orbits.constellation import Walker

    el = Walker(550e3, math.radians(53.0), planes=6, per_plane=4, phasing=1).elements()
    found = czml.planes(el)
    assert len(found) == 6 and all(len(p) == 4 for p in found)


def test_a_trial_out_of_range_is_refused(nk1):
    from domesim.errors import ParameterError

    with pytest.raises(ParameterError, match="out of range"):
        czml.refly_trial(nk1["loaded"].world, TRIALS, trials=TRIALS, seed=3, chunk_trials=CHUNK)


@pytest.mark.slow
def test_golden_dome_decimates_the_constellations_and_draws_the_sbis_that_fired(tmp_path):
    loaded = load_scenario(REPO / "examples" / "golden-dome.toml", 2, 1)
    world = loaded.world
    out = run_scenario(loaded)
    eng = out.tables["engagements"]
    sbi = np.isin(eng["site"], [world.batteries[len(world.ground_batteries) + i].name
                                for i in range(len(world.sbi_layers))])  # fmt: skip
    assert sbi.any(), "golden-dome's SBIs fire in these trials"
    trial = int(np.bincount(eng["trial"][sbi], minlength=2).argmax())
    path = czml.write_scene(tmp_path / "scene.czml", world, out.summary, out.tables, trial)
    assert path.stat().st_size < 20e6
    packets = json.loads(path.read_text())
    info = next(p for p in packets if p["id"] == "scene")["properties"]
    sats = [p for p in packets if p["id"].startswith("satellite/")]
    assert info["satellites_total"] == sum(
        len(lay.elements) for lay in world.space_sensors + world.sbi_layers
    )
    assert sum(not p["properties"]["engaged"] for p in sats) <= czml.SATELLITE_POINTS_MAX
    assert info["satellites_drawn"] == sum(not p["properties"]["engaged"] for p in sats)
    rings = [p for p in packets if p["id"].startswith("constellation/")]
    assert len(rings) == info["planes"] < info["satellites_total"] / 10
    # every salvo of the trial from space is traced to the satellites that fired it, each one drawn
    assert info["sbi_salvos"] == int((sbi & (eng["trial"] == trial)).sum())
    assert info["sbi_salvos_identified"] == info["sbi_salvos"]
    engaged = {p["id"] for p in sats if p["properties"]["engaged"]}
    for layer, indices in info["engaged_sbis"].items():
        assert {f"satellite/{layer}/{s}" for s in indices} <= engaged
    flyouts = [p for p in packets if p["id"].startswith("flyout/")]
    assert len(flyouts) == int((eng["trial"] == trial).sum())  # one per salvo, ground or space
    for p in flyouts:
        if "satellites" in p["properties"]:  # a line from each satellite of the salvo to the target
            assert len(p["properties"]["satellites"]) == p["properties"]["shots"]
            assert len(p["polyline"]["positions"]["cartesian"]) == 6 * p["properties"]["shots"]


def test_satellites_are_placed_as_the_engine_places_them():
    """Earth-fixed positions: the elements propagated ``offset`` later, rotated by the engine's angle
    (theta0 + omega (t + offset), as the space kernels turn them), through core.frames."""
    from domesim.core import kepler
    from domesim.core.constants import OMEGA_EARTH_RAD_S
    from domesim.orbits.constellation import Walker

    el = Walker(1000e3, math.radians(60.0), planes=3, per_plane=2, phasing=1).elements()
    t = np.array([0.0, 100.0, 250.0])
    theta0, offset = 1.234, 4321.0
    r_eci, _ = kepler.propagate(el, t + offset)
    expected = frames.eci_to_ecef(r_eci, theta0 + OMEGA_EARTH_RAD_S * (t + offset))
    np.testing.assert_allclose(czml.satellite_ecef(el, t, theta0, offset), expected, atol=1e-6)
