"""Unit tests for domesim.core.frames: known values, shapes and broadcasting, no input mutation.

Known values come from the definitions (WGS84, NIMA TR8350.2 table 3.1; ERA, IERS Conventions 2010
eq. 5.15). Tolerances are a few ulp of the quantity unless stated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from domesim.core.constants import (
    ERA_AT_J2000_TURNS,
    ERA_RATE_TURNS_PER_UT1_DAY,
    JD_J2000,
    OMEGA_EARTH_RAD_S,
    R_EARTH_EQ_M,
    R_EARTH_MEAN_M,
    R_EARTH_POLAR_M,
)
from domesim.core.frames import (
    earth_rotation_angle,
    ecef_to_eci,
    ecef_to_eci_state,
    ecef_to_enu,
    ecef_to_geodetic,
    eci_to_ecef,
    eci_to_ecef_state,
    enu_matrix,
    enu_to_aer,
    geodetic_to_ecef,
    great_circle_distance_m,
    rotation_z,
)

HALF_PI = 0.5 * math.pi
ATOL_M = 1e-8  # metres: a few ulp of an Earth-radius coordinate (ulp of 6.4e6 m is 9.3e-10 m)


# --------------------------------------------------------------------------- geodetic <-> ECEF


@pytest.mark.parametrize(
    ("lat", "lon", "alt", "expected"),
    [
        (0.0, 0.0, 0.0, (R_EARTH_EQ_M, 0.0, 0.0)),
        (0.0, HALF_PI, 0.0, (0.0, R_EARTH_EQ_M, 0.0)),
        (0.0, math.pi, 1000.0, (-R_EARTH_EQ_M - 1000.0, 0.0, 0.0)),
        (HALF_PI, 0.0, 0.0, (0.0, 0.0, R_EARTH_POLAR_M)),
        (-HALF_PI, 1.0, 500.0, (0.0, 0.0, -R_EARTH_POLAR_M - 500.0)),
    ],
)
def test_geodetic_to_ecef_equator_and_poles(lat, lon, alt, expected) -> None:
    """Equator points sit at a + h, poles at b + h on the axis (WGS84 a, b); to 1e-8 m."""
    np.testing.assert_allclose(geodetic_to_ecef(lat, lon, alt), expected, rtol=0, atol=ATOL_M)


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        ((R_EARTH_EQ_M, 0.0, 0.0), (0.0, 0.0, 0.0)),
        ((0.0, -R_EARTH_EQ_M - 2000.0, 0.0), (0.0, -HALF_PI, 2000.0)),
        ((0.0, 0.0, R_EARTH_POLAR_M), (HALF_PI, 0.0, 0.0)),
        ((0.0, 0.0, -R_EARTH_POLAR_M - 1000.0), (-HALF_PI, 0.0, 1000.0)),
    ],
)
def test_ecef_to_geodetic_equator_and_poles(r, expected) -> None:
    """Inverse of the known points above: angles to 1e-15 rad, height to 1e-8 m."""
    lat, lon, alt = ecef_to_geodetic(r)
    assert lat == pytest.approx(expected[0], abs=1e-15)
    assert lon == pytest.approx(expected[1], abs=1e-15)
    assert alt == pytest.approx(expected[2], abs=ATOL_M)


def test_geodetic_mid_latitude_hand_value() -> None:
    """45 deg N on the ellipsoid: N = a / sqrt(1 - e2 / 2), z = N (1 - e2) sin 45 (TR8350.2 eq. 4-14)."""
    e2 = 1.0 - (R_EARTH_POLAR_M / R_EARTH_EQ_M) ** 2
    n = R_EARTH_EQ_M / math.sqrt(1.0 - e2 / 2.0)
    s = math.sqrt(0.5)
    np.testing.assert_allclose(
        geodetic_to_ecef(math.radians(45.0), 0.0, 0.0), (n * s, 0.0, n * (1.0 - e2) * s), rtol=0, atol=ATOL_M
    )


# --------------------------------------------------------------------------- Earth rotation angle


def test_era_at_j2000() -> None:
    """ERA(J2000.0) = 2 pi * 0.7790572732640 (IERS Conventions 2010 eq. 5.15); to 1e-15 rad."""
    assert float(earth_rotation_angle(0.0, JD_J2000)) == pytest.approx(
        2.0 * math.pi * 0.7790572732640, abs=1e-15
    )
    assert ERA_AT_J2000_TURNS == 0.7790572732640


def test_era_one_ut1_day_later() -> None:
    """After one UT1 day the Earth has turned 1.00273781191135448 turns (IERS 2010 eq. 5.15); 1e-12 rad."""
    expected = 2.0 * math.pi * ((ERA_AT_J2000_TURNS + ERA_RATE_TURNS_PER_UT1_DAY) % 1.0)
    assert float(earth_rotation_angle(86400.0, JD_J2000)) == pytest.approx(expected, abs=1e-12)
    assert float(earth_rotation_angle(0.0, JD_J2000 + 1.0)) == pytest.approx(expected, abs=1e-12)


def test_era_rate_matches_wgs84_omega() -> None:
    """The ERA rate (IERS 2010: 7.292115146707e-5 rad/s) and the WGS84 nominal omega 7.292115e-5 rad/s
    (TR8350.2, rounded to 7 digits) agree to 3e-8 relative (they differ by 2.0e-8)."""
    dt = 10.0
    rate = (float(earth_rotation_angle(dt, JD_J2000)) - float(earth_rotation_angle(0.0, JD_J2000))) / dt
    assert rate == pytest.approx(OMEGA_EARTH_RAD_S, rel=3e-8)


def test_era_range_and_shape() -> None:
    """ERA is in [0, 2 pi) for negative and large times and keeps the shape of ``t_s``."""
    t = np.array([[-1e6, -1.0, 0.0], [1.0, 3e7, 1e9]])
    era = earth_rotation_angle(t, 2461041.5)
    assert era.shape == (2, 3)
    assert np.all((era >= 0.0) & (era < 2.0 * math.pi))


def test_era_epoch_shift_equals_time_shift() -> None:
    """Moving the epoch by whole days or moving t by the same seconds gives the same angle; 1e-9 rad."""
    a = earth_rotation_angle(3.0 * 86400.0 + 1234.5, 2461041.5)
    b = earth_rotation_angle(1234.5, 2461044.5)
    assert abs(float(a) - float(b)) < 1e-9


# --------------------------------------------------------------------------- rotations


def test_rotation_z_quarter_turn() -> None:
    """R_z(pi/2) takes x to y and y to -x (active rotation); to 1e-16."""
    rot = rotation_z(HALF_PI)
    np.testing.assert_allclose(rot @ [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], atol=1e-16)
    np.testing.assert_allclose(rot @ [0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], atol=1e-16)
    assert rotation_z(np.zeros((4, 2))).shape == (4, 2, 3, 3)


def test_ecef_to_eci_greenwich_direction() -> None:
    """r_eci = R3(-ERA) r_ecef: the Greenwich meridian points at angle ERA in the ECI x-y plane."""
    era = 0.7
    r_eci = ecef_to_eci([R_EARTH_EQ_M, 0.0, 0.0], era)
    np.testing.assert_allclose(
        r_eci, R_EARTH_EQ_M * np.array([math.cos(era), math.sin(era), 0.0]), atol=ATOL_M
    )
    np.testing.assert_allclose(eci_to_ecef(r_eci, era), [R_EARTH_EQ_M, 0.0, 0.0], atol=ATOL_M)


def test_ecef_to_eci_state_equator_point_at_rest() -> None:
    """A point fixed on the equator moves east at omega * a = 465.1 m/s in ECI; to 1e-9 m/s."""
    r_eci, v_eci = ecef_to_eci_state([R_EARTH_EQ_M, 0.0, 0.0], [0.0, 0.0, 0.0], 0.0)
    np.testing.assert_allclose(r_eci, [R_EARTH_EQ_M, 0.0, 0.0], atol=ATOL_M)
    np.testing.assert_allclose(v_eci, [0.0, OMEGA_EARTH_RAD_S * R_EARTH_EQ_M, 0.0], atol=1e-9)
    r_back, v_back = eci_to_ecef_state(r_eci, v_eci, 0.0)
    np.testing.assert_allclose(v_back, 0.0, atol=1e-9)


# --------------------------------------------------------------------------- ENU and AER


def test_enu_matrix_at_origin() -> None:
    """At (0, 0): east = +y, north = +z, up = +x (exact to 1e-16)."""
    np.testing.assert_allclose(enu_matrix(0.0, 0.0), [[0, 1, 0], [0, 0, 1], [1, 0, 0]], atol=1e-16)


def test_ecef_to_enu_up_and_north() -> None:
    """1 km straight up the geodetic normal reads (0, 0, 1000); at the north pole (lon 0), -x is north."""
    lat, lon = math.radians(37.0), math.radians(-122.0)
    above = geodetic_to_ecef(lat, lon, 1000.0)
    np.testing.assert_allclose(ecef_to_enu(above, lat, lon), [0.0, 0.0, 1000.0], atol=1e-8)
    near_pole = np.array([-1000.0, 0.0, R_EARTH_POLAR_M])
    enu_n = ecef_to_enu(near_pole, HALF_PI, 0.0, 0.0)
    np.testing.assert_allclose(enu_n, [0.0, 1000.0, 0.0], atol=1e-8)


@pytest.mark.parametrize(
    ("enu", "az_deg", "el_deg"),
    [
        ((0.0, 1.0, 0.0), 0.0, 0.0),
        ((1.0, 0.0, 0.0), 90.0, 0.0),
        ((0.0, -1.0, 0.0), 180.0, 0.0),
        ((-1.0, 0.0, 0.0), 270.0, 0.0),
        ((1.0, 1.0, math.sqrt(2.0)), 45.0, 45.0),
        ((0.0, 0.0, 1.0), 0.0, 90.0),
    ],
)
def test_enu_to_aer_cardinal_directions(enu, az_deg, el_deg) -> None:
    """Azimuth clockwise from north in [0, 360), elevation above the horizon; to 1e-12 deg."""
    az, el, rng = enu_to_aer(np.array(enu))
    assert math.degrees(float(az)) == pytest.approx(az_deg, abs=1e-12)
    assert math.degrees(float(el)) == pytest.approx(el_deg, abs=1e-12)
    assert float(rng) == pytest.approx(float(np.linalg.norm(enu)), rel=1e-15)


def test_great_circle_distance_known_arcs() -> None:
    """Quarter meridian = pi R / 2, antipode = pi R, same point = 0 (haversine on the IUGG sphere)."""
    assert great_circle_distance_m(0.0, 0.0, HALF_PI, 0.0) == pytest.approx(
        HALF_PI * R_EARTH_MEAN_M, rel=1e-15
    )
    assert great_circle_distance_m(0.0, 0.0, 0.0, math.pi) == pytest.approx(
        math.pi * R_EARTH_MEAN_M, rel=1e-15
    )
    assert great_circle_distance_m(0.3, 1.2, 0.3, 1.2) == 0.0
    d = great_circle_distance_m(np.zeros(3), 0.0, 0.1, np.array([0.0, 0.1, 0.2]), radius_m=1.0)
    assert d.shape == (3,)


# --------------------------------------------------------------------------- shapes and broadcasting


def test_geodetic_to_ecef_broadcasts() -> None:
    """(4, 1) latitudes x (3,) longitudes x scalar height -> (4, 3, 3), equal to the element-wise values."""
    lat = np.linspace(-1.0, 1.0, 4)[:, None]
    lon = np.array([-2.0, 0.0, 2.0])
    r = geodetic_to_ecef(lat, lon, 100.0)
    assert r.shape == (4, 3, 3)
    np.testing.assert_allclose(r[2, 1], geodetic_to_ecef(lat[2, 0], lon[1], 100.0), rtol=1e-15)


def test_ecef_to_geodetic_shapes() -> None:
    """(2, 5, 3) positions -> three (2, 5) arrays; a single (3,) position -> 0-d arrays."""
    r = geodetic_to_ecef(np.full((2, 5), 0.4), np.linspace(-3, 3, 5), 1e5)
    lat, lon, alt = ecef_to_geodetic(r)
    assert lat.shape == lon.shape == alt.shape == (2, 5)
    assert np.ndim(ecef_to_geodetic(r[0, 0])[0]) == 0


def test_eci_rotations_broadcast_per_time_step() -> None:
    """One rotation per step, shared by all objects: era (T, 1) with r (T, N, 3) -> (T, N, 3)."""
    rng = np.random.default_rng(7)
    r = rng.normal(size=(4, 5, 3)) * 7e6
    v = rng.normal(size=(4, 5, 3)) * 7e3
    era = np.linspace(0.0, 6.0, 4)
    r_eci = ecef_to_eci(r, era[:, None])
    assert r_eci.shape == (4, 5, 3)
    np.testing.assert_allclose(r_eci[2, 3], rotation_z(era[2]) @ r[2, 3], rtol=1e-15, atol=1e-8)
    r2, v2 = ecef_to_eci_state(r, v, era[:, None])
    assert r2.shape == v2.shape == (4, 5, 3)
    r3, v3 = eci_to_ecef_state(r2, v2, era[:, None])
    assert r3.shape == v3.shape == (4, 5, 3)
    assert eci_to_ecef(r_eci, era[:, None]).shape == (4, 5, 3)


def test_enu_broadcasts_over_sites() -> None:
    """Targets (N, 1, 3) seen from M sites (M,) -> (N, M, 3); enu_matrix of (M,) -> (M, 3, 3)."""
    sites_lat = np.radians([10.0, 50.0])
    sites_lon = np.radians([20.0, -60.0])
    targets = geodetic_to_ecef(np.radians([0.0, 30.0, 60.0]), 0.0, 1e5)[:, None, :]
    enu = ecef_to_enu(targets, sites_lat, sites_lon)
    assert enu.shape == (3, 2, 3)
    np.testing.assert_allclose(enu[1, 1], ecef_to_enu(targets[1, 0], sites_lat[1], sites_lon[1]), atol=1e-8)
    assert enu_matrix(sites_lat, sites_lon).shape == (2, 3, 3)
    az, el, rng = enu_to_aer(enu)
    assert az.shape == el.shape == rng.shape == (3, 2)


# --------------------------------------------------------------------------- no input mutation


def test_functions_do_not_mutate_inputs() -> None:
    """Every frame function leaves its array arguments unchanged (bitwise)."""
    rng = np.random.default_rng(3)
    lat = rng.uniform(-1.5, 1.5, 6)
    lon = rng.uniform(-3.0, 3.0, 6)
    alt = rng.uniform(0.0, 1e6, 6)
    r = geodetic_to_ecef(lat, lon, alt)
    v = rng.normal(size=(6, 3)) * 1e3
    era = rng.uniform(0.0, 6.0, 6)
    t = rng.uniform(0.0, 1e5, 6)
    originals = [a.copy() for a in (lat, lon, alt, r, v, era, t)]

    geodetic_to_ecef(lat, lon, alt)
    ecef_to_geodetic(r)
    earth_rotation_angle(t, 2461041.5)
    rotation_z(era)
    ecef_to_eci(r, era)
    eci_to_ecef(r, era)
    ecef_to_eci_state(r, v, era)
    eci_to_ecef_state(r, v, era)
    enu_matrix(lat, lon)
    enu = ecef_to_enu(r, lat[0], lon[0], alt[0])
    enu_copy = enu.copy()
    enu_to_aer(enu)
    great_circle_distance_m(lat, lon, lat[::-1], lon[::-1])

    for before, after in zip(originals, (lat, lon, alt, r, v, era, t), strict=True):
        assert np.array_equal(before, after)
    assert np.array_equal(enu, enu_copy)


def test_outputs_are_float64() -> None:
    """float64 for physics (design.md section 3), even from integer or float32 input."""
    assert geodetic_to_ecef(0, 0, 0).dtype == np.float64
    lat, _, _ = ecef_to_geodetic(np.array([7e6, 0.0, 0.0], dtype=np.float32))
    assert lat.dtype == np.float64
