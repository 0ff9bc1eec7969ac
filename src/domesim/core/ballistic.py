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
  or depressed). With ``P_PITCH_LOCAL`` the elevation is measured from the local horizontal under the
  vehicle instead (up = r/|r|, downrange = the launch downrange axis made horizontal there), which is
  what an orbital insertion needs.
- an optional impulsive burn at ``t_impulse`` changes the inertial velocity by ``dv_impulse`` along
  itself (a fractional-orbit weapon's de-orbit burn).
- ``a_drag``: after thrust ends, ``-rho |v_rel| v_rel / (2 beta)`` with the air co-rotating with the
  Earth and an exponential atmosphere (rho0 = 1.225 kg/m3, H = 8.5 km). During boost, drag and
  gravity-loss effects are folded into the stage delta-v values of the threat class.

Integration: the Dormand-Prince 5(4) pair with step-size control (Dormand & Prince 1980, the method of
``scipy.integrate.solve_ivp(method='RK45')`` with the same ``rtol``/``atol`` error norm), steps clipped
to thrust events so no step straddles a discontinuity. Outputs on the requested times come from the
method's continuous extension (Shampine 1986), so the output grid does not limit the step size.
Impact: the first step ending below the WGS84 ellipsoid is refined by bisection on the continuous
extension. Python allocates the
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
P_T_IMPULSE = 12  # impulsive burn (a de-orbit burn), s after launch (0: none)
P_DV_IMPULSE = 13  # its velocity change along the inertial velocity, m/s (negative: retro)
P_PITCH_LOCAL = (
    14  # 1: pitch measured from the local horizontal (orbital insertion); 0: from the launch horizon
)
P_STAGE0 = 15  # then (ve_m_s, k_per_s, end_s) for each stage
MAX_STAGES = 4
N_PARAMS = P_STAGE0 + 3 * MAX_STAGES

MAX_STEPS = 200_000  # accepted plus rejected steps of one flight: a thirty-minute flight takes a few hundred

PHASE_PRELAUNCH = 0
PHASE_BOOST = 1
PHASE_MIDCOURSE = 2
PHASE_REENTRY = 3
PHASE_IMPACTED = 4
PHASE_POSTBOOST = 5  # set by the payload model: a bus between burnout and its last release

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


_EP2 = E2_EARTH / (1.0 - E2_EARTH)  # second eccentricity squared
_B_EQ = R_EARTH_EQ_M * _B_OVER_A  # semi-minor axis


@nb.njit(cache=True, inline="always")
def geodetic_height(x, y, z):
    """WGS84 geodetic height of an ECEF point (Bowring, two rounds: < 1 mm below 40,000 km)."""
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


@nb.njit(cache=True)
def _store(y, t, to_ecef, era0, row, alt):
    """Write a state into an output row (ECEF with Earth-relative velocity if ``to_ecef``) and its height."""
    if to_ecef:
        theta = era0 + OMEGA_EARTH_RAD_S * t
        c, s = math.cos(theta), math.sin(theta)
        x = c * y[0] + s * y[1]
        yy = -s * y[0] + c * y[1]
        row[0], row[1], row[2] = x, yy, y[2]
        row[3] = c * y[3] + s * y[4] + OMEGA_EARTH_RAD_S * yy
        row[4] = -s * y[3] + c * y[4] - OMEGA_EARTH_RAD_S * x
        row[5] = y[5]
    else:
        for j in range(6):
            row[j] = y[j]
    alt[0] = geodetic_height(row[0], row[1], row[2]) if to_ecef else ellipsoid_altitude(y[0], y[1], y[2])


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
    """Fill ``out`` with d/dt of the state ``y = (r, v)`` (ECI, SI) at ``t`` in segment ``stage``."""
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
            if p[P_PITCH_LOCAL] > 0.0:  # insertion: pitch over early, then fly near the local horizontal
                frac = 1.0 - (1.0 - frac) ** 3
            theta = 0.5 * math.pi + (p[P_THETA_END] - 0.5 * math.pi) * frac
        c = math.cos(theta) * accel
        s = math.sin(theta) * accel
        ux, uy, uz = p[P_UP], p[P_UP + 1], p[P_UP + 2]
        dx, dy, dz = p[P_DOWNRANGE], p[P_DOWNRANGE + 1], p[P_DOWNRANGE + 2]
        if p[P_PITCH_LOCAL] > 0.0:
            ux, uy, uz = x / r, yy / r, z / r
            along = dx * ux + dy * uy + dz * uz
            dx, dy, dz = dx - along * ux, dy - along * uy, dz - along * uz
            norm = math.sqrt(dx * dx + dy * dy + dz * dz)
            dx, dy, dz = dx / norm, dy / norm, dz / norm
        ax += c * dx + s * ux
        ay += c * dy + s * uy
        az += c * dz + s * uz
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


# Dormand-Prince 5(4) tableau, error weights and continuous-extension coefficients (as in SciPy's RK45).
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0])
_A = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [1 / 5, 0.0, 0.0, 0.0, 0.0],
        [3 / 40, 9 / 40, 0.0, 0.0, 0.0],
        [44 / 45, -56 / 15, 32 / 9, 0.0, 0.0],
        [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0.0],
        [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    ]
)
_B = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
_E = np.array([-71 / 57600, 0.0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])
_P = np.array(
    [
        [1.0, -2.8535800653862835, 3.0717434641059005, -1.1270175653862835],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 4.023133379230305, -6.249321565289, 2.675424484351598],
        [0.0, -3.7324019615885042, 10.068970589843675, -5.685526961588504],
        [0.0, 2.5548038301849423, -6.399112377351017, 3.5219323679207912],
        [0.0, -1.3744241142186024, 3.272657752246729, -1.7672812570757455],
        [0.0, 1.3824689317781436, -3.764937863556287, 2.382468931778144],
    ]
)


