"""Reference frames: WGS84 geodetic, ECEF, ECI, and local ENU at a site. Vectorised over (..., 3).

Frames
------
``ecef``
    Earth-centred, Earth-fixed (WGS84 / ITRS; polar motion neglected).
``eci``
    Earth-centred inertial frame obtained from ECEF by the Earth Rotation Angle alone,
    ``r_eci = R3(-ERA) r_ecef``: the Celestial Intermediate Reference System (CIRS) with polar
    motion neglected. Precession and nutation are *not* modelled, so this frame is not GCRS/J2000:
    the two differ by the displacement of the celestial pole by precession-nutation (about 0.15 deg in 2026,
    measured against skyfield's GCRS; the CIO origin of right ascension does not precess). TEME, the
    SGP4 frame, differs more (about 0.33 deg about z: see :mod:`domesim.orbits.tle`).
    Inside a simulation that lasts hours this frame is inertial to better than 1e-9 rad/s, which is
    what the dynamics need.

Error budget of the ECEF <-> ECI rotation for scenario work
-----------------------------------------------------------
- UT1 taken as UTC: |UT1 - UTC| < 0.9 s, i.e. an ERA error < 4.4e-5 rad, < 0.42 km along the
  equator for an Earth-fixed point placed in ECI. Every object in a scenario shares the same
  rotation, so relative geometry (sensor to threat, interceptor to threat) is unaffected.
- Polar motion neglected: < 0.5 arcsec, < 15 m at the surface.
- Geodetic <-> ECEF: exact to < 1 mm (iterated Bowring solution, see tests against pymap3d).

Scalar kernels
--------------
Compiled loops (numba) rotate and measure heights one point at a time with the ``*_xyz`` and height
kernels at the end of this module; they are the one place those rotations and heights are written.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from domesim.core.constants import (
    E2_EARTH,
    OMEGA_EARTH_RAD_S,
    R_EARTH_EQ_M,
    R_EARTH_POLAR_M,
)
from domesim.core.timegrid import earth_rotation_angle  # noqa: F401  (re-exported: frames of time)


def geodetic_to_ecef(lat_rad, lon_rad, alt_m) -> np.ndarray:
    """WGS84 geodetic latitude, longitude and height to ECEF position.

    Parameters
    ----------
    lat_rad, lon_rad : array_like, shape (...)
        Geodetic latitude and longitude, radians.
    alt_m : array_like, shape (...)
        Height above the WGS84 ellipsoid, metres.

    Returns
    -------
    r_ecef : ndarray, shape (..., 3), metres.

    >>> geodetic_to_ecef(0.0, 0.0, 0.0).tolist()
    [6378137.0, 0.0, 0.0]
    """
    lat, lon, alt = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in (lat_rad, lon_rad, alt_m)))
    sin_lat = np.sin(lat)
    n = R_EARTH_EQ_M / np.sqrt(1.0 - E2_EARTH * sin_lat**2)  # prime-vertical radius of curvature
    cos_lat = np.cos(lat)
    x = (n + alt) * cos_lat * np.cos(lon)
    y = (n + alt) * cos_lat * np.sin(lon)
    z = (n * (1.0 - E2_EARTH) + alt) * sin_lat
    return np.stack([x, y, z], axis=-1)


def ecef_to_geodetic(r_ecef) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF position to WGS84 geodetic latitude, longitude (radians) and height (metres).

    Bowring's parametric-latitude iteration, three rounds: converged to < 1 mm from the
    ground to geostationary altitude.

    Parameters
    ----------
    r_ecef : array_like, shape (..., 3), metres.

    >>> lat, lon, alt = ecef_to_geodetic([6378137.0, 0.0, 0.0])
    >>> float(lat), float(lon), round(float(alt), 6)
    (0.0, 0.0, 0.0)
    """
    r = np.asarray(r_ecef, dtype=np.float64)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    a, b = R_EARTH_EQ_M, R_EARTH_POLAR_M
    ep2 = (a * a - b * b) / (b * b)
    p = np.hypot(x, y)
    beta = np.arctan2(a * z, b * p)  # parametric latitude, first guess
    for _ in range(3):
        lat = np.arctan2(z + ep2 * b * np.sin(beta) ** 3, p - E2_EARTH * a * np.cos(beta) ** 3)
        beta = np.arctan2(b * np.sin(lat), a * np.cos(lat))
    sin_lat = np.sin(lat)
    n = a / np.sqrt(1.0 - E2_EARTH * sin_lat**2)
    # Height from the component along the normal: well conditioned at every latitude.
    alt = p * np.cos(lat) + (z + E2_EARTH * n * sin_lat) * sin_lat - n
    lon = np.arctan2(y, x)
    return lat, lon, alt


