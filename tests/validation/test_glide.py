"""Validation of the hypersonic boost-glide generator (domesim.core.glide, domesim.threats.glide).

Each test names its source and tolerance:

- the equilibrium-glide range equation (Vinh, Busemann & Culp, *Hypersonic and Planetary Entry Flight
  Mechanics*, 1980; Regan & Anandakrishnan, *Dynamics of Atmospheric Re-Entry*, 1993) on a
  non-rotating Earth with a point-mass field;
- scipy's DOP853 at rtol 1e-12 on the same equations written in numpy (lift geometry, rotating Earth, J2);
- the catalogue classes of ``data/glide.toml`` flown by :func:`fly_gliders` with dispersions off: miss
  distance from the aim point as the WGS84 geodesic (pymap3d's Vincenty inverse), the glide band, and the
  calibration of each class's reach against its ``range_km``;
- bad parameters and unreachable aim points give errors naming the key or the range;
- batch invariance (bit for bit) and seed determinism (design.md section 6).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from pymap3d.vincenty import vdist
from scipy.integrate import solve_ivp

from domesim.core import ballistic as bal
from domesim.core import frames
from domesim.core import glide as kernel
from domesim.core.constants import (
    E2_EARTH,
    GM_EARTH_M3_S2,
    J2_EARTH,
    OMEGA_EARTH_RAD_S,
    R_EARTH_EQ_M,
    R_EARTH_MEAN_M,
    RHO0_KG_M3,
    SCALE_HEIGHT_M,
)
from domesim.core.timegrid import TimeGrid
from domesim.core.units import to_si
from domesim.errors import ParameterError, TargetingError
from domesim.threats.ballistic import initial_azimuth
from domesim.threats.glide import (
    GlideObject,
    GlideVehicle,
    fly_gliders,
    glide_band_exits,
    solve_glide,
)

DEG = math.pi / 180.0
EPOCH = "2026-07-01T06:00:00Z"
LAUNCH_LAT_DEG, LAUNCH_LON_DEG = 40.0, 120.0
MISS_TOLERANCE_M = 10.0  # nominal flights; measured below 0.01 m (the dive's proportional navigation)


def _entries() -> dict[str, dict]:
    text = (resources.files("domesim") / "data" / "glide.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["threat"]


def _si_params(class_id: str) -> dict[str, object]:
    """SI values of a catalogue entry, keys kept (as the scenario builder's ``Builder.params`` gives them)."""
    out: dict[str, object] = {}
    for key, item in _entries()[class_id].items():
        if isinstance(item, dict) and "value" in item:
            v = item["value"]
            out[key] = [to_si(key, x) for x in v] if isinstance(v, list) else to_si(key, v)
    return out


def _vehicle(class_id: str) -> GlideVehicle:
    return GlideVehicle.from_params(class_id, _si_params(class_id))


REGIONAL = _vehicle("hgv_regional")
INTERCONTINENTAL = _vehicle("hgv_intercontinental")
VEHICLES = {"hgv_regional": REGIONAL, "hgv_intercontinental": INTERCONTINENTAL}


def _destination(azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    """(lat, lon), rad, at ``distance_m`` along the great circle (IUGG mean sphere) from the launch point."""
    lat1, lon1, az = LAUNCH_LAT_DEG * DEG, LAUNCH_LON_DEG * DEG, azimuth_deg * DEG
    s = distance_m / R_EARTH_MEAN_M
    lat2 = math.asin(math.sin(lat1) * math.cos(s) + math.cos(lat1) * math.sin(s) * math.cos(az))
    lon2 = lon1 + math.atan2(
        math.sin(az) * math.sin(s) * math.cos(lat1), math.cos(s) - math.sin(lat1) * math.sin(lat2)
    )
    return lat2, (lon2 + math.pi) % (2.0 * math.pi) - math.pi


def _object(
    vehicle: GlideVehicle, aim, offset_deg: float = 0.0, launch_t: float = 0.0, **sigmas
) -> GlideObject:
    lat, lon = LAUNCH_LAT_DEG * DEG, LAUNCH_LON_DEG * DEG
    sol = solve_glide(vehicle, lat, lon, aim[0], aim[1], offset_deg * DEG)
    return GlideObject(
        name=vehicle.name,
        vehicle=vehicle,
        launch_lat_rad=lat,
        launch_lon_rad=lon,
        aim_lat_rad=aim[0],
        aim_lon_rad=aim[1],
        launch_t_s=launch_t,
        solution=sol,
        **sigmas,
    )


def _miss_m(lat_rad: float, lon_rad: float, aim) -> float:
    assert np.isfinite(lat_rad) and np.isfinite(lon_rad), "no impact within the grid"
    d = vdist(math.degrees(lat_rad), math.degrees(lon_rad), math.degrees(aim[0]), math.degrees(aim[1]))[0]
    return float(np.asarray(d))


# --------------------------------------------------------------------------- (a) range equation


def _equilibrium_start(ld: float, v0: float, beta: float) -> tuple[np.ndarray, float]:
    """Equatorial ECI state in equilibrium glide at speed v0 (non-rotating Earth) and its radius.

    Altitude where (L/D) D = g - v^2/r (iterated), flight-path angle of the equilibrium glide
    ``gamma = -(2 H / (L/D)) (1/r + (g - v^2/r)/v^2)`` (from d/dt of the equilibrium density), so that
    the phugoid is not excited.
    """
    h = 50e3
    for _ in range(30):
        r = R_EARTH_EQ_M + h
        g_eff = GM_EARTH_M3_S2 / r**2 - v0 * v0 / r
        h = SCALE_HEIGHT_M * math.log(RHO0_KG_M3 * ld * v0 * v0 / (2.0 * beta * g_eff))
    r = R_EARTH_EQ_M + h
    gamma = -2.0 * SCALE_HEIGHT_M / ld * (1.0 / r + g_eff / v0**2)
    return np.array([r, 0.0, 0.0, v0 * math.sin(gamma), v0 * math.cos(gamma), 0.0]), r


def _fixed_params(ld: float, beta: float, bank_rad: float = 0.0) -> np.ndarray:
    return bal.make_records(
        kernel.PARAMS,
        1,
        beta_kg_m2=beta,
        ld_max=ld,
        mode0=kernel.MODE_FIXED,
        ld_fixed=ld,
        bank_fixed_rad=bank_rad,
    )


RANGE_EQ_REL_TOL = 0.03


@pytest.mark.parametrize(
    ("ld", "v0", "vf"),
    [(2.5, 6500.0, 1700.0), (3.0, 4000.0, 1700.0), (2.0, 5000.0, 2500.0), (2.5, 7000.0, 2000.0)],
    ids=["LD2.5-6.5to1.7kms", "LD3-4to1.7kms", "LD2-5to2.5kms", "LD2.5-7to2kms"],
)
def test_glide_range_matches_equilibrium_glide_range_equation(ld: float, v0: float, vf: float) -> None:
    """Source: the equilibrium-glide range equation (Vinh, Busemann & Culp 1980; Regan & Anandakrishnan
    1993): central angle ``theta = (L/D)/2 ln[(1 - vf^2/(g r)) / (1 - v0^2/(g r))]``
    with ``g r = mu / r`` at the start. Kernel: constant L/D, zero bank, no rotation (omega = 0), point-mass
    gravity (j2 = 0), equatorial track (constant ellipsoid radius), from an equilibrium-glide start.

    Tolerance: 3 % relative. The equation neglects the potential energy the glide releases as it sinks
    (g dh, 15-35 km here): the kernel's range is longer by the measured +1.3 % to +2.7 %, the sign this
    predicts; adding g dh to the start's kinetic energy brings the two within 2 % (measured 1.5 % at most,
    the residual of taking g and r constant over a 35 km descent).
    """
    beta = 6000.0
    y0, r0 = _equilibrium_start(ld, v0, beta)
    t_out = np.arange(0.0, 4000.0, 0.25)
    out = kernel.allocate_and_glide(y0[None], _fixed_params(ld, beta), t_out, omega=0.0, j2=0.0)
    state = out.state[0]
    speed = np.linalg.norm(state[:, 3:], axis=1)
    i = int(np.nonzero(speed < vf)[0][0])
    w = (speed[i - 1] - vf) / (speed[i - 1] - speed[i])
    angle = np.unwrap(np.arctan2(state[:, 1], state[:, 0]))
    theta = angle[i - 1] + w * (angle[i] - angle[i - 1])
    gr = GM_EARTH_M3_S2 / r0
    expected = 0.5 * ld * math.log((1.0 - vf**2 / gr) / (1.0 - v0**2 / gr))
    error = theta / expected - 1.0
    assert 0.0 < error < RANGE_EQ_REL_TOL, f"range {theta * r0 / 1e3:.0f} km, relative error {error:+.4f}"
    # the residual is the descent's energy: with it the equation agrees to 2 %
    h_f = out.alt_m[0, i - 1] + w * (out.alt_m[0, i] - out.alt_m[0, i - 1])
    r_mean = R_EARTH_EQ_M + 0.5 * (r0 - R_EARTH_EQ_M + h_f)
    gr_m = GM_EARTH_M3_S2 / r_mean
    v0e2 = v0**2 + 2.0 * gr_m / r_mean * (r0 - R_EARTH_EQ_M - h_f)
    corrected = 0.5 * ld * math.log((1.0 - vf**2 / gr_m) / (1.0 - v0e2 / gr_m))
    assert abs(theta / corrected - 1.0) < 0.02


# --------------------------------------------------------------------------- lift geometry vs DOP853


def _altitude(r) -> float:
    rn = float(np.linalg.norm(r))
    s2 = (r[2] / rn) ** 2
    return rn - R_EARTH_EQ_M * math.sqrt(1.0 - E2_EARTH) / math.sqrt(1.0 - E2_EARTH * (1.0 - s2))


def _rhs_fixed_bank(_t, y, ld, beta, bank):
    """Gravity with J2, drag and lift at a fixed bank angle, air co-rotating: numpy (the reference)."""
    r, v = y[:3], y[3:]
    r2 = float(r @ r)
    k = 1.5 * J2_EARTH * R_EARTH_EQ_M**2 / r2
    z2 = r[2] ** 2 / r2
    a = -GM_EARTH_M3_S2 / r2**1.5 * r * (1.0 + k * (np.array([1.0, 1.0, 3.0]) - 5.0 * z2))
    v_rel = v - np.cross([0.0, 0.0, OMEGA_EARTH_RAD_S], r)
    speed = float(np.linalg.norm(v_rel))
    drag = 0.5 * RHO0_KG_M3 * math.exp(-_altitude(r) / SCALE_HEIGHT_M) * speed**2 / beta
    e_v = v_rel / speed
    up = r / math.sqrt(r2)
    lift0 = up - (up @ e_v) * e_v
    lift0 /= np.linalg.norm(lift0)
    side = np.cross(e_v, lift0)  # to the right of the motion
    a += -drag * e_v + ld * drag * (math.cos(bank) * lift0 + math.sin(bank) * side)
    return np.concatenate([v, a])


def test_banked_glide_matches_dop853_and_turns_right() -> None:
    """Source: scipy DOP853 (rtol 1e-12, atol 1e-9) on the same equations in numpy: rotating Earth, J2, drag
    against the co-rotating air, lift at a constant 30 deg bank. Tolerance: 1 m and 1 mm/s after 600 s
    (the kernel's default rtol 1e-8; measured 0.04 m and 0.2 mm/s). A positive bank turns the track to the
    right (clockwise seen from above): the azimuth of the velocity grows."""
    ld, beta, bank = 2.5, 6000.0, 30.0 * DEG
    lat = 35.0 * DEG
    east, north, up = frames.enu_matrix(lat, 0.0)
    v_earth = 5000.0 * north
    r, v = frames.ecef_to_eci_state(frames.geodetic_to_ecef(lat, 0.0, 60e3), v_earth, 0.0)
    y0 = np.concatenate([r, v])
    t_out = np.array([0.0, 300.0, 600.0])
    out = kernel.allocate_and_glide(y0[None], _fixed_params(ld, beta, bank), t_out, era0=0.0)
    ref = solve_ivp(
        _rhs_fixed_bank, (0.0, 600.0), y0, method="DOP853", rtol=1e-12, atol=1e-9, args=(ld, beta, bank)
    )
    r_ref, v_ref = frames.eci_to_ecef_state(ref.y[:3, -1], ref.y[3:, -1], OMEGA_EARTH_RAD_S * 600.0)
    assert np.linalg.norm(out.state[0, 2, :3] - r_ref) < 1.0
    assert np.linalg.norm(out.state[0, 2, 3:] - v_ref) < 1e-3
    azimuths = []
    for row in out.state[0]:
        lat_k, lon_k, _ = frames.ecef_to_geodetic(row[:3])
        e_k, n_k, _ = frames.enu_matrix(lat_k, lon_k) @ row[3:]
        azimuths.append(math.atan2(e_k, n_k))
    assert azimuths[0] < azimuths[1] < azimuths[2]


# --------------------------------------------------------------------------- (b) aim points, (c) band

# (class, initial azimuth deg, range km, launch azimuth offset deg): several ranges and directions; the
# offset cases launch off the great circle so the glider must steer its cross-range back onto the aim.
CASES = [
    ("hgv_regional", 0.0, 1000.0, 0.0),
    ("hgv_regional", 90.0, 1800.0, 0.0),
    ("hgv_regional", 200.0, 2300.0, 0.0),
    ("hgv_regional", 45.0, 1800.0, 20.0),
    ("hgv_intercontinental", 0.0, 5000.0, 0.0),
    ("hgv_intercontinental", 90.0, 9000.0, 0.0),
    ("hgv_intercontinental", 270.0, 7500.0, 0.0),
    ("hgv_intercontinental", 30.0, 7000.0, -15.0),
]


@pytest.fixture(scope="module")
def nominal_flights():
    """Every case of CASES flown by fly_gliders on a 2 s grid (one batch), dispersions off."""
    objects, aims = [], []
    for class_id, az, km, offset in CASES:
        aim = _destination(az, km * 1e3)
        objects.append(_object(VEHICLES[class_id], aim, offset))
        aims.append(aim)
    duration = max(o.solution.flight_time_s for o in objects) + 60.0
    batch = fly_gliders(objects, TimeGrid(EPOCH, 2.0, math.ceil(duration)), None, 1)
    return objects, aims, batch


@pytest.mark.parametrize(
    "case", range(len(CASES)), ids=[f"{c}-az{a:g}-{k:g}km-off{o:g}" for c, a, k, o in CASES]
)
def test_nominal_glide_hits_the_aim_point(nominal_flights, case: int) -> None:
    """Source: the WGS84 geodesic (pymap3d Vincenty) from the impact point to the aim point. Tolerance:
    10 m with dispersions off (the dive's proportional navigation closes on the point; measured < 0.01 m),
    for both catalogue classes at several ranges and directions, on the rotating Earth with J2, launched
    at an epoch other than the solution's. With a launch azimuth offset, the track leaves the launch
    great circle by more than 50 km: the cross-range is steered by bank."""
    objects, aims, batch = nominal_flights
    obj, aim = objects[case], aims[case]
    assert batch.status[0, case] == bal.STATUS_IMPACTED
    assert _miss_m(batch.impact_lat_rad[0, case], batch.impact_lon_rad[0, case], aim) < MISS_TOLERANCE_M
    assert obj.solution.miss_m < MISS_TOLERANCE_M
    assert batch.impact_t_s[0, case] == pytest.approx(obj.solution.flight_time_s, abs=0.5)
    az_gc = initial_azimuth(obj.launch_lat_rad, obj.launch_lon_rad, aim[0], aim[1])
    offset = CASES[case][3] * DEG
    assert math.remainder(obj.solution.azimuth_rad - az_gc - offset, 2 * math.pi) == pytest.approx(
        0.0, abs=1e-9
    )
    if offset:
        # distance from the launch -> aim great circle, along the flown track
        n = np.cross(
            frames.geodetic_to_ecef(obj.launch_lat_rad, obj.launch_lon_rad, 0.0),
            frames.geodetic_to_ecef(aim[0], aim[1], 0.0),
        )
        n /= np.linalg.norm(n)
        r = batch.r_ecef[0, case]
        r = r[np.isfinite(r[:, 0])]
        cross = R_EARTH_MEAN_M * np.arcsin(np.abs(r @ n) / np.linalg.norm(r, axis=1))
        assert cross.max() > 50e3


@pytest.mark.parametrize(
    "case", range(len(CASES)), ids=[f"{c}-az{a:g}-{k:g}km-off{o:g}" for c, a, k, o in CASES]
)
def test_glide_stays_in_the_catalogue_band(nominal_flights, case: int) -> None:
    """Source: the catalogue's glide band (glide_alt_min_km .. glide_alt_max_km, data/glide.toml, from
    parameter-catalogue 1.3 [V2-weak / R], S37). Tolerance: none on the 2 s grid: every glide-phase sample
    (``PHASE_MIDCOURSE`` from the first time at or below the band's top) lies in the band; the phases run
    boost -> glide -> dive -> impacted, and the glide in the band lasts at least 40 % of the flight
    after burnout (the rest: the intercontinental glider's coast down to the band, and the dive)."""
    objects, _, batch = nominal_flights
    vehicle = objects[case].vehicle
    alt, phase = batch.alt_m[0, case], batch.phase[0, case]
    assert glide_band_exits(vehicle, alt[None], phase[None])[0] == -1
    midcourse = phase == bal.PHASE_MIDCOURSE
    glide = midcourse & np.maximum.accumulate(midcourse & (alt <= vehicle.glide_alt_max_m))
    assert np.all(alt[glide] >= vehicle.glide_alt_min_m) and np.all(alt[glide] <= vehicle.glide_alt_max_m)
    assert np.all(np.diff(phase.astype(int)) >= 0)
    for code in (bal.PHASE_BOOST, bal.PHASE_MIDCOURSE, bal.PHASE_REENTRY, bal.PHASE_IMPACTED):
        assert (phase == code).any()
    after_burnout = objects[case].solution.flight_time_s - vehicle.boost_time_s
    assert np.count_nonzero(glide) * 2.0 > 0.4 * after_burnout


@pytest.mark.parametrize("class_id", ["hgv_regional", "hgv_intercontinental"])
def test_reach_is_calibrated_to_the_catalogue_range(class_id: str) -> None:
    """Source: range_km of data/glide.toml (regional: DF-17 class 1,800-2,500 km [V2, S37]; intercontinental:
    notional 10,000 km). The booster's delta-v is calibrated (tag D) so that the glide flown to exhaustion
    due north from 40 N stays in the band to range_km. Tolerance: 3 %."""
    vehicle = VEHICLES[class_id]
    range_m = float(_si_params(class_id)["range_km"])
    sol = solve_glide(vehicle, LAUNCH_LAT_DEG * DEG, LAUNCH_LON_DEG * DEG, *_destination(0.0, 0.6 * range_m))
    assert sol.reach_m == pytest.approx(range_m, rel=0.03)
    assert vehicle.glide_alt_min_m <= sol.burnout_alt_m
    assert sol.burnout_gamma_rad == pytest.approx(vehicle.burnout_gamma_rad, abs=0.01 * DEG)


# --------------------------------------------------------------------------- (d) errors


def test_unreachable_aim_point_names_the_range() -> None:
    """An aim point beyond the class's reach: TargetingError naming the range and the reach."""
    with pytest.raises(TargetingError, match=r"3,500 km is beyond the class's reach .*2,\d{3} km"):
        solve_glide(REGIONAL, LAUNCH_LAT_DEG * DEG, LAUNCH_LON_DEG * DEG, *_destination(0.0, 3500e3))
    with pytest.raises(TargetingError, match=r"15,000 km is beyond the class's reach"):
        solve_glide(INTERCONTINENTAL, LAUNCH_LAT_DEG * DEG, LAUNCH_LON_DEG * DEG, *_destination(0.0, 15000e3))


def test_too_close_aim_point_names_the_range() -> None:
    """An aim point closer than the glide can lose its energy in the band: TargetingError naming the range."""
    with pytest.raises(TargetingError, match=r"300 km .*too close"):
        solve_glide(REGIONAL, LAUNCH_LAT_DEG * DEG, LAUNCH_LON_DEG * DEG, *_destination(0.0, 300e3))


@pytest.mark.parametrize(
    ("key", "value", "match"),
    [
        ("stage_burn_s", [-60.0, 50.0], r"stage_burn_s must be > 0 for every stage \(got -60\)"),
        ("stage_delta_v_km_s", [2800.0], r"stage_burn_s, stage_delta_v_km_s and exhaust_velocity_km_s"),
        ("glide_alt_min_km", -5e3, r"glide_alt_min_km must be above the ground and below glide_alt_max_km"),
        ("glide_alt_min_km", 120e3, r"glide_alt_min_km must be above the ground and below glide_alt_max_km"),
        ("glide_alt_max_km", 400e3, r"glide_alt_max_km must be at most 200 km"),
        ("lift_to_drag", 0.0, r"lift_to_drag must be > 0 \(got 0\)"),
        ("beta_kg_m2", float("nan"), r"beta_kg_m2 must be > 0"),
        ("max_bank_deg", 95.0 * DEG, r"max_bank_deg must be between 0 and 90 deg \(got 95\)"),
        ("vertical_rise_s", 500.0, r"vertical_rise_s must be >= 0 and shorter than the boost"),
        ("glide_end_speed_km_s", -1.0, r"glide_end_speed_km_s must be > 0"),
        ("burnout_gamma_deg", 45.0 * DEG, r"burnout_gamma_deg must be a shallow angle"),
        ("lift_to_drag", "high", r"lift_to_drag must be a number"),
    ],
)
def test_bad_parameter_names_the_key(key: str, value, match: str) -> None:
    """Bad catalogue values: ParameterError naming the key (the catalogue's name, with its unit suffix)."""
    p = {**_si_params("hgv_regional"), key: value}
    with pytest.raises(ParameterError, match=match):
        GlideVehicle.from_params("hgv_regional", p)


def test_missing_key_and_booster_below_band() -> None:
    p = _si_params("hgv_regional")
    del p["lift_to_drag"]
    with pytest.raises(ParameterError, match=r"missing parameter\(s\) lift_to_drag"):
        GlideVehicle.from_params("hgv_regional", p)
    # a weak booster burning out inside the atmosphere, below the band: the class cannot glide
    weak = GlideVehicle.from_params(
        "weak", {**_si_params("hgv_regional"), "stage_delta_v_km_s": [900.0, 900.0]}
    )
    with pytest.raises(ParameterError, match=r"below glide_alt_min_km"):
        solve_glide(weak, LAUNCH_LAT_DEG * DEG, LAUNCH_LON_DEG * DEG, *_destination(0.0, 500e3))


# --------------------------------------------------------------------------- (e) batches, determinism


@pytest.fixture(scope="module")
def three_objects():
    return [
        _object(REGIONAL, _destination(60.0, 1500e3), 10.0, launch_t=30.0),
        _object(INTERCONTINENTAL, _destination(0.0, 6000e3), 0.0, launch_t=0.0),
        _object(REGIONAL, _destination(300.0, 2000e3), 0.0, launch_t=95.0),
    ]


_FIELDS = ("r_ecef", "v_ecef", "alt_m", "phase", "impact_t_s", "impact_lat_rad", "impact_lon_rad", "status")


def test_batch_equals_single_runs_bitwise(three_objects) -> None:
    """Source: design.md section 6 (a batch equals its members run singly). Tolerance: bit for bit,
    NaN rows included: objects of both classes with different launch times (so the booster integration
    of the batch ends later than each member's own) flown together and one at a time."""
    grid = TimeGrid(EPOCH, 5.0, 1800.0)
    batch = fly_gliders(three_objects, grid, None, 2)
    for j, obj in enumerate(three_objects):
        single = fly_gliders([obj], grid, None, 1)
        for name in _FIELDS:
            np.testing.assert_array_equal(
                getattr(batch, name)[:1, j], getattr(single, name)[:, 0], err_msg=name
            )
            np.testing.assert_array_equal(
                getattr(batch, name)[1, j], getattr(batch, name)[0, j], err_msg=name
            )


def test_kernel_batch_equals_single_runs_with_dispersed_parameters() -> None:
    """Source: design.md section 6. Tolerance: bit for bit. Eight gliders with different L/D, beta, bank
    limits and aim points through glide_batch together and one at a time."""
    rng = np.random.default_rng(7)
    n = 8
    lat = 30.0 * DEG
    r, v = frames.ecef_to_eci_state(
        frames.geodetic_to_ecef(lat, 0.0, 70e3), 4000.0 * frames.enu_matrix(lat, 0.0)[1], 0.0
    )
    y0 = np.tile(np.concatenate([r, v]), (n, 1))
    p = bal.make_records(kernel.PARAMS, n)
    p["beta_kg_m2"] = 6000.0 * np.exp(0.2 * rng.standard_normal(n))
    p["ld_max"] = 2.5 * np.exp(0.1 * rng.standard_normal(n))
    p["h_min_m"], p["h_max_m"] = 30e3, 100e3
    p["bank_max_rad"] = rng.uniform(30.0, 70.0, n) * DEG
    p["dive_k"], p["v_end_m_s"] = 2.0, 1700.0
    aim_lat = lat + rng.uniform(8.0, 15.0, n) * DEG
    aim_lon = rng.uniform(-5.0, 5.0, n) * DEG
    p["aim_ecef"] = frames.geodetic_to_ecef(aim_lat, aim_lon, 0.0)
    p["mode0"] = kernel.MODE_PULLUP
    t_out = np.arange(0.0, 1500.0, 10.0)
    batch = kernel.allocate_and_glide(y0, p, t_out, era0=0.3)
    assert np.all(batch.status == bal.STATUS_IMPACTED)
    for b in range(n):
        single = kernel.allocate_and_glide(y0[b : b + 1], p[b : b + 1], t_out, era0=0.3)
        for name in kernel.GlideFlight._fields:
            np.testing.assert_array_equal(getattr(batch, name)[b], getattr(single, name)[0], err_msg=name)


def test_dispersions_are_deterministic_and_spread_the_impacts(three_objects) -> None:
    """Same seed: identical arrays; another seed: different impacts. With dispersions (booster azimuth, pitch
    and thrust, L/D, beta, aim error) the guidance still lands every glider near its aim point (within
    5 sigma of the 200 m aim error: 1.5 km)."""
    grid = TimeGrid(EPOCH, 5.0, 2000.0)
    sigmas = dict(
        azimuth_sigma_rad=0.2 * DEG,
        pitch_sigma_rad=0.2 * DEG,
        thrust_sigma_frac=0.01,
        ld_sigma_frac=0.05,
        beta_sigma_frac=0.1,
        aim_sigma_m=200.0,
    )
    objects = [GlideObject(**{**o.__dict__, **sigmas}) for o in three_objects]
    a = fly_gliders(objects, grid, np.random.default_rng(11), 6)
    b = fly_gliders(objects, grid, np.random.default_rng(11), 6)
    c = fly_gliders(objects, grid, np.random.default_rng(12), 6)
    for name in _FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert not np.array_equal(a.impact_lat_rad, c.impact_lat_rad)
    assert np.all(a.status == bal.STATUS_IMPACTED)
    for j, obj in enumerate(objects):
        aim = (obj.aim_lat_rad, obj.aim_lon_rad)
        misses = [_miss_m(a.impact_lat_rad[k, j], a.impact_lon_rad[k, j], aim) for k in range(6)]
        assert max(misses) < 1500.0
        assert len(set(misses)) == 6


_FALLBACK_SCRIPT = """
import math, sys, numpy as np
from domesim.core.timegrid import TimeGrid
from domesim.threats.glide import GlideVehicle, GlideObject, fly_gliders, solve_glide
p = {"stage_burn_s": [60.0, 50.0], "stage_delta_v_km_s": [2780.0, 2780.0],
     "exhaust_velocity_km_s": [2600.0, 2600.0], "vertical_rise_s": 6.0, "beta_kg_m2": 6000.0,
     "lift_to_drag": 2.5, "glide_alt_min_km": 30e3,
     "glide_alt_max_km": 100e3, "max_bank_deg": math.radians(60.0), "dive_range_factor": 3.0,
     "glide_end_speed_km_s": 1700.0, "burnout_gamma_deg": math.radians(1.0)}
v = GlideVehicle.from_params("hgv", p)
lat, lon, aim = math.radians(40.0), math.radians(120.0), (math.radians(50.0), math.radians(140.0))
sol = solve_glide(v, lat, lon, aim[0], aim[1], math.radians(10.0))
obj = GlideObject(name="hgv", vehicle=v, launch_lat_rad=lat, launch_lon_rad=lon, aim_lat_rad=aim[0],
                  aim_lon_rad=aim[1], launch_t_s=0.0, solution=sol)
b = fly_gliders([obj], TimeGrid("2026-01-01", 10.0, 1200.0), None, 1)
np.savez(sys.argv[1], r=b.r_ecef, phase=b.phase, t=b.impact_t_s, lat=b.impact_lat_rad, lon=b.impact_lon_rad)
"""


@pytest.mark.slow  # compiles kernels the fast tier does not otherwise need
def test_interpreted_kernel_matches_compiled(tmp_path: Path) -> None:
    """The numba kernels run as plain Python with ``NUMBA_DISABLE_JIT=1`` (design.md section 5: a
    non-compiled path with the same API, tested). Source of truth: the interpreted run. Tolerance:
    1e-6 m in every state and 1e-9 s at impact (compiled code may fuse multiply-adds; measured: identical),
    identical phases."""
    out = {}
    for jit in (True, False):
        env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
        if not jit:
            env["NUMBA_DISABLE_JIT"] = "1"
        path = tmp_path / f"jit-{jit}.npz"
        result = subprocess.run(
            [sys.executable, "-c", _FALLBACK_SCRIPT, str(path)],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        out[jit] = dict(np.load(path))
    a, b = out[True], out[False]
    np.testing.assert_array_equal(a["phase"], b["phase"])
    np.testing.assert_allclose(a["r"], b["r"], rtol=0.0, atol=1e-6)
    np.testing.assert_allclose(a["t"], b["t"], rtol=0.0, atol=1e-9)
    np.testing.assert_allclose(a["lat"], b["lat"], rtol=0.0, atol=1e-12)
    assert np.isfinite(a["t"]).all()
