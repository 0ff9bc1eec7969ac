"""Batched flight of hypersonic glide vehicles: pull-up, equilibrium glide, terminal dive. numba kernels.

Dynamics, in the ECI frame of :mod:`domesim.core.frames` (SI units), from the booster's burnout on::

    r'' = g(r) + a_drag + a_lift

- ``g``: point mass plus the J2 zonal term (Vallado, *Fundamentals of Astrodynamics*, 4th ed., eq. 8-30),
  as in :mod:`domesim.core.ballistic`; the ``j2`` argument switches the zonal term off.
- ``a_drag = -rho |v_rel| v_rel / (2 beta)`` with ``beta = m / (C_D S)``, ``v_rel = v - omega x r`` the
  velocity relative to the co-rotating air and an exponential atmosphere (``RHO0_KG_M3``,
  ``SCALE_HEIGHT_M``). ``D = |a_drag|``.
- ``a_lift``: perpendicular to ``v_rel``, magnitude at most ``(L/D)_max D``. With ``e_v = v_rel / |v_rel|``,
  ``e_up`` the radial unit vector, ``e_L0`` the unit vector of ``e_up - (e_up . e_v) e_v`` (the lift
  direction at zero bank) and ``e_S = e_v x e_L0`` (horizontal, to the right of the motion), a lift of
  magnitude ``L`` at bank angle ``sigma`` is ``L (cos sigma e_L0 + sin sigma e_S)``.

Guidance (computed in the kernel from the current state; the discrete mode changes only at located events):

- ``MODE_PULLUP`` (from burnout): full lift at zero bank, ``L = (L/D)_max D``, until the flight-path angle
  relative to the air climbs back through ``GAMMA_EXIT_RAD`` (0): the glider falls from its burnout
  altitude, and the growing air density stops the descent.
- ``MODE_GLIDE``: equilibrium glide. The vertical lift balances gravity less the centrifugal relief of the
  inertial horizontal speed, ``L cos(sigma) = g - v_h^2 / r`` (per unit mass), plus a proportional-derivative
  correction toward a reference altitude ``h_ref``. Range control by the equilibrium-glide range equation
  (below): the commanded ``(L/D)_cmd = s_go / s_1(V)`` is the ratio of the glide distance still to fly to
  the distance one unit of L/D would carry the vehicle from the present speed down to the planned
  end-of-glide speed ``v_f``; ``h_ref`` is the altitude where ``(L/D)_cmd D = g - v_h^2 / r``, clipped to
  the glide band (``glide_alt_min`` + margin, ``glide_alt_max`` - margin). A vehicle with energy to spare
  flies lower (more drag), one short of energy flies at its largest L/D. Cross-range: the lateral lift
  ``L sin(sigma) = K_psi V dpsi`` turns the heading toward the great circle to the aim point (``dpsi``:
  heading error, positive to the right), with ``|sigma| <= sigma_max``. When the total exceeds
  ``(L/D)_max D`` the magnitude is cut and the bank angle kept.
- ``MODE_DIVE``: when the great-circle distance to the aim point falls below ``k_dive h`` (``h``: the
  present altitude), proportional navigation on the velocity relative to the Earth,
  ``a = N (Omega x v_rel)`` with the line-of-sight rate ``Omega = R x (-v_rel) / |R|^2`` (``R``: aim point
  minus vehicle), gravity's component across the velocity compensated, the lift free to point anywhere
  across the velocity (negative lift pushes the nose down), magnitude capped at ``(L/D)_max D``.
- ``MODE_FIXED`` (validation): constant L/D and bank angle, no mode change.

Equilibrium-glide range (Vinh, Busemann & Culp, *Hypersonic and Planetary Entry Flight Mechanics*, 1980;
Regan & Anandakrishnan, *Dynamics of Atmospheric Re-Entry*, 1993): on a non-rotating
spherical Earth, with ``gamma ~ 0`` and constant L/D, the range from speed ``v0`` to ``v`` is
``s = (r / 2) (L/D) ln[(1 - v^2 / (g r)) / (1 - v0^2 / (g r))]``.

Simplifications: the drag coefficient does not change with the commanded lift (flying below the largest
L/D lowers the lift, not the drag), C_D and L/D do not depend on Mach number, no heating limits, and the
guidance knows the present state exactly (navigation errors enter as an offset of the aim point).

Integration: the Dormand-Prince 5(4) pair of :mod:`domesim.core.integrate`, with the error norm and
step-size rule of :mod:`domesim.core.ballistic`. The mode changes (end of the pull-up, start of the
dive) and the ground impact are located by bisection on the continuous extension and the step is cut
there, so the trajectory does not depend on the step sequence beyond the tolerances. Python allocates the
outputs, the kernel fills them; failures are a status code plus NaN rows, never an exception.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba as nb
import numpy as np

from domesim.core.ballistic import (
    PHASE_IMPACTED,
    PHASE_MIDCOURSE,
    PHASE_PRELAUNCH,
    PHASE_REENTRY,
    STATUS_DIVERGED,
    STATUS_FLYING,
    STATUS_IMPACTED,
    blank_rows,
    check_batch,
    gravity_j2,
    store_state,
)
from domesim.core.constants import (
    GM_EARTH_M3_S2,
    J2_EARTH,
    OMEGA_EARTH_RAD_S,
    RHO0_KG_M3,
    SCALE_HEIGHT_M,
)
from domesim.core.frames import ecef_to_eci_xyz, ellipsoid_altitude
from domesim.core.integrate import dense, error_norm, make_dp5_step, make_locate, step_factor

# One record per glider: the parameters the kernel reads by field name (``p["ld_max"]``); built with
# :func:`domesim.core.ballistic.make_records`.
PARAMS = np.dtype(
    [
        ("t0_s", np.float64),  # time of the initial state (the booster's burnout), s since epoch
        ("beta_kg_m2", np.float64),  # ballistic coefficient m / (C_D S)
        ("ld_max", np.float64),  # largest lift-to-drag ratio
        ("h_min_m", np.float64),  # glide band, m above the ellipsoid
        ("h_max_m", np.float64),
        ("bank_max_rad", np.float64),  # largest bank angle in the glide
        (
            "dive_k",
            np.float64,
        ),  # the dive starts when the ground distance to the aim point < dive_k * altitude
        ("v_end_m_s", np.float64),  # planned speed at the end of the glide (relative to the air)
        ("aim_ecef", np.float64, (3,)),  # aim point, ECEF, m
        ("mode0", np.int64),  # guidance mode at t0_s (MODE_*)
        ("ld_fixed", np.float64),  # MODE_FIXED: lift-to-drag ratio
        ("bank_fixed_rad", np.float64),  # MODE_FIXED: bank angle
    ],
    align=True,
)

MODE_PULLUP = 0
MODE_GLIDE = 1
MODE_DIVE = 2
MODE_FIXED = 3

GAMMA_EXIT_RAD = 0.0  # the pull-up ends when the flight-path angle climbs through this
K_H_S2 = 1.6e-3  # altitude gain, 1/s2: natural frequency 0.04 rad/s (a 157 s period) ...
K_HDOT_S = 0.064  # ... and altitude-rate gain, 1/s: damping ratio 0.8
K_PSI_S = 0.05  # heading gain, 1/s: a 20 s time constant for the heading error
N_PN = 3.0  # navigation constant of the dive
LD_PLAN_FRAC = 0.9  # the range plan uses at most this fraction of (L/D)_max: the rest steers
BAND_MARGIN_M = 5e3  # h_ref stays this far inside the band (at most a quarter of its width)
_AERO_CEILING_M = 300e3  # exp(-300/8.5) ~ 5e-16: no aerodynamic force above this
_MAX_V2_GR = 0.98  # clip v^2 / (g r) in the range plan (near-orbital speeds)


@nb.njit(cache=True)
def _aim_eci(p, t, omega, era0):
    """Aim point (ECEF parameter) rotated into ECI at time ``t``."""
    th = era0 + omega * t
    return ecef_to_eci_xyz(math.cos(th), math.sin(th), p["aim_ecef"][0], p["aim_ecef"][1], p["aim_ecef"][2])


@nb.njit(cache=True)
def _ground_distance(x, y, z, p, t, omega, era0):
    """Great-circle distance (at the aim point's radius) from the sub-vehicle point to the aim point, m."""
    ax, ay, az = _aim_eci(p, t, omega, era0)
    cx = y * az - z * ay
    cy = z * ax - x * az
    cz = x * ay - y * ax
    ra = math.sqrt(ax * ax + ay * ay + az * az)
    return ra * math.atan2(math.sqrt(cx * cx + cy * cy + cz * cz), x * ax + y * ay + z * az)


@nb.njit(cache=True)
def _lift(t, y, p, guidance, air, gravity):
    """Lift acceleration (ECI components) commanded by the guidance; see the module docstring.
    ``guidance`` is (mode, omega, era0); ``air`` the geocentric radius, height, drag acceleration and
    air-relative velocity (r, alt, drag, vrx, vry, vrz, v_rel); ``gravity`` its (gx, gy, gz)."""
    mode, omega, era0 = guidance
    r, alt, drag, vrx, vry, vrz, v_rel = air
    gx, gy, gz = gravity
    x, yy, z = y[0], y[1], y[2]
    ux, uy, uz = x / r, yy / r, z / r
    ex, ey, ez = vrx / v_rel, vry / v_rel, vrz / v_rel
    l_max = p["ld_max"] * drag
    if mode == MODE_DIVE:
        ax, ay, az = _aim_eci(p, t, omega, era0)
        rx, ry, rz = ax - x, ay - yy, az - z
        rn2 = rx * rx + ry * ry + rz * rz
        if rn2 < 1.0:
            return 0.0, 0.0, 0.0
        # line-of-sight rate: R x (-v_rel) / |R|^2, then a = N Omega x v_rel
        ox = (ry * -vrz - rz * -vry) / rn2
        oy = (rz * -vrx - rx * -vrz) / rn2
        oz = (rx * -vry - ry * -vrx) / rn2
        lx = N_PN * (oy * vrz - oz * vry)
        ly = N_PN * (oz * vrx - ox * vrz)
        lz = N_PN * (ox * vry - oy * vrx)
        g_along = gx * ex + gy * ey + gz * ez  # compensate gravity across the velocity
        lx -= gx - g_along * ex
        ly -= gy - g_along * ey
        lz -= gz - g_along * ez
        along = lx * ex + ly * ey + lz * ez  # keep it across the velocity
        lx, ly, lz = lx - along * ex, ly - along * ey, lz - along * ez
        mag = math.sqrt(lx * lx + ly * ly + lz * lz)
        if mag > l_max:
            f = l_max / mag
            lx, ly, lz = lx * f, ly * f, lz * f
        return lx, ly, lz
    sin_g = ux * ex + uy * ey + uz * ez
    cos_g = math.sqrt(max(0.0, 1.0 - sin_g * sin_g))
    if cos_g < 1e-6:  # vertical flight: no lift plane
        return 0.0, 0.0, 0.0
    l0x, l0y, l0z = (ux - sin_g * ex) / cos_g, (uy - sin_g * ey) / cos_g, (uz - sin_g * ez) / cos_g
    sx, sy, sz = ey * l0z - ez * l0y, ez * l0x - ex * l0z, ex * l0y - ey * l0x
    if mode == MODE_FIXED:
        mag = p["ld_fixed"] * drag
        lv = mag * math.cos(p["bank_fixed_rad"])
        ll = mag * math.sin(p["bank_fixed_rad"])
    elif mode == MODE_PULLUP:
        lv = l_max
        ll = 0.0
    else:  # MODE_GLIDE
        vx, vy, vz = y[3], y[4], y[5]
        h_dot = vx * ux + vy * uy + vz * uz
        v_h2 = max(0.0, vx * vx + vy * vy + vz * vz - h_dot * h_dot)
        gm_r = GM_EARTH_M3_S2 / r
        g_eff = gm_r / r - v_h2 / r
        # range plan: the L/D that spends the energy above v_f over the glide distance to go
        s_go = _ground_distance(x, yy, z, p, t, omega, era0) - p["dive_k"] * alt
        q0 = min(v_rel * v_rel / gm_r, _MAX_V2_GR)
        qf = p["v_end_m_s"] * p["v_end_m_s"] / gm_r
        ld_plan = LD_PLAN_FRAC * p["ld_max"]
        if q0 > qf:
            ld_cmd = min(max(s_go / (0.5 * r * math.log((1.0 - qf) / (1.0 - q0))), 0.0), ld_plan)
        else:
            ld_cmd = ld_plan
        margin = min(BAND_MARGIN_M, 0.25 * (p["h_max_m"] - p["h_min_m"]))
        h_lo, h_hi = p["h_min_m"] + margin, p["h_max_m"] - margin
        arg = RHO0_KG_M3 * ld_cmd * v_rel * v_rel / (2.0 * p["beta_kg_m2"] * max(g_eff, 1e-3))
        h_ref = SCALE_HEIGHT_M * math.log(arg) if arg > 0.0 else h_lo
        h_ref = min(max(h_ref, h_lo), h_hi)
        a_up = g_eff + K_H_S2 * (h_ref - alt) - K_HDOT_S * h_dot
        lv = max((a_up + drag * sin_g) / cos_g, 0.0)  # drag has an upward part when descending
        # heading error toward the great circle to the aim point
        ax, ay, az = _aim_eci(p, t, omega, era0)
        a_up_c = ax * ux + ay * uy + az * uz
        dx, dy, dz = ax - a_up_c * ux, ay - a_up_c * uy, az - a_up_c * uz
        hx, hy, hz = (ex - sin_g * ux), (ey - sin_g * uy), (ez - sin_g * uz)
        d_psi = math.atan2(dx * sx + dy * sy + dz * sz, dx * hx + dy * hy + dz * hz)
        ll = K_PSI_S * v_rel * d_psi
        ll_max = lv * math.tan(p["bank_max_rad"])
        ll = min(max(ll, -ll_max), ll_max)
        mag = math.sqrt(lv * lv + ll * ll)
        if mag > l_max:
            f = l_max / mag
            lv, ll = lv * f, ll * f
    return lv * l0x + ll * sx, lv * l0y + ll * sy, lv * l0z + ll * sz


@nb.njit(cache=True)
def _derivative(t, y, args, out):
    """Fill ``out`` with d/dt of ``y = (r, v)`` (ECI, SI) at ``t``; ``args = (p, mode, omega, j2, era0)``:
    the parameter row, the guidance mode and the Earth model (see :func:`glide_batch`)."""
    p, mode, omega, j2, era0 = args
    x, yy, z = y[0], y[1], y[2]
    gx, gy, gz, r = gravity_j2(x, yy, z, j2)
    ax, ay, az = gx, gy, gz
    alt = ellipsoid_altitude(x, yy, z)
    if alt < _AERO_CEILING_M:
        vrx = y[3] + omega * yy  # velocity relative to the co-rotating air
        vry = y[4] - omega * x
        vrz = y[5]
        v_rel = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
        if v_rel > 1e-6:
            drag = 0.5 * RHO0_KG_M3 * math.exp(-alt / SCALE_HEIGHT_M) * v_rel * v_rel / p["beta_kg_m2"]
            f = drag / v_rel
            ax -= f * vrx
            ay -= f * vry
            az -= f * vrz
            air = (r, alt, drag, vrx, vry, vrz, v_rel)
            lx, ly, lz = _lift(t, y, p, (mode, omega, era0), air, (gx, gy, gz))
            ax += lx
            ay += ly
            az += lz
    out[0] = y[3]
    out[1] = y[4]
    out[2] = y[5]
    out[3] = ax
    out[4] = ay
    out[5] = az


_dp5_step = make_dp5_step(_derivative)


@nb.njit(cache=True)
def flight_path_angle(y, omega):
    """Flight-path angle of the velocity relative to the air (rad) of an ECI state ``y``."""
    x, yy, z = y[0], y[1], y[2]
    vrx, vry, vrz = y[3] + omega * yy, y[4] - omega * x, y[5]
    r = math.sqrt(x * x + yy * yy + z * z)
    v = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
    return math.asin(max(-1.0, min(1.0, (x * vrx + yy * vry + z * vrz) / (r * v))))


@nb.njit(cache=True)
def _event(kind, t, y, args):
    """Event functions; each fires when it becomes >= 0. 0: ground; 1: end of the pull-up; 2: dive.
    ``args = (p, omega, era0)``."""
    p, omega, era0 = args
    alt = ellipsoid_altitude(y[0], y[1], y[2])
    if kind == 0:
        return -alt
    if kind == 1:
        return flight_path_angle(y, omega) - GAMMA_EXIT_RAD
    return p["dive_k"] * alt - _ground_distance(y[0], y[1], y[2], p, t, omega, era0)


_locate = make_locate(_event)


@nb.njit(cache=True)
def _phase_of(mode):
    return PHASE_REENTRY if mode == MODE_DIVE else PHASE_MIDCOURSE


@nb.njit(cache=True)
def _glide_one(y0, p, t_out, solver, earth, state_out, alt_out, phase_out, impact):
    """Fly one glider from ``y0`` at ``p["t0_s"]`` (``solver`` and ``earth`` as in :func:`glide_batch`);
    returns (status, impact time, dive start time)."""
    rtol, atol, h_max = solver
    omega, j2, to_ecef, era0 = earth
    y = y0.copy()
    y_new = np.empty(6)
    tmp = np.empty(6)
    k = np.empty((7, 6))
    t0 = p["t0_s"]
    mode = p["mode0"]
    t = t0
    status = STATUS_FLYING
    t_impact = np.nan
    t_dive = t0 if mode == MODE_DIVE else np.nan
    n_out = t_out.shape[0]
    i = 0
    while i < n_out and t_out[i] < t0 - 1e-9:  # before the glide starts
        i += 1
    blank_rows(state_out, alt_out, phase_out, 0, i, PHASE_PRELAUNCH)
    while i < n_out and t_out[i] <= t0 + 1e-9:
        store_state(y, t_out[i], to_ecef, omega, era0, state_out[i], alt_out[i:])
        phase_out[i] = _phase_of(mode)
        i += 1
    ev = (p, omega, era0)  # the arguments of the event functions
    if (mode == MODE_PULLUP or mode == MODE_GLIDE) and _event(2, t, y, ev) >= 0.0:
        mode = MODE_DIVE  # already inside the dive distance
        t_dive = t0
    h = 1.0
    k_valid = False
    t_end = t_out[n_out - 1] if n_out > 0 else t0
    while t < t_end - 1e-9 and status == STATUS_FLYING:
        h_step = min(h, h_max, t_end - t)
        args = (p, mode, omega, j2, era0)
        if not k_valid:
            _derivative(t, y, args, k[0])
        _dp5_step(t, h_step, y, args, k, y_new, tmp)
        err = error_norm(y, y_new, tmp, rtol, atol)
        if not math.isfinite(err):
            status = STATUS_DIVERGED
            break
        if err > 1.0:  # reject: shrink and retry
            h = h_step * step_factor(err)
            k_valid = True
            continue
        # events inside the step: the earliest one cuts it
        cut = 1.0
        event = -1
        if _event(0, t + h_step, y_new, ev) >= 0.0:
            cut = _locate(0, t, y, h_step, k, ev, tmp)
            event = 0
        if mode == MODE_PULLUP or mode == MODE_GLIDE:
            if _event(2, t + h_step, y_new, ev) >= 0.0 and _event(2, t, y, ev) < 0.0:
                c2 = _locate(2, t, y, h_step, k, ev, tmp)
                if c2 < cut:
                    cut, event = c2, 2
        if mode == MODE_PULLUP:
            if _event(1, t + h_step, y_new, ev) >= 0.0 and _event(1, t, y, ev) < 0.0:
                c1 = _locate(1, t, y, h_step, k, ev, tmp)
                if c1 < cut:
                    cut, event = c1, 1
        t_next = t + cut * h_step if event >= 0 else t + h_step
        while i < n_out and t_out[i] <= t_next + 1e-9:  # outputs inside this (possibly cut) step
            theta = (t_out[i] - t) / h_step
            if theta > cut:
                break
            dense(y, h_step, k, theta, tmp)
            phase_out[i] = _phase_of(mode)
            store_state(tmp, t_out[i], to_ecef, omega, era0, state_out[i], alt_out[i:])
            i += 1
        if event == 0:
            t_impact = t + cut * h_step
            dense(y, h_step, k, cut, impact)
            status = STATUS_IMPACTED
            break
        if event > 0:
            dense(y, h_step, k, cut, y_new)
            if event == 2:
                mode = MODE_DIVE
                t_dive = t_next
            else:
                mode = MODE_GLIDE
        for j in range(6):
            y[j] = y_new[j]
            k[0, j] = k[6, j]  # first-same-as-last, unless an event changed the mode or cut the step
        k_valid = event < 0
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
    return status, t_impact, t_dive


# What :func:`glide_batch` records of each glider's flight besides its states on the grid.
GLIDE_END = np.dtype(
    [("impact_state", "f8", (6,)), ("status", "i1"), ("t_impact_s", "f8"), ("t_dive_s", "f8")]
)


@nb.njit(cache=True, parallel=True)
def glide_batch(y0, params, t_out, solver, earth, state_out, alt_out, phase_out, ends):
    """Fly B gliders in parallel (one thread works on one glider at a time).

    Parameters
    ----------
    y0 : (B, 6) float64
        ECI state at each glider's start time ``params["t0_s"]``, m and m/s.
    params : (B,) records of :data:`PARAMS`
        Parameters of each glider.
    t_out : (T,) float64
        Increasing output times, s since epoch.
    solver : (rtol, atol, h_max)
        Relative and absolute error tolerances (SciPy's RMS norm over the six components, SI units) and
        the largest step, s.
    earth : (omega, j2, to_ecef, era0)
        Rotation rate of the Earth (and its air and the aim point), rad/s, 0 for a non-rotating Earth;
        zonal coefficient of the gravity field, 0 for a point mass; whether ``state_out`` is written in
        ECEF (Earth-relative velocity), else in ECI; Earth Rotation Angle at t = 0, rad:
        ECI = R3(-(era0 + omega t)) ECEF.
    state_out : (B, T, 6) float64, filled
        State at ``t_out``; NaN before the start and after impact.
    alt_out : (B, T) float64, filled
        Height above the WGS84 ellipsoid, m (geodetic with ``to_ecef``, radial otherwise).
    phase_out : (B, T) int8, filled
        ``PHASE_*`` code of :mod:`domesim.core.ballistic`: glide (and pull-up) ``PHASE_MIDCOURSE``, dive
        ``PHASE_REENTRY``, ``PHASE_IMPACTED`` after impact, ``PHASE_PRELAUNCH`` before the start.
    ends : (B,) records of :data:`GLIDE_END`, filled
        ECI state at impact (NaN when no impact before ``t_out[-1]``), ``STATUS_*`` code of
        :mod:`domesim.core.ballistic`, impact time and start of the dive, s since epoch (NaN when none).
    """
    for b in nb.prange(y0.shape[0]):
        end = ends[b]
        for j in range(6):
            end.impact_state[j] = np.nan
        s, ti, td = _glide_one(
            y0[b], params[b], t_out, solver, earth, state_out[b], alt_out[b], phase_out[b], end.impact_state
        )
        end.status = s
        end.t_impact_s = ti
        end.t_dive_s = td


class GlideFlight(NamedTuple):
    """Outputs of :func:`allocate_and_glide` (shapes of :func:`glide_batch`)."""

    state: np.ndarray  # (B, T, 6) ECEF (Earth-relative velocity) with era0, else ECI
    alt_m: np.ndarray  # (B, T)
    phase: np.ndarray  # (B, T) int8
    impact_state_eci: np.ndarray  # (B, 6)
    status: np.ndarray  # (B,) int8
    t_impact_s: np.ndarray  # (B,)
    t_dive_s: np.ndarray  # (B,)


def allocate_and_glide(
    y0,
    params,
    t_out,
    rtol: float = 1e-8,
    atol: float = 1e-3,
    h_max: float = 60.0,
    era0: float | None = None,
    omega: float = OMEGA_EARTH_RAD_S,
    j2: float = J2_EARTH,
) -> GlideFlight:
    """Allocate the outputs and run :func:`glide_batch`.

    With ``era0`` (Earth Rotation Angle at t = 0, rad) the states come out in ECEF, else in ECI (and the
    aim points are placed with ``era0 = 0``). ``omega = 0`` and ``j2 = 0`` give a non-rotating Earth
    with a point-mass field (the setting of the equilibrium-glide range equation).

    >>> import numpy as np
    >>> from domesim.core.constants import R_EARTH_EQ_M
    >>> from domesim.core.ballistic import make_records
    >>> p = make_records(PARAMS, 1, beta_kg_m2=6000.0, ld_max=2.5, mode0=MODE_FIXED, ld_fixed=2.5)
    >>> y0 = np.array([[R_EARTH_EQ_M + 60e3, 0.0, 0.0, 0.0, 5000.0, 0.0]])
    >>> out = allocate_and_glide(y0, p, np.array([0.0, 60.0]), omega=0.0, j2=0.0)  # doctest: +SKIP
    >>> out.state.shape, int(out.status[0]), int(out.phase[0, 1])  # doctest: +SKIP
    ((1, 2, 6), 0, 2)
    """
    y0 = np.ascontiguousarray(y0, dtype=np.float64)
    params = np.ascontiguousarray(params)
    t_out = np.ascontiguousarray(t_out, dtype=np.float64)
    b, t = y0.shape[0], t_out.shape[0]
    check_batch(y0, params, PARAMS)
    state, alt, phase = np.empty((b, t, 6)), np.empty((b, t)), np.empty((b, t), dtype=np.int8)
    ends = np.empty(b, GLIDE_END).view(np.recarray)
    solver = (float(rtol), float(atol), float(h_max))
    earth = (float(omega), float(j2), era0 is not None, float(era0 or 0.0))
    glide_batch(y0, params, t_out, solver, earth, state, alt, phase, ends)
    return GlideFlight(
        state,
        alt,
        phase,
        np.ascontiguousarray(ends.impact_state),
        np.ascontiguousarray(ends.status),
        np.ascontiguousarray(ends.t_impact_s),
        np.ascontiguousarray(ends.t_dive_s),
    )
