"""Sensors and tracking against their references: filter consistency (NEES within chi-square bounds), the
Swerling I detection law, converted-measurement consistency, exact assignment, GOSPA, and the acceptance
comparison of the full sensing chain against the screening estimate on examples/nk-10.toml.

References: Bar-Shalom, Li and Kirubarajan, *Estimation with Applications to Tracking and Navigation*
(2001), section 5.4 (NEES and its chi-square test); Skolnik, *Introduction to Radar Systems* (3rd ed.),
eq. 2.32 (Swerling I); Rahmathullah et al., FUSION 2017 (GOSPA); SciPy's ``linear_sum_assignment``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.stats import chi2

from domesim.core import ballistic as phases
from domesim.core import frames
from domesim.core.counter_rng import normal, uniform
from domesim.core.kalman import predict_update_batch, update
from domesim.engine.sensing import GOSPA_CUTOFF_M
from domesim.engine.simulate import fly_truth
from domesim.montecarlo.runner import run_trials
from domesim.results.metrics import binomial_ci
from domesim.scenario.loader import load_scenario
from domesim.sensors import radar as rad
from domesim.tracking.metrics import gospa, gospa_distance
from domesim.tracking.tracker import Tracker, TrackerConfig, hungarian


def _midcourse_truth_eci(dt_s: float = 10.0):
    """The nk-1 RV in midcourse above 200 km, every dt_s seconds, inertial frame (truth includes J2)."""
    world = load_scenario("examples/nk-1.toml").world
    truth = fly_truth(world, 1)
    # midcourse above 200 km: no drag, so the truth follows the filter's gravity model
    mid = (truth.phase[0, 0] == phases.PHASE_MIDCOURSE) & (truth.alt_m[0, 0] > 200e3)
    steps = np.flatnonzero(mid)[:: int(dt_s / world.grid.step_s)]
    t = truth.t_s[steps]
    era = frames.earth_rotation_angle(t, world.grid.epoch_jd)
    r, v = frames.ecef_to_eci_state(truth.r_ecef[0, 0, steps], truth.v_ecef[0, 0, steps], era)
    return t, np.concatenate([r, v], axis=1)


@pytest.mark.slow  # compiles kernels the fast tier does not otherwise need
def test_ballistic_filter_is_consistent_nees() -> None:
    """100 Monte Carlo runs of the gravity + J2 EKF on the midcourse RV with 300 m position measurements every
    10 s: the run-averaged NEES lies within the two-sided 99 % chi-square bounds of 6 x 100 dof at 95 % of
    the steps (successive steps are correlated, so a few excursions come together), and its overall mean is
    6 within 10 % (measured 5.6: the linearised transition makes the filter slightly conservative).
    The filter's process noise is ~0 because the truth has none above 200 km; with the
    q = 1e-4 m^2/s^3 of a real tracker the filter is conservative and this test fails, as it should."""
    t, x_true = _midcourse_truth_eci()
    runs, sigma = 100, 300.0
    rng = np.random.default_rng(11)
    P0 = np.diag([1e3**2] * 3 + [30.0**2] * 3)
    x = x_true[0] + rng.multivariate_normal(np.zeros(6), P0, runs)
    P = np.repeat(P0[None], runs, axis=0)
    R = np.repeat((np.eye(3) * sigma**2)[None], runs, axis=0)
    nees = []
    for k in range(1, len(t)):
        z = x_true[k, :3] + rng.normal(0.0, sigma, (runs, 3))
        predict_update_batch(x, P, z, R, t[k] - t[k - 1], 1e-9, True)
        e = x - x_true[k]
        nees.append(np.einsum("ri,rij,rj->r", e, np.linalg.inv(P), e).mean())
    nees = np.array(nees)
    lo, hi = chi2.ppf([0.005, 0.995], 6 * runs) / runs
    assert np.mean((nees < lo) | (nees > hi)) <= 0.05, (nees.min(), nees.max(), lo, hi)
    assert nees.mean() == pytest.approx(6.0, rel=0.10)


def test_tracker_keeps_the_ballistic_target_through_detections() -> None:
    """The same RV through the full tracker (one detection per scan, Pd 0.8): one confirmed track, within
    4 sigma of truth at the end."""
    t, x_true = _midcourse_truth_eci()
    trk = Tracker(
        TrackerConfig(
            q_m2_s3=1e-2, gate_distance=4.0, init_velocity_sigma_m_s=8000.0, confirm_m=2, confirm_n=3
        )
    )
    rng = np.random.default_rng(2)
    R = np.eye(3) * 300.0**2
    for k in range(len(t)):
        if rng.random() < 0.8:
            trk.step(t[k], x_true[k, :3] + rng.normal(0, 300.0, (1, 3)), R[None])
        else:
            trk.step(t[k], np.zeros((0, 3)), np.zeros((0, 3, 3)))
    live = trk.confirmed()
    assert live.size == 1
    j = live[0]
    from domesim.core.kalman import predict

    xj, Pj = trk.store.x[j].copy(), trk.store.P[j].copy()
    predict(xj, Pj, t[-1] - trk.store.t[j], 1e-2, True)
    e = xj[:3] - x_true[-1, :3]
    assert e @ np.linalg.solve(Pj[:3, :3], e) < chi2.ppf(0.9999, 3)


def test_swerling_one_detection_law_at_the_reference_range() -> None:
    """A target of the reference RCS at the reference range is detected with probability 1/2 per look, and
    the frequency of detections over 20,000 looks matches (4 binomial sigmas)."""
    cls = rad.RadarClass(
        name="x",
        band="X",
        ref_range_m=1000e3,
        ref_rcs_m2=1.0,
        pfa=1e-6,
        min_elevation_rad=0.0,
        max_elevation_rad=math.radians(85),
        faces_az_rad=(0.0,),
        face_half_width_rad=math.radians(60),
        revisit_s=1.0,
        range_sigma_m=10.0,
        angle_sigma_rad=1e-3,
    )
    site = rad.Radar(name="x", cls=cls, lat_rad=0.0, lon_rad=0.0, alt_m=0.0)
    east, north, up = frames.enu_matrix(0.0, 0.0)
    target = site.r_ecef + 1000e3 * (math.cos(math.radians(10)) * north + math.sin(math.radians(10)) * up)
    visible, rng_m, az, el, snr = rad.look(site.record(), target, 1.0)
    assert visible and rng_m == pytest.approx(1000e3)
    pd = rad.detection_probability(snr, cls.pfa)
    assert pd == pytest.approx(0.5, abs=1e-12)
    hits = sum(uniform(np.uint64(9), k) < pd for k in range(20_000))
    assert abs(hits / 20_000 - 0.5) < 4 * math.sqrt(0.25 / 20_000)


def test_converted_measurement_covariance_is_consistent() -> None:
    """Noisy radar measurements converted to Cartesian: their errors have the stated covariance (3-dof NEES
    mean 3 within 5 % over 5,000 draws at 2,000 km)."""
    cls = rad.RadarClass(
        name="x",
        band="UHF",
        ref_range_m=4000e3,
        ref_rcs_m2=10.0,
        pfa=1e-6,
        min_elevation_rad=0.0,
        max_elevation_rad=math.radians(85),
        faces_az_rad=(0.0,),
        face_half_width_rad=math.radians(60),
        revisit_s=1.0,
        range_sigma_m=30.0,
        angle_sigma_rad=2e-3,
    )
    site = rad.Radar(name="x", cls=cls, lat_rad=math.radians(64.0), lon_rad=math.radians(-149.0), alt_m=0.0)
    radar = site.record()
    east, north, up = frames.enu_matrix(site.lat_rad, site.lon_rad)
    target = site.r_ecef + 2000e3 * (0.9 * north + 0.436 * up)
    _, rng_m, az, el, snr = rad.look(radar, target, 10.0)
    z, R = np.empty(3), np.empty((3, 3))
    values = []
    key = np.uint64(4)
    for k in range(5000):
        noise = (normal(key, 3 * k), normal(key, 3 * k + 1), normal(key, 3 * k + 2))
        rad.measurement(radar, rng_m, az, el, snr, noise, z, R)
        e = z - target
        values.append(e @ np.linalg.solve(R, e))
    assert np.mean(values) == pytest.approx(3.0, rel=0.05)


def test_kalman_update_equals_the_joseph_form() -> None:
    """The compiled update against the textbook Joseph form in NumPy (Bar-Shalom et al. eq. 5.2.3-18), on
    random full covariances spanning six orders of magnitude: tolerance 1e-9 relative (observed ~1e-14)."""
    rng = np.random.default_rng(7)
    H = np.hstack([np.eye(3), np.zeros((3, 3))])
    for _ in range(200):
        a = rng.standard_normal((6, 6))
        P = a @ a.T * rng.uniform(1.0, 1e6) + np.eye(6)
        b = rng.standard_normal((3, 3))
        R = b @ b.T * rng.uniform(1.0, 1e4) + np.eye(3)
        x, z = rng.standard_normal(6) * 1e5, rng.standard_normal(3) * 1e5
        K = P @ H.T @ np.linalg.inv(H @ P @ H.T + R)
        x_ref = x + K @ (z - H @ x)
        IKH = np.eye(6) - K @ H
        P_ref = IKH @ P @ IKH.T + K @ R @ K.T
        update(x, P, z, R)
        assert np.abs(x - x_ref).max() <= 1e-9 * np.abs(x_ref).max()
        assert np.abs(P - P_ref).max() <= 1e-9 * np.abs(P_ref).max()
        assert np.array_equal(P, P.T)


def test_tracker_regime_altitude_is_above_the_ellipsoid() -> None:
    """The model switch reads the height above WGS84 (``frames.ellipsoid_altitude``, the one height of
    compiled code; frames.geodetic_to_ecef is the reference): within 50 m at any latitude, so a 100 km
    switch is the same over the poles as over the equator."""
    rng = np.random.default_rng(2)
    lat, lon, h = rng.uniform(-90, 90, 500), rng.uniform(-180, 180, 500), rng.uniform(0, 200e3, 500)
    r = frames.geodetic_to_ecef(lat, lon, h)
    got = np.array([frames.ellipsoid_altitude(*ri) for ri in r])
    assert np.abs(got - h).max() < 50.0


def test_tracker_step_checks_covariance_shapes() -> None:
    trk = Tracker(TrackerConfig(ballistic=False))
    z = np.array([[0.0, 0.0, 0.0], [1e6, 0.0, 0.0]])
    assert trk.step(0.0, z, 100.0 * np.eye(3)).tolist() == [0, 1]  # one R broadcast to both
    with pytest.raises(ValueError, match="R must be"):
        trk.step(1.0, z, 100.0 * np.eye(3)[None])


@pytest.mark.parametrize("shape", [(3, 3), (4, 7), (6, 6), (1, 5)])
def test_hungarian_matches_scipy(shape) -> None:
    rng = np.random.default_rng(sum(shape))
    for _ in range(50):
        cost = rng.uniform(0, 10, shape)
        cols = hungarian(cost)
        rows_s, cols_s = linear_sum_assignment(cost)
        assert cost[np.arange(shape[0]), cols].sum() == pytest.approx(cost[rows_s, cols_s].sum())
        assert len(set(cols.tolist())) == shape[0]


def test_gospa_counts_missed_and_false_tracks() -> None:
    truth = np.array([[0.0, 0.0, 0.0], [100.0, 0.0, 0.0], [500.0, 0.0, 0.0]])
    tracks = np.array([[3.0, 4.0, 0.0], [100.0, 0.0, 0.0], [5000.0, 0.0, 0.0]])
    g = gospa(truth, tracks, c=50.0)
    assert (g.missed, g.false) == (1, 1)
    assert g.distance == pytest.approx(math.sqrt(25.0 + 50.0**2))


def _p_no_leak(world, trials: int, seed: int):
    log = run_trials(world, trials, seed)
    lethal = np.array([info.lethal for info in world.objects])
    no_leak = int(((~log["killed"]) & lethal).sum(axis=1).__eq__(0).sum())
    return no_leak / trials, binomial_ci(no_leak, trials), log


@pytest.mark.slow
def test_full_chain_nk10_is_no_better_than_screening() -> None:
    """Acceptance: the full chain on examples/nk-10.toml gives a probability of no leak lower than or equal
    to the screening estimate within confidence intervals; no fire-control track comes before the first
    detection."""
    cued = load_scenario("examples/nk-10.toml", sensing="screening").world
    tracked = load_scenario("examples/nk-10.toml").world
    p_cued, ci_cued, log_cued = _p_no_leak(cued, 200, 5)
    p_tracked, ci_tracked, log_tracked = _p_no_leak(tracked, 200, 5)
    assert ci_tracked[0] <= ci_cued[1]
    assert p_tracked <= p_cued + 1e-12 or ci_tracked[0] <= p_cued <= ci_tracked[1]
    fc = log_tracked["fire_control_t_s"]
    assert np.all(fc[np.isfinite(fc)] >= log_tracked["detect_t_s"][np.isfinite(fc)])
    # GOSPA of the track picture: at the first sample no track exists, so every object in flight is a
    # miss, sqrt(c^2 / 2 per object); later the tracks bring it below that bound of the raid
    gospa_m = log_tracked["gospa_m"]
    in_flight = np.isfinite(fly_truth(tracked, 1).alt_m[0, :, 0]).sum()
    assert np.allclose(gospa_m[:, 0], GOSPA_CUTOFF_M * math.sqrt(in_flight / 2.0))
    assert gospa_m.min() < GOSPA_CUTOFF_M * math.sqrt(len(tracked.objects) / 2.0)


def test_compiled_gospa_equals_the_reference() -> None:
    """The engine's compiled GOSPA against :func:`gospa` (SciPy's assignment) on 500 random pictures with
    0-8 truths and tracks: equal to 1e-9 m."""
    rng = np.random.default_rng(11)
    for _ in range(500):
        n, j = rng.integers(0, 9, 2)
        truth, tracks = rng.uniform(0, 30e3, (n, 3)), rng.uniform(0, 30e3, (j, 3))
        assert gospa_distance(truth, tracks, 10e3) == pytest.approx(
            gospa(truth, tracks, 10e3).distance, abs=1e-9
        )
