"""Validation of the numba Dormand-Prince flight kernel (domesim.core.ballistic): energy conservation,
agreement with scipy DOP853 on the same physics, impact refinement, the rocket equation, batch invariance and
continuity at a thrust cut. Each test names its source and tolerance.

Reference flight (peer-baselines.md section 3.5): burnout at 200 km, 6.9 km/s inertial, 20 deg
flight-path angle, azimuth 45 deg, here above 20 N 0 E with ERA = 0 (ECI = ECEF at t = 0); drag with
beta = 5,000 kg/m2 impacts at 1,778 s, and t = 1,760 s is in mid re-entry (about 10 km up).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from domesim.core import ballistic as bal
from domesim.core.constants import (
    E2_EARTH,
    GM_EARTH_M3_S2,
    J2_EARTH,
    OMEGA_EARTH_RAD_S,
    R_EARTH_EQ_M,
    R_EARTH_POLAR_M,
    RHO0_KG_M3,
    SCALE_HEIGHT_M,
)
from domesim.core.frames import ecef_to_eci_state, ecef_to_geodetic, enu_matrix, geodetic_to_ecef

DEG = math.pi / 180.0
BETA_KG_M2 = 5000.0
T_CHECK_S = 1760.0


def _burnout_state(lat_deg: float = 20.0, lon_deg: float = 0.0) -> np.ndarray:
    """ECI state (ERA = 0) of the reference burnout: 200 km, 6.9 km/s, 20 deg, azimuth 45 deg."""
    east, north, up = enu_matrix(lat_deg * DEG, lon_deg * DEG)
    gamma, az = 20.0 * DEG, 45.0 * DEG
    v = 6900.0 * (math.cos(gamma) * (math.sin(az) * east + math.cos(az) * north) + math.sin(gamma) * up)
    return np.concatenate([geodetic_to_ecef(lat_deg * DEG, lon_deg * DEG, 200e3), v])


def _coast_params(beta: float = 0.0, t0: float = 0.0) -> np.ndarray:
    return bal.make_records(bal.PARAMS, (), beta_kg_m2=beta, t0_s=t0)


def _powered_from_ground(t_cut: float, lat_deg: float = 30.0, t0: float = 0.0):
    """Two-stage launch from the ground (ECI = ECEF at t = 0): stages (ve 2,600 m/s, MR 3, 0-60 s) and
    (ve 2,900 m/s, MR 3, 60-120 s), vertical for 10 s, pitch to 25 deg at ``t_cut``, azimuth 45 deg."""
    lat = lat_deg * DEG
    east, north, up = enu_matrix(lat, 0.0)
    r, v = ecef_to_eci_state(geodetic_to_ecef(lat, 0.0, 0.0), np.zeros(3), 0.0)
    p = _coast_params(BETA_KG_M2, t0)
    p["t_vert_s"] = 10.0
    p["theta_end_rad"] = 25.0 * DEG
    p["t_cut_s"] = t_cut
    p["up_eci"] = up
    p["downrange_eci"] = math.sin(45 * DEG) * east + math.cos(45 * DEG) * north
    p["n_stages"] = 2
    p["stage_ve_m_s"][:2] = 2600.0, 2900.0
    p["stage_k_per_s"][:2] = (1 - 1 / 3) / 60.0, (1 - 1 / 3) / 60.0
    p["stage_end_s"][:2] = 60.0, 120.0
    return np.concatenate([r, v]), p


def _fly(y0, params, t_out, **kwargs):
    return bal.allocate_and_fly(np.atleast_2d(y0), np.atleast_1d(params), np.asarray(t_out, float), **kwargs)


def _altitude(r) -> float:
    """The kernel's height above the ellipsoid along the radius, written in numpy."""
    rn = float(np.linalg.norm(r))
    s2 = (r[2] / rn) ** 2
    return rn - R_EARTH_EQ_M * math.sqrt(1.0 - E2_EARTH) / math.sqrt(1.0 - E2_EARTH * (1.0 - s2))


def _specific_energy(state) -> np.ndarray:
    """v^2/2 + U with U = -mu/r [1 - J2 (Re/r)^2 (3 sin^2(lat_gc) - 1) / 2] (Vallado 4th ed., eq. 8-26)."""
    r = np.linalg.norm(state[..., :3], axis=-1)
    sin_lat = state[..., 2] / r
    u = -GM_EARTH_M3_S2 / r * (1.0 - J2_EARTH * (R_EARTH_EQ_M / r) ** 2 * (3.0 * sin_lat**2 - 1.0) / 2.0)
    return 0.5 * np.sum(state[..., 3:] ** 2, axis=-1) + u


