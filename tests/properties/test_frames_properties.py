"""Property tests for domesim.core.frames (hypothesis): round trips, orthonormality, ENU at the site,
batch invariance. Each test states its tolerance."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from domesim.core.constants import R_EARTH_EQ_M, R_EARTH_POLAR_M
from domesim.core.frames import (
    ecef_to_eci,
    ecef_to_eci_state,
    ecef_to_enu,
    ecef_to_geodetic,
    eci_to_ecef,
    eci_to_ecef_state,
    enu_matrix,
    enu_to_aer,
    geodetic_to_ecef,
    rotation_z,
)

EPS = np.finfo(np.float64).eps

lats = st.floats(min_value=-math.pi / 2, max_value=math.pi / 2)
lons = st.floats(min_value=-math.pi, max_value=math.pi)
alts = st.floats(min_value=-1e3, max_value=4e7)  # 1 km below the ellipsoid to beyond geostationary
eras = st.floats(min_value=-20.0, max_value=20.0)
coords = st.floats(min_value=-5e7, max_value=5e7)
speeds = st.floats(min_value=-1.2e4, max_value=1.2e4)
vectors = st.tuples(coords, coords, coords)
velocities = st.tuples(speeds, speeds, speeds)


def _angle_diff(a, b):
    """Signed difference a - b wrapped to [-pi, pi)."""
    return (np.asarray(a) - b + math.pi) % (2.0 * math.pi) - math.pi


@given(lat=lats, lon=lons, alt=alts)
def test_geodetic_ecef_round_trip(lat: float, lon: float, alt: float) -> None:
    """geodetic -> ECEF -> geodetic returns the input: height to 1e-6 m, angles to 1e-12 rad."""
    back_lat, back_lon, back_alt = ecef_to_geodetic(geodetic_to_ecef(lat, lon, alt))
    assert abs(float(back_alt) - alt) < 1e-6
    assert abs(float(back_lat) - lat) < 1e-12
    assert abs(float(_angle_diff(back_lon, lon))) < 1e-12


@given(r=vectors, era=eras)
def test_ecef_eci_round_trip(r: tuple, era: float) -> None:
    """ECEF -> ECI -> ECEF is the identity and preserves length, to 8 ulp of |r|."""
    r = np.array(r)
    r_eci = ecef_to_eci(r, era)
    tol = 8 * EPS * max(float(np.linalg.norm(r)), 1.0)
    np.testing.assert_allclose(eci_to_ecef(r_eci, era), r, rtol=0, atol=tol)
    assert abs(np.linalg.norm(r_eci) - np.linalg.norm(r)) <= tol


@given(r=vectors, v=velocities, era=eras)
def test_state_round_trip_with_velocity(r: tuple, v: tuple, era: float) -> None:
    """(r, v) ECEF -> ECI -> ECEF with the omega x r transport term: position to 8 ulp of |r|,
    velocity to 1e-9 m/s (omega |r| <= 6.3 km/s, so a few ulp of that)."""
    r, v = np.array(r), np.array(v)
    r_eci, v_eci = ecef_to_eci_state(r, v, era)
    r_back, v_back = eci_to_ecef_state(r_eci, v_eci, era)
    np.testing.assert_allclose(r_back, r, rtol=0, atol=8 * EPS * max(float(np.linalg.norm(r)), 1.0))
    np.testing.assert_allclose(v_back, v, rtol=0, atol=1e-9)


@given(era=eras)
def test_rotation_z_orthonormal(era: float) -> None:
    """R R^T = I and det R = +1, to 1e-15."""
    rot = rotation_z(era)
    np.testing.assert_allclose(rot @ rot.T, np.eye(3), atol=1e-15)
    assert abs(np.linalg.det(rot) - 1.0) < 1e-15


@given(lat=lats, lon=lons)
def test_enu_matrix_orthonormal_right_handed(lat: float, lon: float) -> None:
    """Rows (east, north, up) are orthonormal and east x north = up, to 1e-15."""
    m = enu_matrix(lat, lon)
    np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-15)
    np.testing.assert_allclose(np.cross(m[0], m[1]), m[2], atol=1e-15)


@given(lat=lats, lon=lons, alt=alts)
def test_enu_of_site_is_zero(lat: float, lon: float, alt: float) -> None:
    """The site itself is at the ENU origin exactly, and 1 km along 'up' reads (0, 0, 1000) to 1e-7 m."""
    site = geodetic_to_ecef(lat, lon, alt)
    assert np.array_equal(ecef_to_enu(site, lat, lon, alt), np.zeros(3))
    above = geodetic_to_ecef(lat, lon, alt + 1000.0)
    np.testing.assert_allclose(ecef_to_enu(above, lat, lon, alt), [0.0, 0.0, 1000.0], atol=1e-7)


@given(lat=lats, lon=lons)
def test_up_is_geodetic_normal(lat: float, lon: float) -> None:
    """'up' is the unit outward normal of the WGS84 ellipsoid, grad(x^2/a^2 + y^2/a^2 + z^2/b^2), at the
    foot point; to 1e-14."""
    x, y, z = geodetic_to_ecef(lat, lon, 0.0)
    normal = np.array([x / R_EARTH_EQ_M**2, y / R_EARTH_EQ_M**2, z / R_EARTH_POLAR_M**2])
    np.testing.assert_allclose(enu_matrix(lat, lon)[2], normal / np.linalg.norm(normal), atol=1e-14)


@given(
    points=st.lists(st.tuples(lats, lons, alts), min_size=1, max_size=8),
    era=eras,
    site=st.tuples(lats, lons, st.floats(min_value=-100.0, max_value=5e3)),
)
def test_batch_equals_item_by_item(points: list, era: float, site: tuple) -> None:
    """A stacked batch gives the item-by-item results. Tolerance 4 ulp of each quantity's scale
    (NumPy's SIMD transcendental loops may round a batch and a single call in the last bit)."""
    lat, lon, alt = (np.array(c) for c in zip(*points, strict=True))
    r = geodetic_to_ecef(lat, lon, alt)
    geo = ecef_to_geodetic(r)
    r_eci = ecef_to_eci(r, era)
    enu = ecef_to_enu(r, *site)
    aer = enu_to_aer(enu)
    for i in range(len(points)):
        r_i = geodetic_to_ecef(lat[i], lon[i], alt[i])
        scale = max(float(np.linalg.norm(r_i)), 1.0)
        np.testing.assert_allclose(r[i], r_i, rtol=0, atol=4 * EPS * scale)
        geo_i = ecef_to_geodetic(r[i])
        np.testing.assert_allclose([g[i] for g in geo[:2]], geo_i[:2], rtol=0, atol=4 * EPS * math.pi)
        np.testing.assert_allclose(geo[2][i], geo_i[2], rtol=0, atol=4 * EPS * scale)
        np.testing.assert_allclose(r_eci[i], ecef_to_eci(r[i], era), rtol=0, atol=4 * EPS * scale)
        enu_i = ecef_to_enu(r[i], *site)
        np.testing.assert_allclose(enu[i], enu_i, rtol=0, atol=4 * EPS * 2 * scale)
        if np.hypot(enu_i[0], enu_i[1]) > 1.0:  # azimuth is defined away from the zenith line
            aer_i = enu_to_aer(enu_i)
            assert abs(float(_angle_diff(aer[0][i], aer_i[0]))) <= 1e-12
            assert abs(aer[1][i] - aer_i[1]) <= 1e-12
            assert abs(aer[2][i] - aer_i[2]) <= 4 * EPS * 2 * scale