def rotation_z(angle_rad) -> np.ndarray:
    """Rotation matrices about z by ``angle_rad`` (active), shape (..., 3, 3)."""
    c, s = np.cos(angle_rad), np.sin(angle_rad)
    zero, one = np.zeros_like(c), np.ones_like(c)
    return np.stack(
        [np.stack([c, -s, zero], -1), np.stack([s, c, zero], -1), np.stack([zero, zero, one], -1)], -2
    )


def ecef_to_eci(r_ecef, era_rad) -> np.ndarray:
    """Rotate ECEF positions to ECI: ``r_eci = R3(-ERA) r_ecef``. Shapes (..., 3) and (...)."""
    return np.einsum("...ij,...j->...i", rotation_z(era_rad), r_ecef)


def eci_to_ecef(r_eci, era_rad) -> np.ndarray:
    """Rotate ECI positions to ECEF: ``r_ecef = R3(ERA) r_eci``. Shapes (..., 3) and (...)."""
    return np.einsum("...ji,...j->...i", rotation_z(era_rad), r_eci)


def ecef_to_eci_state(r_ecef, v_ecef, era_rad) -> tuple[np.ndarray, np.ndarray]:
    """ECEF position and Earth-relative velocity to ECI position and inertial velocity.

    ``v_eci = R (v_ecef + omega x r_ecef)`` with omega along z.
    """
    r = np.asarray(r_ecef, dtype=np.float64)
    v = np.asarray(v_ecef, dtype=np.float64)
    omega_cross_r = np.stack(
        [-OMEGA_EARTH_RAD_S * r[..., 1], OMEGA_EARTH_RAD_S * r[..., 0], 0.0 * r[..., 2]], -1
    )
    rot = rotation_z(era_rad)
    return np.einsum("...ij,...j->...i", rot, r), np.einsum("...ij,...j->...i", rot, v + omega_cross_r)


def eci_to_ecef_state(r_eci, v_eci, era_rad) -> tuple[np.ndarray, np.ndarray]:
    """ECI position and inertial velocity to ECEF position and Earth-relative velocity."""
    r = eci_to_ecef(r_eci, era_rad)
    v = eci_to_ecef(v_eci, era_rad)
    omega_cross_r = np.stack(
        [-OMEGA_EARTH_RAD_S * r[..., 1], OMEGA_EARTH_RAD_S * r[..., 0], 0.0 * r[..., 2]], -1
    )
    return r, v - omega_cross_r


def enu_matrix(lat_rad, lon_rad) -> np.ndarray:
    """Rows are the East, North and Up unit vectors in ECEF at a geodetic point, shape (..., 3, 3).

    ``r_enu = M @ (r_ecef - site_ecef)``.
    """
    lat = np.asarray(lat_rad, dtype=np.float64)
    lon = np.asarray(lon_rad, dtype=np.float64)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack([-so, co, np.zeros_like(so)], -1)
    north = np.stack([-sl * co, -sl * so, cl], -1)
    up = np.stack([cl * co, cl * so, sl], -1)
    return np.stack([east, north, up], -2)


def ecef_to_enu(r_ecef, site_lat_rad, site_lon_rad, site_alt_m=0.0) -> np.ndarray:
    """Position relative to a site in its local East-North-Up frame, metres, shape (..., 3)."""
    site = geodetic_to_ecef(site_lat_rad, site_lon_rad, site_alt_m)
    d = np.asarray(r_ecef, dtype=np.float64) - site
    return np.einsum("...ij,...j->...i", enu_matrix(site_lat_rad, site_lon_rad), d)


