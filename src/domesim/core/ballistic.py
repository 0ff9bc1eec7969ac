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
  from 90 deg to ``theta_end`` at ``t_cut`` as ``1 - (1 - f)^n`` of the way (``f`` the fraction of the
  pitch-over time elapsed, ``n`` the class's pitch exponent: 1 is linear in time, larger turns earlier,
  as a gravity turn does), in the plane of the launch azimuth. The end
  pitch sets the burnout flight-path angle (the targeting solver picks it: minimum energy, lofted
  or depressed). With ``pitch_local`` the elevation is measured from the local horizontal under the
  vehicle instead (up = r/|r|, downrange = the launch downrange axis made horizontal there), which is
  what an orbital insertion needs.
- an optional impulsive burn at ``t_impulse`` changes the inertial velocity by ``dv_impulse`` along
  itself (a fractional-orbit weapon's de-orbit burn).
- ``a_drag``: after thrust ends, ``-rho |v_rel| v_rel / (2 beta)`` with the air co-rotating with the
  Earth and an exponential atmosphere (rho0 = 1.225 kg/m3, H = 8.5 km). During boost, drag and
  gravity-loss effects are folded into the stage delta-v values of the threat class.

Integration: the Dormand-Prince 5(4) pair of :mod:`domesim.core.integrate` (the method of
``scipy.integrate.solve_ivp(method='RK45')`` with the same ``rtol``/``atol`` error norm), steps clipped
to thrust events so no step straddles a discontinuity. Outputs on the requested times come from the
method's continuous extension, so the output grid does not limit the step size.
Impact: the first step ending below the WGS84 ellipsoid is refined by bisection on the continuous
extension. Python allocates the
outputs, the kernels fill them; failures are a status code plus NaN rows, never an exception.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from domesim.core.constants import (
    GM_EARTH_M3_S2,
    J2_EARTH,
    OMEGA_EARTH_RAD_S,
    R_EARTH_EQ_M,
    RHO0_KG_M3,
    SCALE_HEIGHT_M,
)
from domesim.core.frames import eci_to_ecef_state_row, ellipsoid_altitude, geodetic_height
from domesim.core.integrate import MIN_FACTOR, dense, error_norm, make_dp5_step, make_locate, step_factor

MAX_STAGES = 4

# One record per flight: the parameters the kernels read by field name (``p["beta_kg_m2"]``).
PARAMS = np.dtype(
    [
        ("t0_s", np.float64),  # launch (or release) time, s since epoch
        ("beta_kg_m2", np.float64),  # ballistic coefficient after thrust ends, kg/m2 (0: no drag)
        ("t_vert_s", np.float64),  # end of the vertical rise, s after launch
        ("theta_end_rad", np.float64),  # elevation of the thrust axis at t_cut
        ("t_cut_s", np.float64),  # thrust termination, s after launch (0: unpowered)
        ("up_eci", np.float64, (3,)),  # launch-site up unit vector, ECI at launch
        ("downrange_eci", np.float64, (3,)),  # launch-site horizontal unit vector along the launch azimuth
        ("n_stages", np.int64),
        ("t_impulse_s", np.float64),  # impulsive burn (a de-orbit burn), s after launch (0: none)
        ("dv_impulse_m_s", np.float64),  # its velocity change along the inertial velocity (negative: retro)
        (
            "pitch_local",
            np.bool_,
        ),  # pitch from the local horizontal (orbital insertion), else the launch horizon
        ("pitch_exponent", np.float64),  # shape of the pitch-over: 1 linear in time, > 1 turns early
        ("stage_ve_m_s", np.float64, (MAX_STAGES,)),  # exhaust velocity of each stage
        ("stage_k_per_s", np.float64, (MAX_STAGES,)),  # mass-flow fraction (1 - 1/MR) / t_burn of each stage
        ("stage_end_s", np.float64, (MAX_STAGES,)),  # end of each stage's burn, s after launch
    ],
    align=True,
)


def make_records(dtype: np.dtype, shape=1, **fields) -> np.ndarray:
    """Records of ``dtype`` (``shape``), every field 0 but those given (broadcast over the shape).

    The one way the Python side builds the parameters of the flight kernels (:data:`PARAMS` here,
    :data:`domesim.core.glide.PARAMS`); an unknown field name raises ``ValueError``.

    >>> p = make_records(PARAMS, 2, t0_s=[0.0, 10.0], beta_kg_m2=5e3)
    >>> p["t0_s"].tolist(), p["beta_kg_m2"].tolist(), int(p["n_stages"][0])
    ([0.0, 10.0], [5000.0, 5000.0], 0)
    """
    records = np.zeros(shape, dtype=dtype)
    for name, value in fields.items():
        records[name] = value
    return records


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


def check_batch(y0: np.ndarray, params: np.ndarray, dtype: np.dtype) -> None:
    """Raise ``ValueError`` unless ``y0`` is (B, 6) and ``params`` (B,) records of ``dtype``."""
    b = y0.shape[0]
    if y0.shape != (b, 6) or params.shape != (b,) or params.dtype != dtype:
        raise ValueError(
            f"y0 must be (B, 6) and params (B,) records of {dtype}; "
            f"got {y0.shape} and {params.shape} records of {params.dtype}"
        )


@nb.njit(cache=True)
def store_state(y, t, to_ecef, omega, era0, row, alt):
    """Write an ECI state into an output row (ECEF with Earth-relative velocity, the Earth Rotation Angle
    ``era0 + omega t``, if ``to_ecef``) and its height (geodetic in ECEF, radial in ECI) into ``alt[0]``."""
    if to_ecef:
        eci_to_ecef_state_row(y, era0 + omega * t, omega, row)
        alt[0] = geodetic_height(row[0], row[1], row[2])
    else:
        for j in range(6):
            row[j] = y[j]
        alt[0] = ellipsoid_altitude(y[0], y[1], y[2])


@nb.njit(cache=True, inline="always")
def blank_rows(state_out, alt_out, phase_out, start, stop, phase):
    """Rows ``start:stop`` of the outputs with no state (before the start, after impact): NaN, ``phase``."""
    for i in range(start, stop):
        for j in range(6):
            state_out[i, j] = np.nan
        alt_out[i] = np.nan
        phase_out[i] = phase


@nb.njit(cache=True, inline="always")
def gravity_j2(x, y, z, j2):
    """Point mass plus the J2 zonal term (Vallado, 4th ed., eq. 8-30) at an ECI position: (gx, gy, gz, r)."""
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    mu_r3 = GM_EARTH_M3_S2 / (r2 * r)
    k = 1.5 * j2 * R_EARTH_EQ_M * R_EARTH_EQ_M / r2
    z2r2 = z * z / r2
    gxy = -mu_r3 * (1.0 + k * (1.0 - 5.0 * z2r2))
    return gxy * x, gxy * y, -mu_r3 * (1.0 + k * (3.0 - 5.0 * z2r2)) * z, r


@nb.njit(cache=True)
def _segment(t_rel, p):
    """Index of the stage burning at ``t_rel`` s after launch, or -1 when unpowered.

    A step never straddles a thrust event (steps are clipped to them), so the segment is chosen
    once per step from its midpoint: this keeps the RK4 stages of a step on the same side of a
    discontinuity, whatever the rounding of ``t + h``.
    """
    if t_rel >= p["t_cut_s"]:
        return -1
    for i in range(p["n_stages"]):
        if t_rel < p["stage_end_s"][i]:
            return i
    return -1


@nb.njit(cache=True)
def _derivative(t, y, args, out):
    """Fill ``out`` with d/dt of the state ``y = (r, v)`` (ECI, SI) at ``t``; ``args = (p, stage)``: the
    parameter row and the segment (:func:`_segment`)."""
    p, stage = args
    x, yy, z = y[0], y[1], y[2]
    ax, ay, az, r = gravity_j2(x, yy, z, J2_EARTH)

    if stage >= 0:
        t_rel = t - p["t0_s"]
        t_cut = p["t_cut_s"]
        start = p["stage_end_s"][stage - 1] if stage > 0 else 0.0
        ve = p["stage_ve_m_s"][stage]
        kk = p["stage_k_per_s"][stage]
        accel = ve * kk / (1.0 - kk * (t_rel - start))
        t_vert = p["t_vert_s"]
        if t_rel <= t_vert:
            theta = 0.5 * math.pi
        else:
            # the elevation leaves the vertical fastest at the start when the exponent is above 1, as a
            # gravity turn does, and approaches theta_end gently
            n = p["pitch_exponent"] if p["pitch_exponent"] > 0.0 else 1.0  # 0: a record made without it
            frac = 1.0 - (1.0 - (t_rel - t_vert) / (t_cut - t_vert)) ** n
            theta = 0.5 * math.pi + (p["theta_end_rad"] - 0.5 * math.pi) * frac
        c = math.cos(theta) * accel
        s = math.sin(theta) * accel
        ux, uy, uz = p["up_eci"][0], p["up_eci"][1], p["up_eci"][2]
        dx, dy, dz = p["downrange_eci"][0], p["downrange_eci"][1], p["downrange_eci"][2]
        if p["pitch_local"]:
            ux, uy, uz = x / r, yy / r, z / r
            along = dx * ux + dy * uy + dz * uz
            dx, dy, dz = dx - along * ux, dy - along * uy, dz - along * uz
            norm = math.sqrt(dx * dx + dy * dy + dz * dz)
            dx, dy, dz = dx / norm, dy / norm, dz / norm
        ax += c * dx + s * ux
        ay += c * dy + s * uy
        az += c * dz + s * uz
    elif p["beta_kg_m2"] > 0.0:
        alt = ellipsoid_altitude(x, yy, z)
        if alt < _DRAG_CEILING_M:
            vrx = y[3] + OMEGA_EARTH_RAD_S * yy  # velocity relative to the co-rotating air
            vry = y[4] - OMEGA_EARTH_RAD_S * x
            vrz = y[5]
            vr = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
            q = -0.5 * RHO0_KG_M3 * math.exp(-alt / SCALE_HEIGHT_M) * vr / p["beta_kg_m2"]
            ax += q * vrx
            ay += q * vry
            az += q * vrz
    out[0] = y[3]
    out[1] = y[4]
    out[2] = y[5]
    out[3] = ax
    out[4] = ay
    out[5] = az


_dp5_step = make_dp5_step(_derivative)


@nb.njit(cache=True)
def _next_event(t_rel, p):
    """Time (after launch) of the next thrust discontinuity after ``t_rel``, or +inf.

    An event less than 1 ns ahead counts as reached: ``t`` is an absolute time, and the rounding of
    ``t0 + t_rel`` can leave it a few ulps short of an event it was clipped to, where a step of that
    size would not move ``t`` at all.
    """
    t_cut = p["t_cut_s"]
    t_imp = p["t_impulse_s"]
    if t_rel >= t_cut - 1e-9:
        return t_imp if t_imp > t_rel + 1e-9 else np.inf
    if p["t_vert_s"] > t_rel + 1e-9:
        return min(p["t_vert_s"], t_cut)
    for i in range(p["n_stages"]):
        end = p["stage_end_s"][i]
        if end > t_rel + 1e-9:
            return min(end, t_cut)
    return t_cut


@nb.njit(cache=True, inline="always")
def _below_ground(kind, t, y, args):
    """The one event of a flight, its impact: >= 0 at or below the ellipsoid."""
    return -ellipsoid_altitude(y[0], y[1], y[2])


_ground_crossing = make_locate(_below_ground)


@nb.njit(cache=True)
def _phase(y, t_rel, t_cut, descending):
    """Phase code of a flying state (boost, midcourse, re-entry) and the updated 'has descended' flag."""
    if t_rel < t_cut:
        return PHASE_BOOST, descending
    descending = descending or (y[0] * y[3] + y[1] * y[4] + y[2] * y[5]) < 0.0
    below = ellipsoid_altitude(y[0], y[1], y[2]) < REENTRY_ALT_M
    return (PHASE_REENTRY if (descending and below) else PHASE_MIDCOURSE), descending


@nb.njit(cache=True)
def _fly_one(y0, p, t_out, solver, frame, state_out, alt_out, phase_out, impact_state, burnout_state):
    """Fly one object from ``y0`` at ``p["t0_s"]``; fill the rows of ``t_out`` (NaN before launch and
    after impact); ``solver`` is (rtol, atol, h_max), ``frame`` (to_ecef, era0) as in :func:`fly_batch`.
    Returns (status, impact_time)."""
    rtol, atol, h_max = solver
    to_ecef, era0 = frame
    y = y0.copy()
    y_new = np.empty(6)
    tmp = np.empty(6)
    k = np.empty((7, 6))
    t0 = p["t0_s"]
    n_stages = p["n_stages"]
    last_end = p["stage_end_s"][n_stages - 1] if n_stages > 0 else 0.0
    t_cut = min(p["t_cut_s"], last_end)  # thrust cannot outlast the propellant
    t = t0
    status = STATUS_FLYING
    t_impact = np.nan
    descending = False
    n_out = t_out.shape[0]
    i = 0
    while i < n_out and t_out[i] < t0 - 1e-9:  # before launch
        i += 1
    blank_rows(state_out, alt_out, phase_out, 0, i, PHASE_PRELAUNCH)
    while i < n_out and t_out[i] <= t0 + 1e-9:  # at launch
        store_state(y, t_out[i], to_ecef, OMEGA_EARTH_RAD_S, era0, state_out[i], alt_out[i:])
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
        args = (p, _segment(t_rel + 0.5 * h_step, p))
        if not k_valid:
            _derivative(t, y, args, k[0])
        _dp5_step(t, h_step, y, args, k, y_new, tmp)
        err = error_norm(y, y_new, tmp, rtol, atol)
        # A trial step that dives deep below the ground meets an air density that overflows: reject it
        # like any step that is too long (the guard above stops a flight whose step keeps shrinking).
        if not math.isfinite(err) or err > 1.0:  # reject: shrink and retry (k[0] is still f(t, y))
            h = h_step * (MIN_FACTOR if not math.isfinite(err) else step_factor(err))
            k_valid = True
            continue
        t_next = t + h_step
        impact_theta = 2.0
        airborne = t_next - t0 > max(p["t_vert_s"], 1.0)  # the pad itself is at zero height
        if airborne and ellipsoid_altitude(y_new[0], y_new[1], y_new[2]) < 0.0:
            impact_theta = _ground_crossing(0, t, y, h_step, k, (), tmp)
            t_impact = t + impact_theta * h_step
            dense(y, h_step, k, impact_theta, impact_state)
            status = STATUS_IMPACTED
        while i < n_out and t_out[i] <= t_next + 1e-9:  # outputs inside this step
            theta = (t_out[i] - t) / h_step
            if theta > impact_theta:
                break
            dense(y, h_step, k, theta, tmp)
            phase_out[i], descending = _phase(tmp, t_out[i] - t0, t_cut, descending)
            store_state(tmp, t_out[i], to_ecef, OMEGA_EARTH_RAD_S, era0, state_out[i], alt_out[i:])
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
        if hits_event and p["t_impulse_s"] > 0.0 and abs(t_next - t0 - p["t_impulse_s"]) < 1e-6:
            speed = math.sqrt(y[3] * y[3] + y[4] * y[4] + y[5] * y[5])
            for j in range(3, 6):
                y[j] += p["dv_impulse_m_s"] * y[j] / speed
        t = t_next
        h = h_step * step_factor(err)
    # after impact (or after a failure)
    blank_rows(
        state_out,
        alt_out,
        phase_out,
        i,
        n_out,
        PHASE_IMPACTED if status == STATUS_IMPACTED else PHASE_PRELAUNCH,
    )
    return status, t_impact


# What :func:`fly_batch` records of each object's flight besides its states on the grid.
FLIGHT_END = np.dtype(
    [("impact_state", "f8", (6,)), ("burnout_state", "f8", (6,)), ("status", "i1"), ("t_impact_s", "f8")]
)


@nb.njit(cache=True, parallel=True)
def fly_batch(y0, params, t_out, solver, frame, state_out, alt_out, phase_out, ends):
    """Fly B objects in parallel (one thread works on one object at a time).

    Parameters
    ----------
    y0 : (B, 6) float64
        ECI state at each object's launch time ``params["t0_s"]``, m and m/s.
    params : (B,) records of :data:`PARAMS`
        Parameters of each object (built with :func:`make_records`).
    t_out : (T,) float64
        Increasing output times, s since epoch.
    solver : (rtol, atol, h_max)
        Relative and absolute error tolerances (SciPy's RMS norm over the six components, SI units) and
        the largest step, s.
    frame : (to_ecef, era0)
        Write ``state_out`` in ECEF (Earth-relative velocity) with the Earth Rotation Angle
        ``era0 + omega t`` (``era0``, rad, at t = 0), instead of ECI.
    state_out : (B, T, 6) float64, filled
        State at ``t_out`` (ECI, or ECEF with ``to_ecef``); NaN before launch and after impact.
    alt_out : (B, T) float64, filled
        Height above the WGS84 ellipsoid, m (geodetic with ``to_ecef``, radial otherwise).
    phase_out : (B, T) int8, filled
        ``PHASE_*`` code at each output time.
    ends : (B,) records of :data:`FLIGHT_END`, filled
        ECI state at impact (NaN when no impact before ``t_out[-1]``) and at thrust termination (NaN
        when it comes after ``t_out[-1]``), ``STATUS_*`` code, impact time (s since epoch, NaN when none).
    """
    for b in nb.prange(y0.shape[0]):
        end = ends[b]
        for j in range(6):
            end.impact_state[j] = np.nan
            end.burnout_state[j] = np.nan
        s, ti = _fly_one(
            y0[b],
            params[b],
            t_out,
            solver,
            frame,
            state_out[b],
            alt_out[b],
            phase_out[b],
            end.impact_state,
            end.burnout_state,
        )
        end.status = s
        end.t_impact_s = ti


def allocate_and_fly(y0, params, t_out, rtol=1e-8, atol=1e-3, h_max=60.0, era0=None):
    """Allocate the outputs and run :func:`fly_batch`.

    With ``era0`` (Earth Rotation Angle at t = 0, rad) the states come out in ECEF, else in ECI.
    Returns (state, phase, impact_state, burnout_state, status, t_impact); ECEF outputs also
    return the geodetic height as a seventh item.

    >>> import numpy as np
    >>> from domesim.core.constants import R_EARTH_EQ_M
    >>> y0 = np.array([[R_EARTH_EQ_M + 200e3, 0, 0, 0, 7000.0, 0]])
    >>> p = make_records(PARAMS, 1)
    >>> state, phase, impact, burnout, status, t_imp = allocate_and_fly(  # doctest: +SKIP
    ...     y0, p, np.array([0.0, 60.0]))
    >>> state.shape, int(status[0])  # doctest: +SKIP
    ((1, 2, 6), 0)
    """
    y0 = np.ascontiguousarray(y0, dtype=np.float64)
    params = np.ascontiguousarray(params)
    t_out = np.ascontiguousarray(t_out, dtype=np.float64)
    b, t = y0.shape[0], t_out.shape[0]
    check_batch(y0, params, PARAMS)
    state = np.empty((b, t, 6))
    alt = np.empty((b, t))
    phase = np.empty((b, t), dtype=np.int8)
    ends = np.empty(b, FLIGHT_END).view(np.recarray)
    solver = (float(rtol), float(atol), float(h_max))
    fly_batch(y0, params, t_out, solver, (era0 is not None, float(era0 or 0.0)), state, alt, phase, ends)
    impact_state = np.ascontiguousarray(ends.impact_state)
    burnout_state = np.ascontiguousarray(ends.burnout_state)
    status, t_impact = np.ascontiguousarray(ends.status), np.ascontiguousarray(ends.t_impact_s)
    if era0 is not None:
        return state, phase, impact_state, burnout_state, status, t_impact, alt
    return state, phase, impact_state, burnout_state, status, t_impact
