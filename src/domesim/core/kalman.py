"""Kalman filter steps on one track, for numba loops over batches of tracks (SI units, inertial frame).

State ``x`` (6,) = position (m) and velocity (m/s); covariance ``P`` (6, 6). Everything works in place
on slices of the batch arrays ``(J, 6)`` and ``(J, 6, 6)`` so that a tracker loops over tracks without
allocating.

Motion models
-------------
``cv``: constant velocity driven by white-noise acceleration of spectral density ``q`` (m^2/s^3)::

    F = [[I, dt I], [0, I]]      Q = q [[dt^3/3 I, dt^2/2 I], [dt^2/2 I, dt I]]

``ballistic``: gravity of the point mass plus J2, integrated with RK4 sub-steps of at most 5 s; the
covariance goes through the linearised transition ``F = I + A dt + A^2 dt^2 / 2`` with
``A = [[0, I], [G, 0]]`` and ``G`` the point-mass gravity gradient ``mu / r^3 (3 r r^T / r^2 - I)``
(the J2 part of the gradient is three orders of magnitude smaller and is left out), plus the same
``Q`` (Bar-Shalom, Li and Kirubarajan, *Estimation with Applications to Tracking and Navigation*,
2001, sections 6.2 and 10.3).

Measurement: a position (a radar's range and angles converted to Cartesian, or a stereo fix) with
covariance ``R``: ``H = [I 0]``. The update keeps ``P`` symmetric by construction (see :func:`update`).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from domesim.core.ballistic import gravity_j2
from domesim.core.constants import GM_EARTH_M3_S2, J2_EARTH


@nb.njit(cache=True, inline="always", error_model="numpy")
def _gravity(r, out):
    """Gravity acceleration (point mass + J2) at inertial position ``r`` into ``out``."""
    out[0], out[1], out[2], _ = gravity_j2(r[0], r[1], r[2], J2_EARTH)


@nb.njit(cache=True, error_model="numpy")
def propagate_ballistic(x, dt):
    """Move the state ``x`` (6,) by ``dt`` seconds under gravity (RK4, sub-steps of at most 5 s)."""
    n = max(1, int(math.ceil(abs(dt) / 5.0)))
    h = dt / n
    k1, k2, k3, k4 = np.empty(6), np.empty(6), np.empty(6), np.empty(6)
    tmp = np.empty(6)
    for _ in range(n):
        k1[:3] = x[3:]
        _gravity(x[:3], k1[3:])
        tmp[:] = x + 0.5 * h * k1
        k2[:3] = tmp[3:]
        _gravity(tmp[:3], k2[3:])
        tmp[:] = x + 0.5 * h * k2
        k3[:3] = tmp[3:]
        _gravity(tmp[:3], k3[3:])
        tmp[:] = x + h * k3
        k4[:3] = tmp[3:]
        _gravity(tmp[:3], k4[3:])
        x += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)


@nb.njit(cache=True, error_model="numpy")
def predict(x, P, dt, q, ballistic):
    """Predict one track in place (``ballistic`` True: gravity model, else constant velocity)."""
    if ballistic:
        F = np.eye(6)
        F[0, 3] = F[1, 4] = F[2, 5] = dt
        r = x[:3]
        r2 = r[0] ** 2 + r[1] ** 2 + r[2] ** 2
        g = GM_EARTH_M3_S2 / (r2 * math.sqrt(r2))
        for i in range(3):
            for j in range(3):
                G = g * (3.0 * r[i] * r[j] / r2 - (1.0 if i == j else 0.0))
                # F = I + A dt + A^2 dt^2 / 2 with A = [[0, I], [G, 0]]: A^2 = [[G, 0], [0, G]]
                F[i, j] += 0.5 * dt * dt * G
                F[3 + i, j] += dt * G
                F[3 + i, 3 + j] += 0.5 * dt * dt * G
        propagate_ballistic(x, dt)
        P[:] = F @ P @ F.T
    else:  # F = [[I, dt I], [0, I]] written out: no 6x6 products
        for i in range(3):
            x[i] += dt * x[3 + i]
        for i in range(3):
            for j in range(3):
                pp = P[i, j] + dt * (P[i, 3 + j] + P[3 + i, j]) + dt * dt * P[3 + i, 3 + j]
                pv = P[i, 3 + j] + dt * P[3 + i, 3 + j]
                vp = P[3 + i, j] + dt * P[3 + i, 3 + j]
                P[i, j], P[i, 3 + j], P[3 + i, j] = pp, pv, vp
    a, b, c = q * dt**3 / 3.0, q * dt**2 / 2.0, q * dt
    for i in range(3):
        P[i, i] += a
        P[i, 3 + i] += b
        P[3 + i, i] += b
        P[3 + i, 3 + i] += c


@nb.njit(cache=True, inline="always", error_model="numpy")
def inverse_symmetric3(S, out):
    """Inverse of a symmetric 3x3 matrix (cofactors); returns the determinant."""
    a, b, c = S[0, 0], S[0, 1], S[0, 2]
    d, e, f = S[1, 1], S[1, 2], S[2, 2]
    A = d * f - e * e
    B = c * e - b * f
    C = b * e - c * d
    det = a * A + b * B + c * C
    if not det > 0.0:  # not positive definite (or NaN): the caller treats the pair as unusable
        return 0.0
    out[0, 0] = A / det
    out[0, 1] = out[1, 0] = B / det
    out[0, 2] = out[2, 0] = C / det
    out[1, 1] = (a * f - c * c) / det
    out[1, 2] = out[2, 1] = (b * c - a * e) / det
    out[2, 2] = (a * d - b * b) / det
    return det


@nb.njit(cache=True, error_model="numpy")
def innovation_distance(x, P, z, R):
    """Squared Mahalanobis distance from the track of a position ``z`` (3,) with covariance ``R``."""
    S = P[:3, :3] + R
    Si = np.empty((3, 3))
    if inverse_symmetric3(S, Si) == 0.0:
        return np.inf
    v0, v1, v2 = z[0] - x[0], z[1] - x[1], z[2] - x[2]
    return (
        v0 * (Si[0, 0] * v0 + Si[0, 1] * v1 + Si[0, 2] * v2)
        + v1 * (Si[1, 0] * v0 + Si[1, 1] * v1 + Si[1, 2] * v2)
        + v2 * (Si[2, 0] * v0 + Si[2, 1] * v1 + Si[2, 2] * v2)
    )


@nb.njit(cache=True, error_model="numpy")
def update(x, P, z, R):
    """Kalman update in place with a position measurement (``H = [I 0]``).

    The covariance takes the short form ``P' = P - K H P`` on the upper triangle, mirrored, so ``P``
    stays symmetric by construction. With the optimal gain it equals the Joseph form
    ``(I - KH) P (I - KH)^T + K R K^T`` in exact arithmetic at under half the flops (the Joseph form
    held the batched rate below 10 M updates/s on two cores). ``R`` is the measurement covariance.
    """
    S = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            S[i, j] = P[i, j] + R[i, j]
    Si = np.empty((3, 3))
    if inverse_symmetric3(S, Si) == 0.0:
        return  # a singular innovation covariance: no information to use
    K = np.empty((6, 3))
    for i in range(6):
        p0, p1, p2 = P[i, 0], P[i, 1], P[i, 2]
        for j in range(3):
            K[i, j] = p0 * Si[0, j] + p1 * Si[1, j] + p2 * Si[2, j]
    v0, v1, v2 = z[0] - x[0], z[1] - x[1], z[2] - x[2]
    for i in range(6):
        x[i] += K[i, 0] * v0 + K[i, 1] * v1 + K[i, 2] * v2
    HP = np.empty((3, 6))  # H P = the first three rows, read before any is overwritten
    for i in range(3):
        for j in range(6):
            HP[i, j] = P[i, j]
    for i in range(6):
        for j in range(i, 6):
            v = P[i, j] - (K[i, 0] * HP[0, j] + K[i, 1] * HP[1, j] + K[i, 2] * HP[2, j])
            P[i, j] = v
            P[j, i] = v


def predict_batch(x: np.ndarray, P: np.ndarray, dt: float, q: float, ballistic: bool) -> None:
    """Predict every track of ``x`` (J, 6), ``P`` (J, 6, 6) in place."""
    _predict_batch(x, P, dt, q, ballistic)


@nb.njit(cache=True, parallel=True, error_model="numpy")
def _predict_batch(x, P, dt, q, ballistic):
    for j in nb.prange(x.shape[0]):
        predict(x[j], P[j], dt, q, ballistic)


@nb.njit(cache=True, parallel=True, error_model="numpy")
def predict_update_batch(x, P, z, R, dt, q, ballistic):
    """Predict then update every track j with its measurement z[j] (J, 3), R[j] (J, 3, 3), in place."""
    for j in nb.prange(x.shape[0]):
        predict(x[j], P[j], dt, q, ballistic)
        update(x[j], P[j], z[j], R[j])