def enu_to_aer(r_enu) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ENU vector to azimuth (rad, clockwise from north, in [0, 2 pi)), elevation (rad), range (m)."""
    e, n, u = r_enu[..., 0], r_enu[..., 1], r_enu[..., 2]
    horizontal = np.hypot(e, n)
    az = np.arctan2(e, n) % (2.0 * np.pi)
    return az, np.arctan2(u, horizontal), np.hypot(horizontal, u)


def great_circle_distance_m(lat1_rad, lon1_rad, lat2_rad, lon2_rad, radius_m: float = 6371008.8):
    """Great-circle distance on a sphere (haversine), metres. Default radius: IUGG mean."""
    dlat = np.asarray(lat2_rad) - lat1_rad
    dlon = np.asarray(lon2_rad) - lon1_rad
    h = np.sin(dlat / 2) ** 2 + np.cos(lat1_rad) * np.cos(lat2_rad) * np.sin(dlon / 2) ** 2
    return 2.0 * radius_m * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


# Scalar kernels for compiled loops (numba). Components in, components out; ``c, s`` are the cosine and
# sine of the Earth Rotation Angle (computed once by the caller when it rotates many points).


@nb.njit(cache=True, inline="always")
def eci_to_ecef_xyz(c, s, x, y, z):
    """``R3(ERA) (x, y, z)``: ECI components to ECEF (a position; a velocity without the omega x r term)."""
    return c * x + s * y, -s * x + c * y, z


@nb.njit(cache=True, inline="always")
def ecef_to_eci_xyz(c, s, x, y, z):
    """``R3(-ERA) (x, y, z)``: ECEF components to ECI."""
    return c * x - s * y, s * x + c * y, z


@nb.njit(cache=True, inline="always")
def eci_to_ecef_state_row(y, era_rad, omega, row):
    """ECI state ``y`` (6,) to ECEF position and Earth-relative velocity ``row`` (6,):
    ``v_ecef = R3(ERA) v_eci - omega x r_ecef`` (``omega`` rad/s about z)."""
    c, s = math.cos(era_rad), math.sin(era_rad)
    x, yy, z = eci_to_ecef_xyz(c, s, y[0], y[1], y[2])
    vx, vy, vz = eci_to_ecef_xyz(c, s, y[3], y[4], y[5])
    row[0], row[1], row[2] = x, yy, z
    row[3] = vx + omega * yy
    row[4] = vy - omega * x
    row[5] = vz


_B_OVER_A = math.sqrt(1.0 - E2_EARTH)
_EP2 = E2_EARTH / (1.0 - E2_EARTH)  # second eccentricity squared
_B_EQ = R_EARTH_EQ_M * _B_OVER_A  # semi-minor axis


@nb.njit(cache=True, inline="always")
def ellipsoid_altitude(x, y, z):
    """Height above the WGS84 ellipsoid measured along the radius (< 10 m from geodetic below 1,000 km)."""
    r = math.sqrt(x * x + y * y + z * z)
    s2 = (z / r) ** 2
    return r - R_EARTH_EQ_M * _B_OVER_A / math.sqrt(1.0 - E2_EARTH * (1.0 - s2))


@nb.njit(cache=True, inline="always")
def geodetic_height(x, y, z):
    """WGS84 geodetic height of an ECEF point (Bowring, two rounds: < 1 mm below 40,000 km); the scalar
    kernel of :func:`ecef_to_geodetic` (three rounds)."""
    p = math.sqrt(x * x + y * y)
    beta = math.atan2(R_EARTH_EQ_M * z, _B_EQ * p)
    lat = 0.0
    for _ in range(2):
        sb, cb = math.sin(beta), math.cos(beta)
        lat = math.atan2(z + _EP2 * _B_EQ * sb * sb * sb, p - E2_EARTH * R_EARTH_EQ_M * cb * cb * cb)
        beta = math.atan2(_B_EQ * math.sin(lat), R_EARTH_EQ_M * math.cos(lat))
    sl, cl = math.sin(lat), math.cos(lat)
    n = R_EARTH_EQ_M / math.sqrt(1.0 - E2_EARTH * sl * sl)
    return p * cl + (z + E2_EARTH * n * sl) * sl - n


@nb.njit(cache=True, error_model="numpy")
def to_inertial_into(v_ecef, era_rad, out):
    """``out`` (3,) = the ECEF vector ``v_ecef`` (3,) in the inertial frame at Earth rotation angle
    ``era_rad`` (compiled callers; no allocation)."""
    out[0], out[1], out[2] = ecef_to_eci_xyz(
        math.cos(era_rad), math.sin(era_rad), v_ecef[0], v_ecef[1], v_ecef[2]
    )


@nb.njit(cache=True, error_model="numpy")
def to_earth_fixed_into(v_eci, era_rad, out):
    """``out`` (3,) = the inertial vector ``v_eci`` (3,) in ECEF at Earth rotation angle ``era_rad``."""
    out[0], out[1], out[2] = eci_to_ecef_xyz(
        math.cos(era_rad), math.sin(era_rad), v_eci[0], v_eci[1], v_eci[2]
    )


@nb.njit(cache=True, error_model="numpy")
def covariance_to_inertial_into(R_ecef, era_rad, out):
    """``out`` (3, 3) = ``R3(-ERA) R R3(-ERA)^T``: a position covariance from ECEF to the inertial frame,
    column by column then row by row."""
    c, s = math.cos(era_rad), math.sin(era_rad)
    h00, h10, h20 = ecef_to_eci_xyz(c, s, R_ecef[0, 0], R_ecef[1, 0], R_ecef[2, 0])  # column by column
    h01, h11, h21 = ecef_to_eci_xyz(c, s, R_ecef[0, 1], R_ecef[1, 1], R_ecef[2, 1])
    h02, h12, h22 = ecef_to_eci_xyz(c, s, R_ecef[0, 2], R_ecef[1, 2], R_ecef[2, 2])
    out[0, 0], out[0, 1], out[0, 2] = ecef_to_eci_xyz(c, s, h00, h01, h02)  # then row by row
    out[1, 0], out[1, 1], out[1, 2] = ecef_to_eci_xyz(c, s, h10, h11, h12)
    out[2, 0], out[2, 1], out[2, 2] = ecef_to_eci_xyz(c, s, h20, h21, h22)