@nb.njit(cache=True)
def _dp5_step(t, h, y, p, stage, k, y_new, tmp):
    """One Dormand-Prince step from (t, y); ``k[0]`` holds f(t, y). Fills ``k[1:7]`` and ``y_new``.

    Returns the RMS error estimate (not yet scaled by the tolerances, per component in ``tmp``).
    """
    for i in range(1, 6):
        for j in range(6):
            acc = 0.0
            for m in range(i):
                acc += _A[i, m] * k[m, j]
            tmp[j] = y[j] + h * acc
        _derivative(t + _C[i] * h, tmp, p, stage, k[i])
    for j in range(6):
        acc = 0.0
        for m in range(6):
            acc += _B[m] * k[m, j]
        y_new[j] = y[j] + h * acc
    _derivative(t + h, y_new, p, stage, k[6])
    for j in range(6):
        acc = 0.0
        for m in range(7):
            acc += _E[m] * k[m, j]
        tmp[j] = h * acc


@nb.njit(cache=True)
def _dense(y, h, k, theta, out):
    """Continuous extension: the state at ``t + theta h`` inside an accepted step."""
    t2 = theta * theta
    t3 = t2 * theta
    t4 = t3 * theta
    for j in range(6):
        acc = 0.0
        for m in range(7):
            acc += k[m, j] * (_P[m, 0] * theta + _P[m, 1] * t2 + _P[m, 2] * t3 + _P[m, 3] * t4)
        out[j] = y[j] + h * acc


@nb.njit(cache=True)
def _next_event(t_rel, p):
    """Time (after launch) of the next thrust discontinuity after ``t_rel``, or +inf.

    An event less than 1 ns ahead counts as reached: ``t`` is an absolute time, and the rounding of
    ``t0 + t_rel`` can leave it a few ulps short of an event it was clipped to, where a step of that
    size would not move ``t`` at all.
    """
    t_cut = p[P_T_CUT]
    t_imp = p[P_T_IMPULSE]
    if t_rel >= t_cut - 1e-9:
        return t_imp if t_imp > t_rel + 1e-9 else np.inf
    if p[P_T_VERT] > t_rel + 1e-9:
        return min(p[P_T_VERT], t_cut)
    for i in range(int(p[P_N_STAGES])):
        end = p[P_STAGE0 + 3 * i + 2]
        if end > t_rel + 1e-9:
            return min(end, t_cut)
    return t_cut


@nb.njit(cache=True)
def _ground_crossing(y, h, k, tmp):
    """Fraction of an accepted step at which the continuous extension crosses the ellipsoid (bisection)."""
    lo, hi = 0.0, 1.0
    for _ in range(48):  # 2^-48 of a step: far below a millimetre
        mid = 0.5 * (lo + hi)
        _dense(y, h, k, mid, tmp)
        if ellipsoid_altitude(tmp[0], tmp[1], tmp[2]) > 0.0:
            lo = mid
        else:
            hi = mid
    return hi