def _rhs(_t, y):
    """Two-body + J2 + drag against the co-rotating air, exponential atmosphere, numpy (the reference)."""
    r, v = y[:3], y[3:]
    r2 = float(r @ r)
    k = 1.5 * J2_EARTH * R_EARTH_EQ_M**2 / r2
    z2 = r[2] ** 2 / r2
    a = -GM_EARTH_M3_S2 / r2**1.5 * r * (1.0 + k * (np.array([1.0, 1.0, 3.0]) - 5.0 * z2))
    v_rel = v - np.cross([0.0, 0.0, OMEGA_EARTH_RAD_S], r)
    rho = RHO0_KG_M3 * math.exp(-_altitude(r) / SCALE_HEIGHT_M)
    a -= 0.5 * rho * np.linalg.norm(v_rel) * v_rel / BETA_KG_M2
    return np.concatenate([v, a])


def _ground(_t, y):
    return _altitude(y[:3])


_ground.terminal = True
_ground.direction = -1


@pytest.fixture(scope="module")
def dop853():
    """scipy DOP853, rtol 1e-12, of the reference flight with drag (the peer baseline's accuracy oracle)."""
    sol = solve_ivp(
        _rhs, (0.0, 1800.0), _burnout_state(), method="DOP853", rtol=1e-12, atol=1e-9,
        dense_output=True, events=_ground,
    )  # fmt: skip
    assert sol.status == 1  # stopped at the ground
    return sol


# --------------------------------------------------------------------------- energy


@pytest.mark.parametrize(("rtol", "atol", "bound"), [(1e-8, 1e-3, 2e-8), (1e-12, 1e-9, 1e-11)])
def test_energy_conserved_in_vacuum_coast(rtol: float, atol: float, bound: float) -> None:
    """Source: the J2 potential is axisymmetric and time-independent in the inertial frame, so
    v^2/2 + U is an integral of the motion. Tolerance: relative change < 2e-8 at every 10 s output at the
    default tolerances (rtol 1e-8; outputs come from the 4th-order continuous extension; measured 4e-9),
    and < 1e-11 at rtol 1e-12, over the whole vacuum coast of the reference flight until ground contact."""
    t_out = np.arange(0.0, 1801.0, 10.0)
    state, _, _, _, status, t_impact = _fly(
        _burnout_state(), _coast_params(beta=0.0), t_out, rtol=rtol, atol=atol
    )
    energy = _specific_energy(state[0])
    above = np.isfinite(energy)
    assert status[0] == bal.STATUS_IMPACTED
    assert t_out[above][-1] >= 1740.0
    assert np.max(np.abs(energy[above] / energy[0] - 1.0)) < bound


# --------------------------------------------------------------------------- against DOP853


def test_matches_dop853_at_1760_s(dop853) -> None:
    """Source: scipy solve_ivp DOP853 rtol 1e-12 on the same physics in numpy. Tolerance: 1 m in position,
    1 m/s in velocity at t = 1,760 s (peer-baselines.md 3.5: RK45 at rtol 1e-8 is 0.17 m).
    Measured with the default rtol 1e-8: about 0.01 m."""
    state, *_ = _fly(_burnout_state(), _coast_params(BETA_KG_M2), [0.0, T_CHECK_S])
    ref = dop853.sol(T_CHECK_S)
    assert 5e3 < _altitude(ref[:3]) < 20e3  # mid re-entry: drag matters here
    assert np.linalg.norm(state[0, 1, :3] - ref[:3]) < 1.0
    assert np.linalg.norm(state[0, 1, 3:] - ref[3:]) < 1.0


def test_impact_matches_dop853_event(dop853) -> None:
    """Source: DOP853's terminal ground event on the same ellipsoid. Tolerance 10 ms and 1 m: the default
    rtol 1e-8 and bisection on the continuous extension in the last step (measured < 0.1 ms, < 0.01 m)."""
    t_out = np.arange(0.0, 1801.0, 20.0)
    _, _, impact, _, status, t_impact = _fly(_burnout_state(), _coast_params(BETA_KG_M2), t_out)
    assert status[0] == bal.STATUS_IMPACTED
    assert abs(t_impact[0] - dop853.t_events[0][0]) < 0.01
    assert np.linalg.norm(impact[0, :3] - dop853.y_events[0][0][:3]) < 1.0


