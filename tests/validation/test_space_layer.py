"""The space layer against analytic references: spherical cap, latitude concentration, detection law, reach.

References: the absentee-ratio cap fraction and the latitude factor of design.md section 6 (APS
Boost-Phase Intercept study, 2003; the latitude density follows from sin(lat) = sin(i) sin(u) with u
uniform); the geometric law of independent looks; the fly-out formula of domesim.interceptors.sbi.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from domesim.core.analytic import latitude_factor
from domesim.core.constants import R_EARTH_EQ_M
from domesim.core.frames import geodetic_to_ecef
from domesim.engine.simulate import simulate_chunk
from domesim.interceptors.sbi import SbiKinematics, availability, random_phasing_fraction
from domesim.montecarlo.executors import InProcess
from domesim.orbits.constellation import Walker
from domesim.orbits.coverage import visible_counts
from domesim.scenario.loader import load_scenario
from domesim.sensors.space_ir import SpaceSensorClass, SpaceSensorLayer, first_detection_t_s
from domesim.studies.salvo import SalvoSpec, build_salvo
from domesim.studies.sizing import Requirement, Shell, coverage_probability, size_constellation

ALT_M = 500e3
REACH_M = 1_000e3
EPOCHS = 100


def _static_target(lat_deg: float, alt_m: float = 200e3):
    """A fixed point seen once, 100 s after commit, by an SBI whose fly-out covers REACH_M in 100 s."""
    r = geodetic_to_ecef(math.radians(lat_deg), 0.3, alt_m).reshape(1, 1, 3)
    # (near) instant burn: d(100 s) = REACH_M
    kin = SbiKinematics(
        accel_m_s2=1e9, flyout_dv_m_s=REACH_M / 100.0, commit_delay_s=0.0, min_intercept_alt_m=0.0
    )
    return r, np.ones((1, 1), bool), np.array([100.0]), np.array([0.0]), kin


def _cap_fraction(a_m: float, r_target_m: float, reach_m: float) -> float:
    """Fraction of a shell of radius a within straight-line distance R of a point at radius r."""
    cos_theta = (a_m**2 + r_target_m**2 - reach_m**2) / (2 * a_m * r_target_m)
    return (1 - cos_theta) / 2


@pytest.mark.slow  # compiles kernels the fast tier does not otherwise need
def test_uniform_constellation_matches_spherical_cap() -> None:
    """20,000 satellites on randomly oriented circular orbits fill the shell uniformly: the simulated
    fraction in reach over random epochs equals the cap fraction within 4 binomial sigmas."""
    rng = np.random.default_rng(7)
    n = 20_000
    el = np.zeros((n, 6))
    el[:, 0] = R_EARTH_EQ_M + ALT_M
    el[:, 2] = np.arccos(rng.uniform(-1, 1, n))  # isotropic orbit normals
    el[:, 3] = rng.uniform(0, 2 * np.pi, n)
    el[:, 5] = rng.uniform(0, 2 * np.pi, n)
    r, ok, t, commit, kin = _static_target(35.0)
    offsets = rng.uniform(0, 86164.0, EPOCHS)
    in_reach, _ = availability(el, r, ok, t, commit, 0.0, offsets, kin)
    simulated = in_reach.mean() / n
    f = _cap_fraction(R_EARTH_EQ_M + ALT_M, float(np.linalg.norm(r)), REACH_M)
    sigma = math.sqrt(f * (1 - f) / n)  # one epoch's sampling error bounds the mean's
    assert abs(simulated - f) < 4 * sigma, (simulated, f)


def _cap_mean_latitude_factor(lat_deg: float, inc_deg: float, r_target_m: float) -> float:
    """Average of F(lat, i) over the shell points within REACH_M of the target (Monte Carlo integral)."""
    rng = np.random.default_rng(1)
    a = R_EARTH_EQ_M + ALT_M
    f = _cap_fraction(a, r_target_m, REACH_M)
    cos_t = 1 - 2 * f * rng.uniform(0, 1, 200_000)  # uniform over the cap about the target's direction
    phi = rng.uniform(0, 2 * np.pi, cos_t.size)
    sin_t = np.sqrt(1 - cos_t**2)
    lat0 = math.radians(lat_deg)
    sin_lat = math.sin(lat0) * cos_t + math.cos(lat0) * sin_t * np.cos(phi)
    lat = np.degrees(np.arcsin(sin_lat))
    return float(np.mean([latitude_factor(x, inc_deg) for x in lat[:20_000]]))


@pytest.mark.parametrize("lat_deg", [0.0, 30.0, 45.0])
def test_inclined_walker_shows_latitude_concentration(lat_deg: float) -> None:
    """A 60 deg Walker shell (100 x 100) is denser near its turning latitude: the simulated fraction in
    reach equals cap fraction x the cap-averaged latitude factor F(lat, 60 deg) within 5 %."""
    el = Walker(ALT_M, math.radians(60.0), 100, 100, 1).elements()
    r, ok, t, commit, kin = _static_target(lat_deg)
    offsets = np.random.default_rng(3).uniform(0, 86164.0, EPOCHS)
    in_reach, _ = availability(el, r, ok, t, commit, 0.0, offsets, kin)
    simulated = in_reach.mean() / len(el)
    r_t = float(np.linalg.norm(r))
    expected = _cap_fraction(R_EARTH_EQ_M + ALT_M, r_t, REACH_M) * _cap_mean_latitude_factor(
        lat_deg, 60.0, r_t
    )
    assert simulated == pytest.approx(expected, rel=0.05)


@pytest.mark.parametrize("lat_deg", [0.0, 45.0])
def test_random_phasing_fraction_is_the_cap_times_the_latitude_factor(lat_deg: float) -> None:
    """The absentee ratio's geometric input measured on a randomly phased 60 deg shell equals the cap
    fraction times the cap-averaged latitude factor F(lat, 60 deg), within 4 standard errors of the Monte
    Carlo plus 2 % for the Monte Carlo integral of F."""
    r, ok, t, commit, kin = _static_target(lat_deg)
    fraction, se = random_phasing_fraction(
        r, ok, t, commit, 0.0, kin, R_EARTH_EQ_M + ALT_M, math.radians(60.0), samples=1_000_000, seed=4
    )
    r_t = float(np.linalg.norm(r))
    expected = _cap_fraction(R_EARTH_EQ_M + ALT_M, r_t, REACH_M) * _cap_mean_latitude_factor(
        lat_deg, 60.0, r_t
    )
    assert abs(fraction[0] - expected) < 4 * se[0] + 0.02 * expected, (fraction[0], se[0], expected)


def test_latitude_concentration_is_visible() -> None:
    """The same shell gives 1.7 times as many SBIs in reach at 45 N as on the equator (F = 1.27 vs 0.74)."""
    el = Walker(ALT_M, math.radians(60.0), 100, 100, 1).elements()
    offsets = np.random.default_rng(3).uniform(0, 86164.0, EPOCHS)
    means = []
    for lat in (0.0, 45.0):
        r, ok, t, commit, kin = _static_target(lat)
        means.append(availability(el, r, ok, t, commit, 0.0, offsets, kin)[0].mean())
    assert means[1] / means[0] > 1.5


@pytest.mark.slow
def test_salvo_competes_for_the_same_sbis() -> None:
    """Ten missiles from one region need ten distinct SBIs: covering the salvo is rarer than covering one,
    and rarer still when the ten leave one site (they share the SBIs overhead) than spread over the region."""
    kin = SbiKinematics(
        accel_m_s2=98.0665, flyout_dv_m_s=3500.0, commit_delay_s=60.0, min_intercept_alt_m=100e3
    )
    spread = build_salvo(SalvoSpec(missiles=10, salvo_from="spread"), kin)
    one_site = build_salvo(SalvoSpec(missiles=10), kin)
    one = build_salvo(SalvoSpec(missiles=1), kin)
    assert np.array_equal(one.r_ecef, spread.r_ecef[:1]) and np.array_equal(one.r_ecef, one_site.r_ecef)
    offsets = np.random.default_rng(0).uniform(0, 86164.0, 200)
    shell = Shell(alt_m=400e3, inc_rad=math.radians(50.0))
    p_one, p_spread, p_site = (
        coverage_probability(s, kin, shell, 100, 100, 1, offsets) for s in (one, spread, one_site)
    )
    assert p_one > 0.5 and p_spread < p_one - 0.2 and p_site < p_spread
    # the epochs split into blocks, one task each (as on --workers or --cluster): the same fraction
    split = coverage_probability(spread, kin, shell, 100, 100, 1, offsets, executor=InProcess())
    assert split == p_spread


@pytest.mark.slow
def test_sizing_meets_its_requirement() -> None:
    """The constellation the sizing returns meets p (re-simulated on its epochs), and lies between the
    estimate's lower bound (a mean count of p k in reach) and the random-phasing size (a Walker pattern
    covers at least as evenly as random phasing)."""
    kin = SbiKinematics(
        accel_m_s2=98.0665, flyout_dv_m_s=3500.0, commit_delay_s=60.0, min_intercept_alt_m=100e3
    )
    salvo = build_salvo(SalvoSpec(), kin)
    epochs = 40
    shell = Shell(alt_m=400e3, inc_rad=math.radians(50.0))
    result = size_constellation(salvo, kin, shell, Requirement(k=1, p=0.8), epochs=epochs, seed=2)
    assert result.planes * result.per_plane == result.constellation_size
    assert result.p_achieved >= 0.8
    offsets = np.random.default_rng(2).uniform(0.0, 86164.0905, epochs)
    again = coverage_probability(salvo, kin, shell, result.planes, result.per_plane, 1, offsets)
    assert again == result.p_achieved
    estimate = result.estimate
    assert estimate.lower_bound <= result.constellation_size <= estimate.random_phasing_size


def _geo_sensor(pd: float, revisit_s: float) -> SpaceSensorLayer:
    cls = SpaceSensorClass(
        name="geo",
        max_range_m=45_000e3,
        field_of_regard_rad=math.radians(9.0),
        min_plume_alt_m=12e3,
        pd_boost=pd,
        pd_dim=0.0,
        dim_range_m=1.0,
        limb_alt_m=100e3,
        revisit_s=revisit_s,
    )
    el = np.zeros((1, 6))
    el[0, 0] = 42_164_170.0
    el[0, 5] = math.radians(127.0)  # over North Korea at theta0 = 0
    return SpaceSensorLayer(name="geo", sensor=cls, elements=el)


def _boosting_truth(n_trials: int):
    loaded = load_scenario("examples/nk-1.toml")
    world = replace(loaded.world, random_epoch=False)
    from domesim.engine.simulate import fly_truth

    return world, fly_truth(world, n_trials)


def test_space_detection_with_certain_looks_is_the_plume_crossing() -> None:
    """With pd = 1 a GEO sensor over the launch area detects the plume at the first step above 12 km."""
    world, truth = _boosting_truth(1)
    t = truth.t_s
    seen = first_detection_t_s(
        [_geo_sensor(1.0, 2.0)],
        truth.r_ecef,
        truth.alt_m,
        truth.phase,
        np.ones(truth.alt_m.shape[1], bool),
        t,
        0.0,
        np.zeros(1),
        np.random.default_rng(0),
    )
    boost = truth.phase[0, 0] == 1
    first = t[np.argmax(boost & (truth.alt_m[0, 0] >= 12e3))]
    assert seen[0, 0] == first


def test_space_detection_delay_follows_the_geometric_law() -> None:
    """pd = 0.5 per look, one look per step: the delay after the plume crossing is geometric with mean
    (1 - pd) / pd = 1 step (4 standard errors over 4,000 trials)."""
    world, truth = _boosting_truth(1)
    trials = 4000
    reps = {k: np.repeat(getattr(truth, k), trials, axis=0) for k in ("r_ecef", "alt_m", "phase")}
    t = truth.t_s
    seen = first_detection_t_s(
        [_geo_sensor(0.5, 2.0)],
        reps["r_ecef"],
        reps["alt_m"],
        reps["phase"],
        np.ones(1, bool),
        t,
        0.0,
        np.zeros(trials),
        np.random.default_rng(5),
    )
    boost = truth.phase[0, 0] == 1
    first = t[np.argmax(boost & (truth.alt_m[0, 0] >= 12e3))]
    delay_steps = (seen[:, 0] - first) / 2.0
    assert np.all(delay_steps >= 0)
    assert delay_steps.mean() == pytest.approx(1.0, abs=4 * math.sqrt(2.0 / trials))


def test_dim_detection_follows_the_signature_class() -> None:
    """A medium-field look at pd = 0.5 detects an object of relative brightness b with 1 - 0.5^b: b = 2 gives
    a geometric delay of mean 1/3 step after the object becomes visible; b = 0 is never seen outside boost."""
    world, truth = _boosting_truth(1)
    geo = _geo_sensor(0.5, 2.0)
    cls = replace(geo.sensor, pd_boost=0.0, pd_dim=0.5, dim_range_m=45_000e3, limb_alt_m=100e3)
    layer = replace(geo, sensor=cls)
    trials = 4000
    reps = {k: np.repeat(getattr(truth, k), trials, axis=0) for k in ("r_ecef", "alt_m", "phase")}
    t = truth.t_s
    args = (reps["r_ecef"], reps["alt_m"], reps["phase"])
    bright = first_detection_t_s(
        [layer], *args, np.array([2.0]), t, 0.0, np.zeros(trials), np.random.default_rng(4)
    )
    dark = first_detection_t_s(
        [layer], *args, np.array([0.0]), t, 0.0, np.zeros(1 * trials), np.random.default_rng(4)
    )
    visible = (truth.phase[0, 0] != 1) & (truth.alt_m[0, 0] > 100e3)
    first = t[np.argmax(visible)]
    delay_steps = (bright[:, 0] - first) / 2.0
    assert np.all(delay_steps >= 0)
    assert delay_steps.mean() == pytest.approx(1 / 3, abs=4 * math.sqrt((1 - 0.75) / 0.75**2 / trials))
    assert np.isinf(dark).all()


def test_geo_sensor_sees_its_hemisphere_only() -> None:
    """A GEO satellite over longitude 0 sees the point below it and not the antipode (visibility kernel)."""
    el = np.array([[42_164_170.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    points = geodetic_to_ecef(np.radians([0.0, 0.0, 60.0]), np.radians([0.0, 180.0, 0.0]), 0.0)
    counts = visible_counts(el, points, np.zeros(1), 0.0, 45_000e3, math.radians(9.0))
    assert counts.tolist() == [[1, 0, 1]]


SPACE = """
[[constellation]]
constellation = "opir_geo"

[[constellation]]
constellation = "sbi_cbo_2026"
override = {sspk = 1.0, reliability = 1.0, delta_v_km_s = 12.0, accel_g = 30.0, commit_delay_s = 0.0}
"""


@pytest.mark.slow
def test_a_certain_sbi_layer_kills_every_missile_in_boost(tmp_path) -> None:
    """With kill certain and reach ample, every missile of nk-10 dies in boost, before any GBI is fired;
    boost kills include every object the missiles would have released, and the accounting balances."""
    path = tmp_path / "space.toml"
    path.write_text(open("examples/nk-10.toml", encoding="utf-8").read() + SPACE, encoding="utf-8")
    world = load_scenario(path).world
    log = simulate_chunk(world, 0, 20, 1)
    n_ground = len(world.ground_batteries)
    assert log["killed"].all()
    assert (log["kill_battery"] == n_ground).all()
    assert log["shots_fired"][:, :n_ground].sum() == 0
    boost = log["eng_battery"] == n_ground
    assert log["eng_shots"][boost].sum() == log["shots_fired"][:, n_ground].sum()
    assert np.all(log["eng_alt_m"][boost] >= 100e3)