@nb.njit(cache=True)
def _phase(y, t_rel, t_cut, descending):
    """Phase code of a flying state (boost, midcourse, re-entry) and the updated 'has descended' flag."""
    if t_rel < t_cut:
        return PHASE_BOOST, descending
    descending = descending or (y[0] * y[3] + y[1] * y[4] + y[2] * y[5]) < 0.0
    below = ellipsoid_altitude(y[0], y[1], y[2]) < REENTRY_ALT_M
    return (PHASE_REENTRY if (descending and below) else PHASE_MIDCOURSE), descending


@nb.njit(cache=True)
def _fly_one(
    y0, p, t_out, rtol, atol, h_max, to_ecef, era0, state_out, alt_out, phase_out, impact_state, burnout_state
):
    """Fly one object from ``y0`` at ``p[P_T0]``; fill the rows of ``t_out`` (NaN before launch and
    after impact). Returns (status, impact_time)."""
    y = y0.copy()
    y_new = np.empty(6)
    tmp = np.empty(6)
    k = np.empty((7, 6))
    t0 = p[P_T0]
    n_stages = int(p[P_N_STAGES])
    last_end = p[P_STAGE0 + 3 * (n_stages - 1) + 2] if n_stages > 0 else 0.0
    t_cut = min(p[P_T_CUT], last_end)  # thrust cannot outlast the propellant
    t = t0
    status = STATUS_FLYING
    t_impact = np.nan
    descending = False
    n_out = t_out.shape[0]
    i = 0
    while i < n_out and t_out[i] < t0 - 1e-9:  # before launch
        for j in range(6):
            state_out[i, j] = np.nan
        alt_out[i] = np.nan
        phase_out[i] = PHASE_PRELAUNCH
        i += 1
    while i < n_out and t_out[i] <= t0 + 1e-9:  # at launch
        _store(y, t_out[i], to_ecef, era0, state_out[i], alt_out[i:])
        phase_out[i] = PHASE_BOOST if t_cut > 0.0 else PHASE_MIDCOURSE
        i += 1
    if t_cut <= 0.0:
        for j in range(6):
            burnout_state[j] = y[j]
    h = 1.0
    k_valid = False
    t_end = t_out[n_out - 1] if n_out > 0 else t0
    n_steps = 0
    while t < t_end - 1e-9 and status == STATUS_FLYING:
        n_steps += 1
        if n_steps > MAX_STEPS or h < 1e-9:  # no progress: report a failure instead of looping
            status = STATUS_DIVERGED
            break
        t_rel = t - t0
        event = _next_event(t_rel, p)
        h_step = min(h, h_max, t_end - t)
        hits_event = event - t_rel <= h_step
        if hits_event:
            h_step = event - t_rel
        stage = _segment(t_rel + 0.5 * h_step, p)
        if not k_valid:
            _derivative(t, y, p, stage, k[0])
        _dp5_step(t, h_step, y, p, stage, k, y_new, tmp)
        err = 0.0
        for j in range(6):
            scale = atol + rtol * max(abs(y[j]), abs(y_new[j]))
            err += (tmp[j] / scale) ** 2
        err = math.sqrt(err / 6.0)
        if not math.isfinite(err):
            status = STATUS_DIVERGED
            break
        if err > 1.0:  # reject: shrink and retry (k[0] is still f(t, y) in the same segment)
            h = h_step * max(0.2, 0.9 * err**-0.2)
            k_valid = True
            continue
        t_next = t + h_step
        impact_theta = 2.0
        airborne = t_next - t0 > max(p[P_T_VERT], 1.0)  # the pad itself is at zero height
        if airborne and ellipsoid_altitude(y_new[0], y_new[1], y_new[2]) < 0.0:
            impact_theta = _ground_crossing(y, h_step, k, tmp)
            t_impact = t + impact_theta * h_step
            _dense(y, h_step, k, impact_theta, impact_state)
            status = STATUS_IMPACTED
        while i < n_out and t_out[i] <= t_next + 1e-9:  # outputs inside this step
            theta = (t_out[i] - t) / h_step
            if theta > impact_theta:
                break
            _dense(y, h_step, k, theta, tmp)
            phase_out[i], descending = _phase(tmp, t_out[i] - t0, t_cut, descending)
            _store(tmp, t_out[i], to_ecef, era0, state_out[i], alt_out[i:])
            i += 1
        if status != STATUS_FLYING:
            break
        if t - t0 < t_cut - 1e-9 and t_cut <= t_next - t0 + 1e-9:  # once, on the step that reaches it
            for j in range(6):
                burnout_state[j] = y_new[j]
        for j in range(6):
            y[j] = y_new[j]
            k[0, j] = k[6, j]  # first-same-as-last, unless a thrust event changes the derivative
        k_valid = not hits_event
        if hits_event and p[P_T_IMPULSE] > 0.0 and abs(t_next - t0 - p[P_T_IMPULSE]) < 1e-6:
            speed = math.sqrt(y[3] * y[3] + y[4] * y[4] + y[5] * y[5])
            for j in range(3, 6):
                y[j] += p[P_DV_IMPULSE] * y[j] / speed
        t = t_next
        h = h_step * (10.0 if err == 0.0 else min(10.0, 0.9 * err**-0.2))
    while i < n_out:  # after impact (or after a failure)
        for j in range(6):
            state_out[i, j] = np.nan
        alt_out[i] = np.nan
        phase_out[i] = PHASE_IMPACTED if status == STATUS_IMPACTED else PHASE_PRELAUNCH
        i += 1
    return status, t_impact