# --------------------------------------------------------------------------- impact refinement, NaN rows


def test_impact_on_ellipsoid_and_nan_rows() -> None:
    """Release at t0 = 100 s: rows before it are NaN/PRELAUNCH, rows after impact NaN/IMPACTED, the impact
    state lies on the WGS84 ellipsoid (|h| < 1 m, geodetic height from frames.ecef_to_geodetic), and the
    phase sequence is prelaunch -> midcourse -> re-entry (below 100 km, descending) -> impacted."""
    t0 = 100.0
    t_out = np.arange(0.0, 2100.0, 10.0)
    y0 = _burnout_state()
    state, phase, impact, burnout, status, t_impact = _fly(y0, _coast_params(BETA_KG_M2, t0), t_out)
    state, phase = state[0], phase[0]

    assert status[0] == bal.STATUS_IMPACTED
    h_impact = float(ecef_to_geodetic(impact[0, :3])[2])  # the ellipsoid is axisymmetric: ECI works
    assert abs(h_impact) < 1.0
    assert np.dot(impact[0, :3], impact[0, 3:]) < 0.0  # descending at impact
    np.testing.assert_array_equal(burnout[0], y0)  # unpowered: "burnout" is the release state

    before = t_out < t0
    after = t_out > t_impact[0]
    flying = ~before & ~after
    assert np.all(np.isnan(state[before])) and np.all(phase[before] == bal.PHASE_PRELAUNCH)
    assert np.all(np.isnan(state[after])) and np.all(phase[after] == bal.PHASE_IMPACTED)
    assert np.all(np.isfinite(state[flying]))
    np.testing.assert_array_equal(state[t_out == t0][0], y0)
    assert 1700.0 < t_impact[0] - t0 < 1800.0

    assert np.all(np.diff(phase.astype(int)) >= 0)  # phases only move forward
    reentry = phase == bal.PHASE_REENTRY
    assert reentry.any() and (phase == bal.PHASE_MIDCOURSE).any()
    assert all(_altitude(s[:3]) < bal.REENTRY_ALT_M for s in state[reentry])
    assert np.all(np.einsum("ij,ij->i", state[reentry, :3], state[reentry, 3:]) < 0.0)


# --------------------------------------------------------------------------- powered flight


def test_vertical_burn_at_pole_follows_rocket_equation() -> None:
    """One stage (ve 2,500 m/s, mass ratio 1.5, 10 s), straight up from the north pole (no Earth-rotation
    velocity there, gravity along the axis by symmetry). Source: Tsiolkovsky with gravity loss:
    v(tb) = ve ln MR - integral g dt, height(tb) = ve tb (1 - ln MR / (MR - 1)) - g tb^2 / 2.
    With g0 = mu/b^2 (1 - 3 J2 (a/b)^2) at the pole, the first-order prediction dv - g0 tb over-counts the
    loss by at most 2 g0 tb h(tb) / b (g falls by at most 2h/b), so 0 <= error <= that (0.13 m/s;
    measured 0.042 m/s). beta = 5,000 kg/m2 is set on purpose: drag is off during thrust by design
    (at sea level it would take about 100 m/s^2 off)."""
    ve, mass_ratio, tb = 2500.0, 1.5, 10.0
    p = _coast_params(BETA_KG_M2)
    p["t_vert_s"] = tb
    p["t_cut_s"] = tb
    p["theta_end_rad"] = 0.5 * math.pi
    p["up_eci"][2] = 1.0
    p["downrange_eci"][0] = 1.0
    p["n_stages"] = 1
    p["stage_ve_m_s"][0], p["stage_k_per_s"][0], p["stage_end_s"][0] = ve, (1.0 - 1.0 / mass_ratio) / tb, tb
    y0 = np.array([0.0, 0.0, R_EARTH_POLAR_M, 0.0, 0.0, 0.0])
    t_out = np.array([0.0, 2.5, 5.0, 9.75, tb, 20.0])
    state, phase, _, burnout, status, _ = _fly(y0, p, t_out)

    g0 = GM_EARTH_M3_S2 / R_EARTH_POLAR_M**2 * (1.0 - 3.0 * J2_EARTH * (R_EARTH_EQ_M / R_EARTH_POLAR_M) ** 2)
    dv = ve * math.log(mass_ratio)
    height = ve * tb * (1.0 - math.log(mass_ratio) / (mass_ratio - 1.0)) - 0.5 * g0 * tb**2
    bound = 2.0 * g0 * tb * height / R_EARTH_POLAR_M
    v_gain = state[0, 4, 5]
    assert -1e-6 <= v_gain - (dv - g0 * tb) <= bound
    assert -1e-6 <= state[0, 4, 2] - R_EARTH_POLAR_M - height <= bound * tb / 2.0
    assert np.all(np.abs(state[0, :, [0, 1, 3, 4]]) < 1e-6)  # stays on the axis

    assert status[0] == bal.STATUS_FLYING
    np.testing.assert_array_equal(phase[0], [bal.PHASE_BOOST] * 4 + [bal.PHASE_MIDCOURSE] * 2)
    np.testing.assert_array_equal(burnout[0], state[0, 4])


