"""Batched Kepler + J2 secular propagation of mean orbital elements (numba).

Elements are mean elements at ``t = 0`` in one inertial frame (the frame of the input: domesim's
``eci`` for constellations built here, TEME for elements taken from a TLE), stored per satellite as
the rows of an ``(S, 6)`` array::

    [a_m, e, i_rad, raan_rad, argp_rad, mean_anomaly_rad]

Only the secular effect of J2 is modelled (Vallado, *Fundamentals of Astrodynamics and
Applications*, 4th ed., eqs. 9-41): with ``p = a (1 - e^2)`` and ``n = sqrt(mu / a^3)``::

    dRAAN/dt = -3/2 n J2 (R/p)^2 cos i
    dargp/dt =  3/4 n J2 (R/p)^2 (5 cos^2 i - 1)
    dM/dt    =  n + 3/4 n J2 (R/p)^2 sqrt(1 - e^2) (3 cos^2 i - 1)

Short-period J2 terms (about 10 km in LEO) and drag are neglected: the error budget against SGP4 is
stated and measured in ``tests/validation/test_orbits_sgp4.py``. For a constellation study
(coverage, interceptor reach of hundreds of km) that error is negligible.

Circular orbits (``e = 0``) on a uniform time grid use a rotation recurrence (4 multiply-adds per
angle per step, re-seeded from sin/cos every :data:`RESEED_STEPS` steps to bound round-off).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from domesim.core.constants import GM_EARTH_M3_S2, J2_EARTH, R_EARTH_EQ_M

RESEED_STEPS = 64


@nb.njit(cache=True)
def secular_rates(a_m, e, inc_rad):
    """(dRAAN/dt, dargp/dt, dM/dt) in rad/s for mean elements (module equations).

    >>> raan_dot, argp_dot, m_dot = secular_rates(7078137.0, 0.0, math.radians(98.19))
    >>> round(math.degrees(raan_dot) * 86400 * 365.2422, 1)  # sun-synchronous: about +360 deg/yr
    360.1
    """
    n = math.sqrt(GM_EARTH_M3_S2 / a_m**3)
    p = a_m * (1.0 - e * e)
    k = n * J2_EARTH * (R_EARTH_EQ_M / p) ** 2
    c = math.cos(inc_rad)
    m_dot = n + 0.75 * k * math.sqrt(1.0 - e * e) * (3.0 * c * c - 1.0)
    return -1.5 * k * c, 0.75 * k * (5.0 * c * c - 1.0), m_dot


@nb.njit(cache=True)
def element_rates(elements):
    """Secular rates (S, 3) [dRAAN/dt, dargp/dt, dM/dt], rad/s, of elements (S, 6)."""
    rates = np.empty((elements.shape[0], 3))
    for s in range(elements.shape[0]):
        rates[s, 0], rates[s, 1], rates[s, 2] = secular_rates(elements[s, 0], elements[s, 1], elements[s, 2])
    return rates


@nb.njit(cache=True)
def _eccentric_anomaly(m, e):
    """Solve Kepler's equation E - e sin E = M by Newton's method (|dE| < 1e-14)."""
    m = m % (2.0 * math.pi)
    big_e = m if e < 0.8 else math.pi
    for _ in range(30):
        f = big_e - e * math.sin(big_e) - m
        step = f / (1.0 - e * math.cos(big_e))
        big_e -= step
        if abs(step) < 1e-14:
            break
    return big_e


@nb.njit(cache=True)
def state_at(el, rate, t, r_out, v_out):
    """Fill position ``r_out`` (3,) m and velocity ``v_out`` (3,) m/s at time ``t`` s of one satellite.

    ``el`` is one element row (6,), ``rate`` its secular rates (3,); output in the elements' frame.
    """
    a, e, inc = el[0], el[1], el[2]
    raan = el[3] + rate[0] * t
    argp = el[4] + rate[1] * t
    m = el[5] + rate[2] * t
    if e == 0.0:
        u = argp + m
        cu, su = math.cos(u), math.sin(u)
        x, y = a * cu, a * su  # in the orbit plane, from the ascending node
        u_dot = rate[1] + rate[2]
        vx, vy = -a * u_dot * su, a * u_dot * cu
    else:
        big_e = _eccentric_anomaly(m, e)
        ce, se = math.cos(big_e), math.sin(big_e)
        b = a * math.sqrt(1.0 - e * e)
        px, py = a * (ce - e), b * se  # perifocal
        e_dot = rate[2] / (1.0 - e * ce)
        pvx, pvy = -a * se * e_dot, b * ce * e_dot
        cw, sw = math.cos(argp), math.sin(argp)
        x, y = cw * px - sw * py, sw * px + cw * py  # rotate by the argument of perigee
        vx = cw * pvx - sw * pvy - rate[1] * y  # plus the apsidal rotation omega_dot z_orbit x r
        vy = sw * pvx + cw * pvy + rate[1] * x
    co, so = math.cos(raan), math.sin(raan)
    ci, si = math.cos(inc), math.sin(inc)
    r_out[0] = co * x - so * ci * y
    r_out[1] = so * x + co * ci * y
    r_out[2] = si * y
    v_out[0] = co * vx - so * ci * vy - rate[0] * r_out[1]  # plus the nodal rotation raan_dot z x r
    v_out[1] = so * vx + co * ci * vy + rate[0] * r_out[0]
    v_out[2] = si * vy


@nb.njit(cache=True, parallel=True)
def _propagate_general(elements, rates, t_s, r_out, v_out):
    for s in nb.prange(elements.shape[0]):
        for k in range(t_s.size):
            state_at(elements[s], rates[s], t_s[k], r_out[s, k], v_out[s, k])


@nb.njit(cache=True, parallel=True, fastmath=True)
def _propagate_uniform(elements, rates, t0, dt, r_out, v_out):
    """t_k = t0 + k dt. Circular orbits: both angles (u and RAAN) advance by fixed increments."""
    n_steps = r_out.shape[1]
    for s in nb.prange(elements.shape[0]):
        if elements[s, 1] != 0.0:  # eccentric: Kepler's equation at every step
            for k in range(n_steps):
                state_at(elements[s], rates[s], t0 + k * dt, r_out[s, k], v_out[s, k])
            continue
        a, ci, si = elements[s, 0], math.cos(elements[s, 2]), math.sin(elements[s, 2])
        u_dot = rates[s, 1] + rates[s, 2]
        cdu, sdu = math.cos(u_dot * dt), math.sin(u_dot * dt)
        cdo, sdo = math.cos(rates[s, 0] * dt), math.sin(rates[s, 0] * dt)
        cu = su = co = so = 0.0
        for k in range(n_steps):
            if k % RESEED_STEPS == 0:
                t = t0 + k * dt
                u = elements[s, 4] + elements[s, 5] + u_dot * t
                raan = elements[s, 3] + rates[s, 0] * t
                cu, su, co, so = math.cos(u), math.sin(u), math.cos(raan), math.sin(raan)
            x, y = a * cu, a * su
            vx, vy = -u_dot * y, u_dot * x
            rx = co * x - so * ci * y
            ry = so * x + co * ci * y
            r_out[s, k, 0] = rx
            r_out[s, k, 1] = ry
            r_out[s, k, 2] = si * y
            v_out[s, k, 0] = co * vx - so * ci * vy - rates[s, 0] * ry
            v_out[s, k, 1] = so * vx + co * ci * vy + rates[s, 0] * rx
            v_out[s, k, 2] = si * vy
            cu, su = cu * cdu - su * sdu, su * cdu + cu * sdu
            co, so = co * cdo - so * sdo, so * cdo + co * sdo


def propagate(
    elements: np.ndarray, t_s: np.ndarray, r_out: np.ndarray | None = None, v_out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Positions and velocities of every satellite at every time, in the elements' inertial frame.

    Parameters
    ----------
    elements : (S, 6) mean elements at t = 0 (module docstring), SI units and radians.
    t_s : (T,) times, s.
    r_out, v_out : optional (S, T, 3) float64 buffers to fill (reuse them between calls: writing
        fresh pages costs more than the arithmetic).

    Returns
    -------
    r, v : (S, T, 3) position, m, and velocity, m/s.

    >>> el = np.array([[7078137.0, 0.0, 0.9, 0.0, 0.0, 0.0]])
    >>> r, v = propagate(el, np.array([0.0, 60.0]))  # doctest: +SKIP
    >>> round(float(np.linalg.norm(r[0, 1])), 3), round(float(np.linalg.norm(v[0, 1])), 1)  # doctest: +SKIP
    (7078137.0, 7505.9)
    """
    elements = np.ascontiguousarray(elements, dtype=np.float64).reshape(-1, 6)
    t_s = np.ascontiguousarray(t_s, dtype=np.float64).reshape(-1)
    shape = (elements.shape[0], t_s.size, 3)
    r_out = np.empty(shape) if r_out is None else r_out
    v_out = np.empty(shape) if v_out is None else v_out
    if r_out.shape != shape or v_out.shape != shape:
        raise ValueError(f"output buffers must have shape {shape}")
    bad = ~((elements[:, 0] > 0.0) & (elements[:, 1] >= 0.0) & (elements[:, 1] < 1.0))
    if bad.any():
        raise ValueError(f"element row {int(np.argmax(bad))}: need a > 0 and 0 <= e < 1 (closed orbits)")
    rates = element_rates(elements)
    steps = np.diff(t_s)
    uniform = t_s.size > 1 and np.allclose(steps, steps[0], rtol=0.0, atol=1e-9 * max(1.0, abs(steps[0])))
    if uniform:
        _propagate_uniform(elements, rates, t_s[0], steps[0], r_out, v_out)
    else:
        _propagate_general(elements, rates, t_s, r_out, v_out)
    return r_out, v_out