@nb.njit(cache=True, parallel=True)
def fly_batch(
    y0,
    params,
    t_out,
    rtol,
    atol,
    h_max,
    to_ecef,
    era0,
    state_out,
    alt_out,
    phase_out,
    impact_state,
    burnout_state,
    status,
    t_impact,
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
    rtol, atol : float
        Relative and absolute error tolerances (SciPy's RMS norm over the six components, SI units).
    h_max : float
        Largest step, s.
    to_ecef : bool
        Write ``state_out`` in ECEF (Earth-relative velocity) with the Earth Rotation Angle
        ``era0 + omega t`` (``era0`` at t = 0), instead of ECI.
    era0 : float
        Earth Rotation Angle at t = 0, rad.
    state_out : (B, T, 6) float64, filled
        State at ``t_out`` (ECI, or ECEF with ``to_ecef``); NaN before launch and after impact.
    alt_out : (B, T) float64, filled
        Height above the WGS84 ellipsoid, m (geodetic with ``to_ecef``, radial otherwise).
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
            rtol,
            atol,
            h_max,
            to_ecef,
            era0,
            state_out[b],
            alt_out[b],
            phase_out[b],
            impact_state[b],
            burnout_state[b],
        )
        status[b] = s
        t_impact[b] = ti


def allocate_and_fly(y0, params, t_out, rtol=1e-8, atol=1e-3, h_max=60.0, era0=None):
    """Allocate the outputs and run :func:`fly_batch`.

    With ``era0`` (Earth Rotation Angle at t = 0, rad) the states come out in ECEF, else in ECI.
    Returns (state, phase, impact_state, burnout_state, status, t_impact); ECEF outputs also
    return the geodetic height as a seventh item.

    >>> import numpy as np
    >>> from domesim.core.constants import R_EARTH_EQ_M
    >>> y0 = np.array([[R_EARTH_EQ_M + 200e3, 0, 0, 0, 7000.0, 0]])
    >>> p = np.zeros((1, N_PARAMS))
    >>> state, phase, impact, burnout, status, t_imp = allocate_and_fly(  # doctest: +SKIP
    ...     y0, p, np.array([0.0, 60.0]))
    >>> state.shape, int(status[0])  # doctest: +SKIP
    ((1, 2, 6), 0)
    """
    y0 = np.ascontiguousarray(y0, dtype=np.float64)
    params = np.ascontiguousarray(params, dtype=np.float64)
    t_out = np.ascontiguousarray(t_out, dtype=np.float64)
    b, t = y0.shape[0], t_out.shape[0]
    if y0.shape != (b, 6) or params.shape != (b, N_PARAMS):
        raise ValueError(f"y0 must be (B, 6) and params (B, {N_PARAMS}); got {y0.shape} and {params.shape}")
    state = np.empty((b, t, 6))
    alt = np.empty((b, t))
    phase = np.empty((b, t), dtype=np.int8)
    impact_state = np.empty((b, 6))
    burnout_state = np.empty((b, 6))
    status = np.empty(b, dtype=np.int8)
    t_impact = np.empty(b)
    fly_batch(
        y0,
        params,
        t_out,
        float(rtol),
        float(atol),
        float(h_max),
        era0 is not None,
        float(era0 or 0.0),
        state,
        alt,
        phase,
        impact_state,
        burnout_state,
        status,
        t_impact,
    )
    if era0 is not None:
        return state, phase, impact_state, burnout_state, status, t_impact, alt
    return state, phase, impact_state, burnout_state, status, t_impact