# --------------------------------------------------------------------------- batch invariance


def _mixed_batch():
    """Coasts with and without drag, released at different times, powered flights, one never launched."""
    y_list, p_list = [], []
    for beta, t0, lat in [
        (BETA_KG_M2, 0.0, 20.0),
        (0.0, 37.3, -35.0),
        (2000.0, 400.0, 60.0),
        (BETA_KG_M2, 5e3, 0.0),
    ]:
        y_list.append(_burnout_state(lat))
        p_list.append(_coast_params(beta, t0))
    for t_cut, lat, t0 in [(110.0, 30.0, 5.0), (95.5, -10.0, 0.0), (60.0, 45.0, 250.0)]:
        y, p = _powered_from_ground(t_cut, lat, t0)
        y_list.append(y)
        p_list.append(p)
    return np.array(y_list), np.array(p_list)


def test_batch_equals_one_at_a_time_bitwise() -> None:
    """Flying B objects together equals flying each alone, bitwise (np.array_equal, NaNs equal): each
    numba thread works on one object with no shared state (design.md section 3, batch invariance)."""
    y0, params = _mixed_batch()
    t_out = np.arange(0.0, 2500.0, 20.0)
    together = bal.allocate_and_fly(y0, params, t_out)
    for b in range(len(y0)):
        alone = bal.allocate_and_fly(y0[b : b + 1], params[b : b + 1], t_out)
        for arr_together, arr_alone in zip(together, alone, strict=True):
            assert np.array_equal(arr_together[b], arr_alone[0], equal_nan=True)


def test_batch_order_does_not_matter() -> None:
    """A permuted batch gives the same results, permuted (bitwise)."""
    y0, params = _mixed_batch()
    t_out = np.arange(0.0, 2500.0, 20.0)
    order = np.random.default_rng(11).permutation(len(y0))
    straight = bal.allocate_and_fly(y0, params, t_out)
    shuffled = bal.allocate_and_fly(y0[order], params[order], t_out)
    for arr_straight, arr_shuffled in zip(straight, shuffled, strict=True):
        assert np.array_equal(arr_straight[order], arr_shuffled, equal_nan=True)


# --------------------------------------------------------------------------- thrust-cut continuity


@pytest.mark.parametrize("t_cut", [60.0, 110.0, 110.3, 120.0])
@pytest.mark.parametrize("delta", [1e-5, -1e-5, 2e-9, -2e-9])
def test_impact_point_continuous_in_t_cut(t_cut: float, delta: float) -> None:
    """Regression for a rounding discontinuity at a clipped thrust step: moving t_cut_s by 1e-5 s (and by
    2e-9 s, across the kernel's 1e-9 s event tolerance) moves the impact point by < 100 m. A thrust step
    lost or gained would move it by tens of km; the smooth sensitivity is below 1.5 m per 1e-5 s.
    t_cut values: at a stage end (60), on the 0.5 s boost grid (110), off it (110.3), at the last stage
    end (120)."""
    impacts = []
    for cut in (t_cut, t_cut + delta):
        y0, p = _powered_from_ground(cut)
        _, _, impact, _, status, _ = _fly(y0, p, np.arange(0.0, 3600.0, 10.0))
        assert status[0] == bal.STATUS_IMPACTED
        impacts.append(impact[0, :3])
    assert np.linalg.norm(impacts[1] - impacts[0]) < 100.0
