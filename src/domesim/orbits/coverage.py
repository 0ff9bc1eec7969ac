"""Coverage: how many satellites of a constellation see each point, step by step (fused, numba).

A satellite sees a point when the line of sight clears the Earth (a sphere of the equatorial radius
plus ``grazing_alt_m``: the segment-sphere test ``g.d >= 0 or (|g|^2 - R^2)|d|^2 >= (g.d)^2`` with
``d = s - g`` of shared/peer-baselines.md section 3.2, written for a point ``g`` and satellite ``s``),
the slant range is at most ``max_range_m``, and the point is inside the sensor's field of regard
(off-nadir angle at the satellite at most ``field_of_regard_rad``). Satellite positions are computed
a block of steps at a time (:data:`BLOCK_STEPS`) for all points and never stored as ``(S, T, 3)``; the
per-pair test is written without branches over a structure of arrays so that it vectorises.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from domesim.core import kepler
from domesim.core.constants import OMEGA_EARTH_RAD_S, R_EARTH_EQ_M
from domesim.core.frames import eci_to_ecef_xyz


@nb.njit(cache=True, inline="always")
def sees(sx, sy, sz, gx, gy, gz, r_block2, max_range2, cos_for2):
    """Whether a satellite at s sees the point g (both ECEF, m); squared thresholds, no square root."""
    dx, dy, dz = sx - gx, sy - gy, sz - gz
    d2 = dx * dx + dy * dy + dz * dz
    if d2 > max_range2:
        return False
    gd = gx * dx + gy * dy + gz * dz
    if gd < 0.0 and (gx * gx + gy * gy + gz * gz - r_block2) * d2 < gd * gd:
        return False  # the segment dips below the blocking sphere
    # off-nadir angle: cos = (-s).(g - s) / (|s| |g - s|) = (s.d) / (|s| |d|)
    sd = sx * dx + sy * dy + sz * dz
    return sd >= 0.0 and sd * sd >= cos_for2 * (sx * sx + sy * sy + sz * sz) * d2


@nb.njit(cache=True)
def satellites_ecef(elements, rates, t, theta, out):
    """Positions (S, 3) ECEF of every satellite at time ``t`` (inertial -> ECEF by angle ``theta``)."""
    r, v = np.empty(3), np.empty(3)
    c, s = math.cos(theta), math.sin(theta)
    for j in range(elements.shape[0]):
        kepler.state_at(elements[j], rates[j], t, r, v)
        out[j, 0], out[j, 1], out[j, 2] = eci_to_ecef_xyz(c, s, r[0], r[1], r[2])


@nb.njit(cache=True, parallel=True, fastmath=True)
def _block_counts(r_eci, t_s, theta0, points, r_block2, max_range2, cos_for2, counts):
    """Counts for one block of steps: satellites rotated to ECEF, then a branch-free loop that vectorises."""
    n_s, n_k = r_eci.shape[0], r_eci.shape[1]
    n_g = points.shape[0]
    for k in nb.prange(n_k):
        theta = theta0 + OMEGA_EARTH_RAD_S * t_s[k]
        c, s = math.cos(theta), math.sin(theta)
        x, y, z, s2 = np.empty(n_s), np.empty(n_s), np.empty(n_s), np.empty(n_s)  # structure of arrays
        for j in range(n_s):
            x[j], y[j], z[j] = eci_to_ecef_xyz(c, s, r_eci[j, k, 0], r_eci[j, k, 1], r_eci[j, k, 2])
            s2[j] = x[j] * x[j] + y[j] * y[j] + z[j] * z[j]
        for g in range(n_g):
            gx, gy, gz = points[g, 0], points[g, 1], points[g, 2]
            g2 = gx * gx + gy * gy + gz * gz
            total = 0
            for j in range(n_s):
                dx, dy, dz = x[j] - gx, y[j] - gy, z[j] - gz
                d2 = dx * dx + dy * dy + dz * dz
                gd = gx * dx + gy * dy + gz * dz
                sd = s2[j] - (x[j] * gx + y[j] * gy + z[j] * gz)
                ok = (d2 <= max_range2) & ((gd >= 0.0) | ((g2 - r_block2) * d2 >= gd * gd))
                ok = ok & (sd >= 0.0) & (sd * sd >= cos_for2 * s2[j] * d2)
                total += ok
            counts[k, g] = total


BLOCK_STEPS = 64  # steps propagated at a time: (S, 64, 3) positions stay a few tens of MB


def visible_counts(
    elements: np.ndarray,
    points_ecef: np.ndarray,
    t_s: np.ndarray,
    theta0_rad: float,
    max_range_m: float = np.inf,
    field_of_regard_rad: float = math.pi / 2,
    grazing_alt_m: float = 0.0,
) -> np.ndarray:
    """Number of satellites that see each point at each time, shape (T, G).

    Parameters
    ----------
    elements : (S, 6) mean elements at t = 0 (:mod:`domesim.core.kepler`), domesim ``eci`` frame.
    points_ecef : (G, 3) Earth-fixed points, m (on the ground or at altitude).
    t_s : (T,) times since the epoch, s.
    theta0_rad : Earth rotation angle at t = 0.
    max_range_m, field_of_regard_rad : sensor limits (slant range; off-nadir half-angle).
    grazing_alt_m : lines of sight must pass above this height (0: the Earth's surface).

    >>> el = np.array([[R_EARTH_EQ_M + 1000e3, 0.0, 0.0, 0.0, 0.0, 0.0]])
    >>> below, antipode = [R_EARTH_EQ_M, 0.0, 0.0], [-R_EARTH_EQ_M, 0.0, 0.0]
    >>> visible_counts(el, np.array([below, antipode]), np.zeros(1), 0.0).tolist()  # doctest: +SKIP
    [[1, 0]]
    """
    elements = np.ascontiguousarray(elements, dtype=np.float64)
    t_s = np.ascontiguousarray(t_s, dtype=np.float64).reshape(-1)
    counts = np.zeros((t_s.size, len(points_ecef)), dtype=np.int32)
    r_block = R_EARTH_EQ_M + grazing_alt_m
    points = np.ascontiguousarray(points_ecef, dtype=np.float64).reshape(-1, 3)
    max_range2 = max_range_m * max_range_m if np.isfinite(max_range_m) else np.inf
    cos_for2 = math.cos(min(field_of_regard_rad, math.pi / 2)) ** 2
    buffers = np.empty((2, elements.shape[0], min(BLOCK_STEPS, t_s.size), 3))  # reused: fresh pages cost more
    for start in range(0, t_s.size, BLOCK_STEPS):
        block = t_s[start : start + BLOCK_STEPS]
        full = block.size == buffers.shape[2]
        r_eci, _ = kepler.propagate(elements, block, *(buffers if full else (None, None)))
        _block_counts(
            r_eci,
            block,
            float(theta0_rad),
            points,
            r_block * r_block,
            max_range2,
            cos_for2,
            counts[start : start + block.size],
        )
    return counts


def coverage_fraction(counts: np.ndarray, at_least: int) -> np.ndarray:
    """Fraction of the time steps (axis 0) at which a point is seen by at least ``at_least`` satellites."""
    return (counts >= at_least).mean(axis=0)
