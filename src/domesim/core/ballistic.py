"""Batched flight of powered and ballistic objects: staged boost, coast and re-entry. numba kernels.

Dynamics, in the ECI frame of :mod:`domesim.core.frames` (SI units)::

    r'' = g_J2(r) + a_thrust(t) u(t) + a_drag(r, r')

- ``g_J2``: point mass plus the J2 zonal term (Vallado, *Fundamentals of Astrodynamics*, 4th ed., eq. 8-30).
- ``a_thrust``: stage ``i`` burns from ``start_i`` to ``end_i`` with exhaust velocity ``ve_i`` and mass
  flow fraction ``k_i = (1 - 1/MR_i) / tb_i``, so ``a = ve_i k_i / (1 - k_i (t - start_i))``
  (rocket equation: thrust ``ve mdot`` over the falling mass). Thrust stops at ``t_cut``
  (thrust termination), which the targeting solver uses to set the range.
- ``u(t)``: the attitude program, fixed in the inertial frame of the launch site's East-North-Up
  axes at lift-off: vertical until ``t_vert``, then the elevation above the launch horizon falls
  linearly from 90 deg to ``theta_end`` at ``t_cut``, in the plane of the launch azimuth. The end
  pitch sets the burnout flight-path angle (the targeting solver picks it: minimum energy, lofted
  or depressed).
- ``a_drag``: after thrust ends, ``-rho |v_rel| v_rel / (2 beta)`` with the air co-rotating with the
  Earth and an exponential atmosphere (rho0 = 1.225 kg/m3, H = 8.5 km). During boost, drag and
  gravity-loss effects are folded into the stage delta-v values of the threat class.

Integration: classical RK4 with steps clipped to stage events and to the requested output times
(``h_boost`` while thrusting, ``h_coast`` after). Impact: the first step ending below the WGS84
ellipsoid is refined by cubic Hermite interpolation of the position. Python allocates the
outputs, the kernels fill them; failures are a status code plus NaN rows, never an exception.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from domesim.core.constants import (
    E2_EARTH,
    GM_EARTH_M3_S2,
    J2_EARTH,
    OMEGA_EARTH_RAD_S,
    R_EARTH_EQ_M,
    RHO0_KG_M3,
    SCALE_HEIGHT_M,
)

# Layout of the per-trajectory parameter rows (structure of arrays packed in one (B, P) table).
P_T0 = 0  # launch (or release) time, s since epoch
P_BETA = 1  # ballistic coefficient after thrust ends, kg/m2 (0: no drag)
P_T_VERT = 2  # end of the vertical rise, s after launch
P_THETA_END = 3  # elevation of the thrust axis at t_cut, rad
P_T_CUT = 4  # thrust termination, s after launch (0: unpowered)
P_UP = 5  # 3 components: launch-site up unit vector, ECI at launch
P_DOWNRANGE = 8  # 3 components: launch-site horizontal unit vector along the launch azimuth
P_N_STAGES = 11
P_STAGE0 = 12  # then (ve_m_s, k_per_s, end_s) for each stage
MAX_STAGES = 4
N_PARAMS = P_STAGE0 + 3 * MAX_STAGES

PHASE_PRELAUNCH = 0
PHASE_BOOST = 1
PHASE_MIDCOURSE = 2
PHASE_REENTRY = 3
PHASE_IMPACTED = 4

STATUS_FLYING = 0  # still above ground at the last output time
STATUS_IMPACTED = 1
STATUS_DIVERGED = 2  # non-finite state (e.g. absurd parameters)

REENTRY_ALT_M = 100e3  # conventional top of the sensible atmosphere (Karman line)
_DRAG_CEILING_M = 300e3  # exp(-300/8.5) ~ 5e-16: drag above this is skipped
_B_OVER_A = math.sqrt(1.0 - E2_EARTH)


@nb.njit(cache=True, inline="always")
def ellipsoid_altitude(x, y, z):
    """Height above the WGS84 ellipsoid measured along the radius (< 10 m from geodetic below 1,000 km)."""
    r = math.sqrt(x * x + y * y + z * z)
    s2 = (z / r) ** 2
    return r - R_EARTH_EQ_M * _B_OVER_A / math.sqrt(1.0 - E2_EARTH * (1.0 - s2))


@nb.njit(cache=True)
def _segment(t_rel, p):
    """Index of the stage burning at ``t_rel`` s after launch, or -1 when unpowered.

    A step never straddles a thrust event (steps are clipped to them), so the segment is chosen
    once per step from its midpoint: this keeps the RK4 stages of a step on the same side of a
    discontinuity, whatever the rounding of ``t + h``.
    """
    if t_rel >= p[P_T_CUT]:
        return -1
    for i in range(int(p[P_N_STAGES])):
        if t_rel < p[P_STAGE0 + 3 * i + 2]:
            return i
    return -1


@nb.njit(cache=True)
def _derivative(t, y, p, stage, out):
    """Fill ``out`` with d/dt of the state ``y = (r, v)`` (ECI, SI) at time ``t`` in thrust segment ``stage``."""
    x, yy, z = y[0], y[1], y[2]
    r2 = x * x + yy * yy + z * z
    r = math.sqrt(r2)
    mu_r3 = GM_EARTH_M3_S2 / (r2 * r)
    k = 1.5 * J2_EARTH * R_EARTH_EQ_M * R_EARTH_EQ_M / r2
    z2r2 = z * z / r2
    gxy = -mu_r3 * (1.0 + k * (1.0 - 5.0 * z2r2))
    ax = gxy * x
    ay = gxy * yy
    az = -mu_r3 * (1.0 + k * (3.0 - 5.0 * z2r2)) * z

    if stage >= 0:
        t_rel = t - p[P_T0]
        t_cut = p[P_T_CUT]
        start = p[P_STAGE0 + 3 * (stage - 1) + 2] if stage > 0 else 0.0
        ve = p[P_STAGE0 + 3 * stage]
        kk = p[P_STAGE0 + 3 * stage + 1]
        accel = ve * kk / (1.0 - kk * (t_rel - start))
        t_vert = p[P_T_VERT]
        if t_rel <= t_vert:
            theta = 0.5 * math.pi
        else:
            frac = (t_rel - t_vert) / (t_cut - t_vert)
            theta = 0.5 * math.pi + (p[P_THETA_END] - 0.5 * math.pi) * frac
        c = math.cos(theta) * accel
        s = math.sin(theta) * accel
        ax += c * p[P_DOWNRANGE] + s * p[P_UP]
        ay += c * p[P_DOWNRANGE + 1] + s * p[P_UP + 1]
        az += c * p[P_DOWNRANGE + 2] + s * p[P_UP + 2]
    elif p[P_BETA] > 0.0:
        alt = ellipsoid_altitude(x, yy, z)
        if alt < _DRAG_CEILING_M:
            vrx = y[3] + OMEGA_EARTH_RAD_S * yy  # velocity relative to the co-rotating air
            vry = y[4] - OMEGA_EARTH_RAD_S * x
            vrz = y[5]
            vr = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
            q = -0.5 * RHO0_KG_M3 * math.exp(-alt / SCALE_HEIGHT_M) * vr / p[P_BETA]
            ax += q * vrx
            ay += q * vry
            az += q * vrz
    out[0] = y[3]
    out[1] = y[4]
    out[2] = y[5]
    out[3] = ax
    out[4] = ay
    out[5] = az


@nb.njit(cache=True)
def _rk4_step(t, h, y, p, k1, k2, k3, k4, tmp):
    stage = _segment(t + 0.5 * h - p[P_T0], p)
    _derivative(t, y, p, stage, k1)
    for j in range(6):
        tmp[j] = y[j] + 0.5 * h * k1[j]
    _derivative(t + 0.5 * h, tmp, p, stage, k2)
    for j in range(6):
        tmp[j] = y[j] + 0.5 * h * k2[j]
    _derivative(t + 0.5 * h, tmp, p, stage, k3)
    for j in range(6):
        tmp[j] = y[j] + h * k3[j]
    _derivative(t + h, tmp, p, stage, k4)
    for j in range(6):
        y[j] += h / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])


@nb.njit(cache=True)
def _next_event(t_rel, p):
    """Time (after launch) of the next thrust discontinuity after ``t_rel``, or +inf."""
    t_cut = p[P_T_CUT]
    if t_rel >= t_cut:
        return np.inf
    if p[P_T_VERT] > t_rel + 1e-9:
        return min(p[P_T_VERT], t_cut)
    for i in range(int(p[P_N_STAGES])):
        end = p[P_STAGE0 + 3 * i + 2]
        if end > t_rel + 1e-9:
            return min(end, t_cut)
    return t_cut


@nb.njit(cache=True)
def _hermite_impact(t0, y0, t1, y1):
    """Refine the ground crossing inside [t0, t1] by cubic Hermite interpolation of the position.

    Returns the impact time and writes the interpolated state into ``y1``.
    """
    h = t1 - t0
    lo, hi = 0.0, 1.0
    s = 1.0
    px = py = pz = vx = vy = vz = 0.0
    for _ in range(40):  # bisection on the altitude of the interpolant: 2^-40 of the step
        s = 0.5 * (lo + hi)
        s2 = s * s
        s3 = s2 * s
        h00 = 2 * s3 - 3 * s2 + 1
        h10 = s3 - 2 * s2 + s
        h01 = -2 * s3 + 3 * s2
        h11 = s3 - s2
        px = h00 * y0[0] + h10 * h * y0[3] + h01 * y1[0] + h11 * h * y1[3]
        py = h00 * y0[1] + h10 * h * y0[4] + h01 * y1[1] + h11 * h * y1[4]
        pz = h00 * y0[2] + h10 * h * y0[5] + h01 * y1[2] + h11 * h * y1[5]
        if ellipsoid_altitude(px, py, pz) > 0.0:
            lo = s
        else:
            hi = s
    # Velocity: the derivative of the same Hermite interpolant.
    s2 = s * s
    d00 = (6 * s2 - 6 * s) / h
    d10 = 3 * s2 - 4 * s + 1
    d01 = (-6 * s2 + 6 * s) / h
    d11 = 3 * s2 - 2 * s
    vx = d00 * y0[0] + d10 * y0[3] + d01 * y1[0] + d11 * y1[3]
    vy = d00 * y0[1] + d10 * y0[4] + d01 * y1[1] + d11 * y1[4]
    vz = d00 * y0[2] + d10 * y0[5] + d01 * y1[2] + d11 * y1[5]
    y1[0], y1[1], y1[2], y1[3], y1[4], y1[5] = px, py, pz, vx, vy, vz
    return t0 + s * h


@nb.njit(cache=True)
def _fly_one(y0, p, t_out, h_boost, h_coast, state_out, phase_out, impact_state, burnout_state):
    """Fly one object from ``y0`` at ``p[P_T0]``; fill the rows of ``t_out`` (NaN before launch and
    after impact). Returns (status, impact_time)."""
    y = y0.copy()
    y_prev = np.empty(6)
    k1 = np.empty(6)
    k2 = np.empty(6)
    k3 = np.empty(6)
    k4 = np.empty(6)
    tmp = np.empty(6)
    t0 = p[P_T0]
    t_cut = p[P_T_CUT]
    t = t0
    status = STATUS_FLYING
    t_impact = np.nan
    descending = False
    if t_cut <= 0.0:
        for j in range(6):
            burnout_state[j] = y[j]
    n_out = t_out.shape[0]
    for i in range(n_out):
        target = t_out[i]
        if target < t0:
            for j in range(6):
                state_out[i, j] = np.nan
            phase_out[i] = PHASE_PRELAUNCH
            continue
        if status != STATUS_FLYING:
            for j in range(6):
                state_out[i, j] = np.nan
            phase_out[i] = PHASE_IMPACTED
            continue
        while t < target - 1e-9 and status == STATUS_FLYING:
            t_rel = t - t0
            h = h_boost if t_rel < t_cut else h_coast
            h = min(h, target - t, _next_event(t_rel, p) - t_rel)
            for j in range(6):
                y_prev[j] = y[j]
            _rk4_step(t, h, y, p, k1, k2, k3, k4, tmp)
            t_prev = t
            t = t + h
            if t_prev - t0 < t_cut <= t - t0 + 1e-9:
                for j in range(6):
                    burnout_state[j] = y[j]
            if not (math.isfinite(y[0]) and math.isfinite(y[3])):
                status = STATUS_DIVERGED
                break
            if t - t0 > t_cut and ellipsoid_altitude(y[0], y[1], y[2]) < 0.0:
                t_impact = _hermite_impact(t_prev, y_prev, t, y)
                for j in range(6):
                    impact_state[j] = y[j]
                status = STATUS_IMPACTED
        if status != STATUS_FLYING:
            for j in range(6):
                state_out[i, j] = np.nan
            phase_out[i] = PHASE_IMPACTED
            continue
        for j in range(6):
            state_out[i, j] = y[j]
        if t - t0 < t_cut:
            phase_out[i] = PHASE_BOOST
        else:
            radial_speed = y[0] * y[3] + y[1] * y[4] + y[2] * y[5]
            descending = descending or radial_speed < 0.0
            below = ellipsoid_altitude(y[0], y[1], y[2]) < REENTRY_ALT_M
            phase_out[i] = PHASE_REENTRY if (descending and below) else PHASE_MIDCOURSE
    return status, t_impact


@nb.njit(cache=True, parallel=True)
def fly_batch(
    y0, params, t_out, h_boost, h_coast, state_out, phase_out, impact_state, burnout_state, status, t_impact
):
    """Fly B objects in parallel (one thread works on one object at a time).

    Parameters
    ----------
    y0 : (B, 6) float64
        ECI state at each object's launch time ``params[:, P_T0]``, m and m/s.
    params : (B, N_PARAMS) float64
        Packed per-object parameters (see the ``P_*`` layout above).
    t_out : (T,) float64
        Increasing output times, s since epoch.
    h_boost, h_coast : float
        RK4 step while thrusting and after, s.
    state_out : (B, T, 6) float64, filled
        ECI state at ``t_out``; NaN before launch and after impact.
    phase_out : (B, T) int8, filled
        ``PHASE_*`` code at each output time.
    impact_state : (B, 6) float64, filled
        ECI state at impact (NaN when no impact before ``t_out[-1]``).
    burnout_state : (B, 6) float64, filled
        ECI state at thrust termination (NaN when it comes after ``t_out[-1]``).
    status : (B,) int8, filled
        ``STATUS_*`` code.
    t_impact : (B,) float64, filled
        Impact time, s since epoch (NaN when none).
    """
    for b in nb.prange(y0.shape[0]):
        for j in range(6):
            impact_state[b, j] = np.nan
            burnout_state[b, j] = np.nan
        s, ti = _fly_one(
            y0[b],
            params[b],
            t_out,
            h_boost,
            h_coast,
            state_out[b],
            phase_out[b],
            impact_state[b],
            burnout_state[b],
        )
        status[b] = s
        t_impact[b] = ti


def allocate_and_fly(y0, params, t_out, h_boost=0.5, h_coast=2.0):
    """Allocate the outputs and run :func:`fly_batch`.

    Returns (state, phase, impact_state, burnout_state, status, t_impact).

    >>> import numpy as np
    >>> from domesim.core.constants import R_EARTH_EQ_M
    >>> y0 = np.array([[R_EARTH_EQ_M + 200e3, 0, 0, 0, 7000.0, 0]])
    >>> p = np.zeros((1, N_PARAMS))
    >>> state, phase, impact, burnout, status, t_imp = allocate_and_fly(y0, p, np.array([0.0, 60.0]))
    >>> state.shape, int(status[0])
    ((1, 2, 6), 0)
    """
    y0 = np.ascontiguousarray(y0, dtype=np.float64)
    params = np.ascontiguousarray(params, dtype=np.float64)
    t_out = np.ascontiguousarray(t_out, dtype=np.float64)
    b, t = y0.shape[0], t_out.shape[0]
    state = np.empty((b, t, 6))
    phase = np.empty((b, t), dtype=np.int8)
    impact_state = np.empty((b, 6))
    burnout_state = np.empty((b, 6))
    status = np.empty(b, dtype=np.int8)
    t_impact = np.empty(b)
    fly_batch(
        y0,
        params,
        t_out,
        float(h_boost),
        float(h_coast),
        state,
        phase,
        impact_state,
        burnout_state,
        status,
        t_impact,
    )
    return state, phase, impact_state, burnout_state, status, t_impact
