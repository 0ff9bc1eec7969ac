"""Kinematic path following on the WGS84 ellipsoid: routes of great-circle legs, filleted turns, a launch
segment, cruise at constant height and a terminal pop-up and dive. numba kernels.

Model
-----
Ground track
    A route is the polyline launch -> waypoints -> aim point (geodetic latitude/longitude). Each leg is a
    great circle of the *auxiliary sphere* whose latitude is the geodetic latitude: a track point is the
    unit vector ``u = (cos phi cos lam, cos phi sin lam, sin phi)`` and the vehicle is at geodetic
    ``(phi, lam, h)``. Every vertex, and in particular the aim point, is therefore reached exactly.
Turns
    Each interior waypoint is cut by a coordinated turn at constant speed: a small circle of the auxiliary
    sphere tangent to both legs (a fillet), with ``rho = v_cruise^2 / a_max``. On the ellipsoid the circle
    becomes (locally) an ellipse with semi-axes ``(M + h) tan(beta)`` north-south and ``(N + h) tan(beta)``
    east-west (``M``, ``N``: meridian and prime-vertical radii of curvature at the waypoint); its sharpest
    curvature, on east-west headings, is ``(N + h) / ((M + h)^2 tan(beta))``, so ``tan(beta) = rho (N + h) /
    (M + h)^2`` makes the lateral acceleration reach ``a_max`` there and never exceed it; on north-south
    headings it is ``((M + h) / (N + h))^3 a_max``, at least 0.98 ``a_max`` (equator). The tangent points lie
    ``asin(tan beta tan(Delta/2))`` (spherical right triangle, Napier's rules) before and after the waypoint,
    ``Delta`` the heading change. The vehicle does not pass over the waypoint itself (it cuts the corner); the
    bank is entered instantly (no roll-rate limit).
Heights (terrain is not modelled: heights are above the ellipsoid)
    launch segment: ``h_launch -> h_cruise`` over a ground distance ``D_c`` with the smooth step
    ``3x^2 - 2x^3`` (level at both ends); cruise: ``h_cruise``; terminal: an optional pop-up
    ``h_cruise -> h_apex`` (smooth step over ``D_p``), then the dive ``h = h_apex (1 - x^2)`` over ``D_d``
    onto the aim point (level at its start, impact angle ``atan(2 h_apex / D_d)``). Each vertical
    manoeuvre is lengthened when needed so that its largest path curvature acceleration
    (``6 dh v^2 / D^2`` for a smooth step, ``2 h_apex v^2 / D_d^2`` for the dive; small-slope bound)
    stays within ``a_max``; the launch segment must lie on the first leg and the terminal phase on the
    last leg (before the first and after the last turn).
Speed
    ``|v_ecef|`` (Earth-relative, no wind) rises linearly in time from the launch speed to the cruise
    speed over the boost time, then stays constant: ``s(t) = v0 t + (v1 - v0) t^2 / (2 t_b)`` for
    ``t < t_b``, ``s_b + v1 (t - t_b)`` after. ``s`` is the true 3-D arc length of the ECEF path.
Phases
    ``PHASE_PRELAUNCH`` before launch, ``PHASE_BOOST`` until both the boost and the launch segment are
    over, ``PHASE_MIDCOURSE`` in cruise, ``PHASE_REENTRY`` from the start of the pop-up (or dive) to the
    aim point, ``PHASE_IMPACTED`` from the impact time on (NaN rows outside the flight).
Cross-track offset (a dispersion)
    ``RP_CROSS_TRACK = d`` moves every interior waypoint by ``d / cos(Delta / 2)`` along the bisector of
    its legs' left normals: the legs between waypoints become parallel to the planned ones at distance
    ``d`` (left > 0); the launch and aim points stay, so a route without waypoints is unchanged.

Arc length on the ellipsoid
    With ``sigma`` the arc length of the auxiliary-sphere track (radians), the ECEF tangent is
    ``dr/dsigma = (N + h) du - (a e^2 / W^3) du_z (z - sin(phi) u) + h' u`` (``W^2 = 1 - e^2 sin^2 phi``;
    the first two terms are ``(M + h) t_N north + (N + h) t_E east``, written without ``1/cos phi`` so that
    the poles are regular). The route is cut into pieces (at most PIECE_MAX_RAD of a leg and
    ARC_PIECE_MAX_RAD of heading change in a turn; N_CLIMB_PIECES, N_POPUP_PIECES and N_DIVE_PIECES for
    the vertical manoeuvres); on each piece ``|dr/dsigma|`` is interpolated by a degree-7 polynomial at
    the 8 Gauss-Legendre nodes, whose integral is ``s(tau)`` (the piece length is the Gauss-Legendre
    quadrature), and the position at ``s`` is found by Newton steps on that polynomial. Positions
    therefore lie exactly on the route, the velocity is ``v`` times the exact unit tangent, and finite
    differences of the positions reproduce the speed to better than 1e-6 (tests/validation/test_cruise.py).

Error budget against WGS84 geodesics
    A great circle of the auxiliary sphere is not the WGS84 geodesic between its end points. Measured
    against Vincenty geodesics (pymap3d): it departs from the geodesic by at most 300 m on legs of about
    2,100 km at 40-60 N, 35 m on a 1,400 km Arctic leg and 1.1 km on a 7,100 km leg (0 N 0 E to 60 N 30 E),
    and is longer than the geodesic by less than 1e-7 of its length. Meridians and the equator coincide
    with geodesics. Distances of the height profile (launch segment, pop-up, dive) are measured with the
    Gaussian radius ``sqrt(M N)`` at the launch and aim points: within 0.35 % of the ground distance flown.

Layout
------
Python allocates the outputs, the kernels fill them; a route that cannot be flown comes back as a status
code (``ROUTE_*``) plus NaN rows, never as an exception from inside a loop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

from domesim.core.ballistic import (
    PHASE_BOOST,
    PHASE_IMPACTED,
    PHASE_MIDCOURSE,
    PHASE_PRELAUNCH,
    PHASE_REENTRY,
)
from domesim.core.constants import E2_EARTH, R_EARTH_EQ_M, R_EARTH_MEAN_M

# Inputs: one row of route parameters per route (SI).
RP_V_LAUNCH = 0  # speed at launch, m/s
RP_V_CRUISE = 1  # cruise speed, m/s
RP_T_BOOST = 2  # time to go from the launch speed to the cruise speed, s
RP_H_LAUNCH = 3  # launch height above the ellipsoid, m
RP_H_CRUISE = 4  # cruise height above the ellipsoid, m
RP_H_APEX = 5  # apex of the terminal pop-up, m (<= h_cruise: no pop-up)
RP_D_CLIMB = 6  # ground distance of the launch segment (a minimum), m
RP_D_POPUP = 7  # ground distance of the pop-up (a minimum), m
RP_D_DIVE = 8  # ground distance of the dive (a minimum), m
RP_A_MAX = 9  # lateral (manoeuvre) acceleration limit, m/s2
RP_CROSS_TRACK = 10  # signed offset of the interior waypoints, m (left of the route > 0)
N_ROUTE_PARAMS = 11

# Outputs: one row of route results per route.
RT_N_PIECES = 0
RT_LENGTH = 1  # 3-D path length launch -> aim, m
RT_SIGMA_END = 2  # auxiliary-sphere track length, rad
RT_SIGMA_CLIMB = 3  # end of the launch segment, rad
RT_SIGMA_TERMINAL = 4  # start of the terminal phase (pop-up or dive), rad
RT_SIGMA_DIVE = 5  # start of the dive, rad
RT_S_CLIMB = 6  # path length at the end of the launch segment, m
RT_S_TERMINAL = 7  # path length at the start of the terminal phase, m
RT_FLIGHT_S = 8  # flight time launch -> impact, s
RT_T_BOOST_END = 9  # end of the boost phase after launch (max of boost time and launch-segment end), s
RT_T_TERMINAL = 10  # start of the terminal phase after launch, s
RT_V_LAUNCH = 11
RT_V_CRUISE = 12
RT_T_BOOST = 13
RT_H_LAUNCH = 14
RT_H_CRUISE = 15
RT_H_APEX = 16
RT_D_CLIMB = 17  # ground distances used (after lengthening), m
RT_D_POPUP = 18
RT_D_DIVE = 19
RT_TURN_RADIUS = 20  # v_cruise^2 / a_max, m
RT_FIRST_STRAIGHT = 21  # straight ground distance before the first turn, m (for messages)
RT_LAST_STRAIGHT = 22  # straight ground distance after the last turn, m
N_ROUTE_FIELDS = 23

# Pieces: geometry of the circle u(tau) = c cos(beta) + sin(beta) (e1 cos(x) + e2 sin(x)),
# x = tau / sin(beta) (great circles: beta = pi/2), the piece's extent and its path length polynomial
# s(tau) - s0 = sum_j b_j w^(j+1), w = tau / dtau in [0, 1] (the integral of the degree-7 interpolant of
# |dr/dsigma| at the 8 Gauss-Legendre nodes).
PC_C = 0  # 3 components
PC_E1 = 3  # 3 components
PC_E2 = 6  # 3 components
PC_COSB = 9
PC_SINB = 10
PC_TAU0 = 11  # circle parameter at the piece start, rad
PC_DTAU = 12  # piece extent, rad
PC_SIGMA0 = 13  # track length at the piece start, rad
PC_S0 = 14  # path length at the piece start, m
PC_LEN = 15  # path length of the piece, m
PC_B = 16  # N_POLY coefficients b_j, m
N_POLY = 8
N_PIECE_FIELDS = PC_B + N_POLY

ROUTE_OK = 0
ROUTE_DEGENERATE_LEG = 1  # two consecutive vertices coincide or are antipodal
ROUTE_TURN_TOO_TIGHT = 2  # the fillets of a waypoint do not fit on its legs
ROUTE_CLIMB_TOO_LONG = 3  # the launch segment does not fit before the first turn
ROUTE_TERMINAL_TOO_LONG = 4  # the terminal phase does not fit after the last turn
ROUTE_TOO_SHORT = 5  # launch segment and terminal phase overlap
ROUTE_CAPACITY = 6  # more pieces than the table holds (internal)
ROUTE_BAD_PARAMS = 7  # non-finite or non-positive speed / acceleration, fewer than two vertices

PIECE_MAX_RAD = 0.5  # longest piece of a leg (about 3,200 km)
ARC_PIECE_MAX_RAD = math.pi / 4.0  # largest heading change within one piece of a turn
N_CLIMB_PIECES = 8
N_POPUP_PIECES = 4
N_DIVE_PIECES = 4

_A = R_EARTH_EQ_M
_E2 = E2_EARTH
_GL_X, _GL_W = np.polynomial.legendre.leggauss(N_POLY)  # Gauss-Legendre nodes and weights on [-1, 1]
_GL_U = 0.5 * (1.0 + _GL_X)  # the nodes on [0, 1]
# b = _POLY @ k(nodes) * dtau: inverse Vandermonde of the nodes, row j divided by (j + 1) (the integration).
_POLY = np.linalg.inv(np.vander(_GL_U, N_POLY, increasing=True)) / np.arange(1.0, N_POLY + 1.0)[:, None]


@nb.njit(cache=True, inline="always")
def _gaussian_radius(sin_lat):
    """sqrt(M N) at a geodetic latitude: the mean radius of curvature there, m."""
    w2 = 1.0 - _E2 * sin_lat * sin_lat
    return _A * math.sqrt(1.0 - _E2) / w2


@nb.njit(cache=True, inline="always")
def _height(sigma, rt):
    """Height above the ellipsoid (m) and its derivative along the track (m/rad) at track length sigma."""
    sc = rt[RT_SIGMA_CLIMB]
    st = rt[RT_SIGMA_TERMINAL]
    sd = rt[RT_SIGMA_DIVE]
    se = rt[RT_SIGMA_END]
    h_l = rt[RT_H_LAUNCH]
    h_c = rt[RT_H_CRUISE]
    h_a = rt[RT_H_APEX]
    if sigma < sc:
        x = sigma / sc
        return h_l + (h_c - h_l) * x * x * (3.0 - 2.0 * x), (h_c - h_l) * 6.0 * x * (1.0 - x) / sc
    if sigma < st:
        return h_c, 0.0
    if sigma < sd:
        x = (sigma - st) / (sd - st)
        return h_c + (h_a - h_c) * x * x * (3.0 - 2.0 * x), (h_a - h_c) * 6.0 * x * (1.0 - x) / (sd - st)
    if se > sd:
        x = min((sigma - sd) / (se - sd), 1.0)
        return h_a * (1.0 - x * x), -2.0 * h_a * x / (se - sd)
    return h_a, 0.0


@nb.njit(cache=True, inline="always")
def _point(row, tau, rt):
    """ECEF position (m), tangent dr/dsigma (m/rad) and height (m) at parameter tau of a piece."""
    cb = row[PC_COSB]
    sb = row[PC_SINB]
    x = (row[PC_TAU0] + tau) / sb
    cx = math.cos(x)
    sx = math.sin(x)
    ux = row[PC_C] * cb + sb * (row[PC_E1] * cx + row[PC_E2] * sx)
    uy = row[PC_C + 1] * cb + sb * (row[PC_E1 + 1] * cx + row[PC_E2 + 1] * sx)
    uz = row[PC_C + 2] * cb + sb * (row[PC_E1 + 2] * cx + row[PC_E2 + 2] * sx)
    dux = -row[PC_E1] * sx + row[PC_E2] * cx
    duy = -row[PC_E1 + 1] * sx + row[PC_E2 + 1] * cx
    duz = -row[PC_E1 + 2] * sx + row[PC_E2 + 2] * cx
    h, hp = _height(row[PC_SIGMA0] + tau, rt)
    w2 = 1.0 - _E2 * uz * uz
    n = _A / math.sqrt(w2)
    nh = n + h
    g = _A * _E2 / (w2 * math.sqrt(w2)) * duz  # (N - M) t_N / cos(phi), regular at the poles
    rx = nh * ux
    ry = nh * uy
    rz = nh * uz - n * _E2 * uz
    drx = nh * dux + g * uz * ux + hp * ux
    dry = nh * duy + g * uz * uy + hp * uy
    drz = nh * duz - g * (1.0 - uz * uz) + hp * uz
    return rx, ry, rz, drx, dry, drz, h


@nb.njit(cache=True, inline="always")
def _speed_k(row, tau, rt):
    """|dr/dsigma| at parameter tau of a piece, m/rad."""
    _, _, _, drx, dry, drz, _ = _point(row, tau, rt)
    return math.sqrt(drx * drx + dry * dry + drz * drz)


@nb.njit(cache=True, inline="always")
def _s_of_t(t, v0, v1, tb):
    """Path length (m) and speed (m/s) at time t after launch (linear speed ramp over tb)."""
    if t < tb:
        return v0 * t + 0.5 * (v1 - v0) * t * t / tb, v0 + (v1 - v0) * t / tb
    return 0.5 * (v0 + v1) * tb + v1 * (t - tb), v1


@nb.njit(cache=True, inline="always")
def _t_of_s(s, v0, v1, tb):
    """Time after launch (s) at which the path length s (m) is reached."""
    if s <= 0.0:
        return 0.0
    sb = 0.5 * (v0 + v1) * tb
    if s < sb:
        acc = (v1 - v0) / tb
        return 2.0 * s / (v0 + math.sqrt(max(v0 * v0 + 2.0 * acc * s, 0.0)))
    return tb + (s - sb) / v1


@nb.njit(cache=True, inline="always")
def _cross(a0, a1, a2, b0, b1, b2):
    return a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0


@nb.njit(cache=True)
def _s_at_sigma(pieces, n, sigma):
    """Path length (m) at track length sigma (rad) from the pieces' cubics."""
    p = 0
    while p + 1 < n and pieces[p + 1, PC_SIGMA0] <= sigma:
        p += 1
    w = min(max((sigma - pieces[p, PC_SIGMA0]) / pieces[p, PC_DTAU], 0.0), 1.0)
    f = 0.0
    for j in range(N_POLY - 1, -1, -1):
        f = f * w + pieces[p, PC_B + j]
    return pieces[p, PC_S0] + f * w


@nb.njit(cache=True)
def _plan_one(lat, lon, nv, rp, pieces, rt):
    """Plan one route into ``pieces`` and ``rt``; returns (ROUTE_* status, vertex or leg index or -1)."""
    for k in range(rt.shape[0]):
        rt[k] = np.nan
    rt[RT_N_PIECES] = 0.0
    v0 = rp[RP_V_LAUNCH]
    v1 = rp[RP_V_CRUISE]
    tb = rp[RP_T_BOOST]
    a_max = rp[RP_A_MAX]
    for k in range(N_ROUTE_PARAMS):
        if not math.isfinite(rp[k]):
            return ROUTE_BAD_PARAMS, -1
    if nv < 2 or not (v1 > 0.0 and a_max > 0.0 and v0 >= 0.0 and tb >= 0.0 and rp[RP_H_CRUISE] > 0.0):
        return ROUTE_BAD_PARAMS, -1
    if tb == 0.0:
        v0 = v1
    v_max = max(v0, v1)
    h_c = rp[RP_H_CRUISE]
    # Vertices on the auxiliary sphere.
    v = np.empty((nv, 3))
    for i in range(nv):
        cl = math.cos(lat[i])
        v[i, 0] = cl * math.cos(lon[i])
        v[i, 1] = cl * math.sin(lon[i])
        v[i, 2] = math.sin(lat[i])
    # Cross-track dispersion: interior vertices move along the bisector of their two legs' left normals by
    # d / cos(Delta / 2) (a parallel route); launch and aim points stay.
    d = rp[RP_CROSS_TRACK]
    if d != 0.0 and nv > 2:
        moved = v.copy()
        for j in range(1, nv - 1):
            b = v[j]
            dot_in = v[j - 1, 0] * b[0] + v[j - 1, 1] * b[1] + v[j - 1, 2] * b[2]
            ti = np.empty(3)
            to = np.empty(3)
            for k in range(3):
                ti[k] = dot_in * b[k] - v[j - 1, k]  # arriving direction, tangent at b
            dot_out = v[j + 1, 0] * b[0] + v[j + 1, 1] * b[1] + v[j + 1, 2] * b[2]
            for k in range(3):
                to[k] = v[j + 1, k] - dot_out * b[k]
            ni = math.sqrt(ti[0] ** 2 + ti[1] ** 2 + ti[2] ** 2)
            no = math.sqrt(to[0] ** 2 + to[1] ** 2 + to[2] ** 2)
            if ni < 1e-12 or no < 1e-12:
                return ROUTE_DEGENERATE_LEG, j
            li = _cross(b[0], b[1], b[2], ti[0] / ni, ti[1] / ni, ti[2] / ni)
            lo = _cross(b[0], b[1], b[2], to[0] / no, to[1] / no, to[2] / no)
            w0, w1, w2 = li[0] + lo[0], li[1] + lo[1], li[2] + lo[2]
            wn = math.sqrt(w0 * w0 + w1 * w1 + w2 * w2)
            if wn < 1e-6:  # a reversal: offset along the outgoing left normal
                w0, w1, w2, wn = lo[0], lo[1], lo[2], 1.0
            cos_half = 0.5 * wn
            delta = d / (max(cos_half, 0.25) * R_EARTH_MEAN_M)
            cd, sd = math.cos(delta), math.sin(delta)
            moved[j, 0] = b[0] * cd + w0 / wn * sd
            moved[j, 1] = b[1] * cd + w1 / wn * sd
            moved[j, 2] = b[2] * cd + w2 / wn * sd
        v = moved
    # Legs: v[i] -> v[i + 1], u(theta) = v[i] cos(theta) + bdir[i] sin(theta).
    n_legs = nv - 1
    theta = np.empty(n_legs)
    bdir = np.empty((n_legs, 3))
    for i in range(n_legs):
        c = v[i, 0] * v[i + 1, 0] + v[i, 1] * v[i + 1, 1] + v[i, 2] * v[i + 1, 2]
        x0, x1, x2 = _cross(v[i, 0], v[i, 1], v[i, 2], v[i + 1, 0], v[i + 1, 1], v[i + 1, 2])
        s = math.sqrt(x0 * x0 + x1 * x1 + x2 * x2)
        theta[i] = math.atan2(s, c)
        if theta[i] < 1e-9 or theta[i] > math.pi - 1e-6:
            return ROUTE_DEGENERATE_LEG, i
        for k in range(3):
            bdir[i, k] = (v[i + 1, k] - c * v[i, k]) / s
    # Turns at the interior vertices.
    rho = v1 * v1 / a_max
    rt[RT_TURN_RADIUS] = rho
    tan_dist = np.zeros(nv)  # unit-sphere distance from a vertex to its fillet's tangent points
    beta = np.zeros(nv)
    turn = np.zeros(nv)  # heading change, rad
    side = np.zeros(nv)  # +1 left turn, -1 right turn
    for j in range(1, nv - 1):
        th = theta[j - 1]
        ti0 = -v[j - 1, 0] * math.sin(th) + bdir[j - 1, 0] * math.cos(th)
        ti1 = -v[j - 1, 1] * math.sin(th) + bdir[j - 1, 1] * math.cos(th)
        ti2 = -v[j - 1, 2] * math.sin(th) + bdir[j - 1, 2] * math.cos(th)
        cosd = ti0 * bdir[j, 0] + ti1 * bdir[j, 1] + ti2 * bdir[j, 2]
        x0, x1, x2 = _cross(ti0, ti1, ti2, bdir[j, 0], bdir[j, 1], bdir[j, 2])
        sind = x0 * v[j, 0] + x1 * v[j, 1] + x2 * v[j, 2]
        turn[j] = math.atan2(abs(sind), cosd)
        side[j] = 1.0 if sind >= 0.0 else -1.0
        w2 = 1.0 - _E2 * v[j, 2] * v[j, 2]
        m_h = _A * (1.0 - _E2) / (w2 * math.sqrt(w2)) + h_c  # meridian radius of curvature + h
        n_h = _A / math.sqrt(w2) + h_c  # prime-vertical radius + h
        tan_beta = rho * n_h / (m_h * m_h)  # the image ellipse's sharpest curvature is 1 / rho
        beta[j] = math.atan(tan_beta)
        xx = tan_beta * math.tan(0.5 * turn[j])
        if xx >= 1.0:
            return ROUTE_TURN_TOO_TIGHT, j
        tan_dist[j] = math.asin(xx)
    for i in range(n_legs):
        if theta[i] - tan_dist[i + 1] < tan_dist[i] - 1e-12:
            return ROUTE_TURN_TOO_TIGHT, (i + 1 if tan_dist[i + 1] >= tan_dist[i] else i)
    # Segments: straight part of leg 0, turn 1, straight part of leg 1, ..., straight part of the last leg.
    n_seg = 2 * n_legs - 1
    geo = np.zeros((n_seg, 11))  # c, e1, e2, cos(beta), sin(beta)
    seg_tau0 = np.zeros(n_seg)
    seg_len = np.zeros(n_seg)
    seg_max = np.zeros(n_seg)
    for i in range(n_legs):
        g = 2 * i
        x0, x1, x2 = _cross(v[i, 0], v[i, 1], v[i, 2], bdir[i, 0], bdir[i, 1], bdir[i, 2])
        geo[g, 0], geo[g, 1], geo[g, 2] = x0, x1, x2
        for k in range(3):
            geo[g, 3 + k] = v[i, k]
            geo[g, 6 + k] = bdir[i, k]
        geo[g, 9] = 0.0
        geo[g, 10] = 1.0
        seg_tau0[g] = tan_dist[i]
        seg_len[g] = max(theta[i] - tan_dist[i + 1] - tan_dist[i], 0.0)
        seg_max[g] = PIECE_MAX_RAD
    for j in range(1, nv - 1):
        g = 2 * j - 1
        if turn[j] < 1e-9:
            continue  # no turn: a zero-length segment
        th = theta[j - 1] - tan_dist[j]
        p = np.empty(3)
        tp = np.empty(3)
        for k in range(3):
            p[k] = v[j - 1, k] * math.cos(th) + bdir[j - 1, k] * math.sin(th)
            tp[k] = -v[j - 1, k] * math.sin(th) + bdir[j - 1, k] * math.cos(th)
        lft = _cross(p[0], p[1], p[2], tp[0], tp[1], tp[2])
        cb, sb = math.cos(beta[j]), math.sin(beta[j])
        for k in range(3):
            geo[g, k] = p[k] * cb + side[j] * lft[k] * sb
            geo[g, 3 + k] = p[k] * sb - side[j] * lft[k] * cb
            geo[g, 6 + k] = tp[k]
        geo[g, 9] = cb
        geo[g, 10] = sb
        # Rotation angle about the centre from the entry to the exit tangent point.
        q0 = q1 = 0.0
        for k in range(3):
            po = v[j, k] * math.cos(tan_dist[j]) + bdir[j, k] * math.sin(tan_dist[j])
            e1p = (po - geo[g, k] * cb) / sb
            q0 += e1p * geo[g, 3 + k]
            q1 += e1p * geo[g, 6 + k]
        ang = math.atan2(q1, q0)
        if ang < 0.0:
            ang += 2.0 * math.pi
        seg_len[g] = sb * ang
        seg_max[g] = sb * ARC_PIECE_MAX_RAD
    seg_sigma0 = np.zeros(n_seg)
    for g in range(1, n_seg):
        seg_sigma0[g] = seg_sigma0[g - 1] + seg_len[g - 1]
    sigma_end = seg_sigma0[n_seg - 1] + seg_len[n_seg - 1]
    # Height profile: distances lengthened to respect the manoeuvre limit.
    h_l = rp[RP_H_LAUNCH]
    h_a = max(rp[RP_H_APEX], h_c)
    d_climb = max(rp[RP_D_CLIMB], math.sqrt(6.0 * abs(h_c - h_l) * v_max * v_max / a_max))
    d_pop = 0.0
    if h_a > h_c:
        d_pop = max(rp[RP_D_POPUP], math.sqrt(6.0 * (h_a - h_c) * v_max * v_max / a_max))
    d_dive = max(rp[RP_D_DIVE], math.sqrt(2.0 * h_a * v_max * v_max / a_max))
    r_launch = _gaussian_radius(v[0, 2])
    r_aim = _gaussian_radius(v[nv - 1, 2])
    sigma_climb = d_climb / r_launch
    sigma_dive = sigma_end - d_dive / r_aim
    sigma_term = sigma_dive - d_pop / r_aim
    rt[RT_SIGMA_END] = sigma_end
    rt[RT_SIGMA_CLIMB] = sigma_climb
    rt[RT_SIGMA_TERMINAL] = sigma_term
    rt[RT_SIGMA_DIVE] = sigma_dive
    rt[RT_V_LAUNCH] = v0
    rt[RT_V_CRUISE] = v1
    rt[RT_T_BOOST] = tb
    rt[RT_H_LAUNCH] = h_l
    rt[RT_H_CRUISE] = h_c
    rt[RT_H_APEX] = h_a
    rt[RT_D_CLIMB] = d_climb
    rt[RT_D_POPUP] = d_pop
    rt[RT_D_DIVE] = d_dive
    rt[RT_FIRST_STRAIGHT] = seg_len[0] * r_launch
    rt[RT_LAST_STRAIGHT] = seg_len[n_seg - 1] * r_aim
    if sigma_climb > sigma_term:
        return ROUTE_TOO_SHORT, -1
    if sigma_climb > seg_sigma0[0] + seg_len[0] + 1e-15:
        return ROUTE_CLIMB_TOO_LONG, 1
    if sigma_term < seg_sigma0[n_seg - 1] - 1e-15:
        return ROUTE_TERMINAL_TOO_LONG, nv - 2
    # Breakpoints of the height profile (ascending).
    bp = np.empty(N_CLIMB_PIECES + N_POPUP_PIECES + N_DIVE_PIECES + 1)
    nbp = 0
    if sigma_climb > 0.0:
        for i in range(1, N_CLIMB_PIECES + 1):
            bp[nbp] = sigma_climb * i / N_CLIMB_PIECES
            nbp += 1
    if sigma_dive > sigma_term:
        for i in range(N_POPUP_PIECES):
            bp[nbp] = sigma_term + (sigma_dive - sigma_term) * i / N_POPUP_PIECES
            nbp += 1
    for i in range(N_DIVE_PIECES):
        bp[nbp] = sigma_dive + (sigma_end - sigma_dive) * i / N_DIVE_PIECES
        nbp += 1
    # Pieces.
    cap = pieces.shape[0]
    n = 0
    ib = 0
    for g in range(n_seg):
        a = seg_sigma0[g]
        b = a + seg_len[g]
        if seg_len[g] <= 1e-14:
            continue
        cur = a
        while True:
            while ib < nbp and bp[ib] <= cur + 1e-14:
                ib += 1
            nxt = b
            if ib < nbp and bp[ib] < b - 1e-14:
                nxt = bp[ib]
            m = max(1, int(math.ceil((nxt - cur) / seg_max[g] - 1e-9)))
            for q in range(m):
                sa = cur + (nxt - cur) * q / m
                sb_ = nxt if q == m - 1 else cur + (nxt - cur) * (q + 1) / m
                if n >= cap:
                    return ROUTE_CAPACITY, -1
                for k in range(11):
                    pieces[n, k] = geo[g, k]
                pieces[n, PC_TAU0] = seg_tau0[g] + (sa - a)
                pieces[n, PC_DTAU] = sb_ - sa
                pieces[n, PC_SIGMA0] = sa
                n += 1
            cur = nxt
            if nxt >= b - 1e-14:
                break
    # Path length polynomial of each piece: interpolate |dr/dsigma| at the Gauss-Legendre nodes, integrate.
    s0 = 0.0
    kq = np.empty(N_POLY)
    for ip in range(n):
        row = pieces[ip]
        dt = row[PC_DTAU]
        kbar = 0.0
        for q in range(N_POLY):
            kq[q] = _speed_k(row, dt * _GL_U[q], rt)
            kbar += kq[q] / N_POLY
        length = 0.0
        for j in range(N_POLY):
            bj = kbar if j == 0 else 0.0  # fit the deviations from the mean: no cancellation in b_j
            for q in range(N_POLY):
                bj += _POLY[j, q] * (kq[q] - kbar)
            row[PC_B + j] = bj * dt
            length += bj * dt
        row[PC_S0] = s0
        row[PC_LEN] = length
        s0 += length
    rt[RT_N_PIECES] = n
    rt[RT_LENGTH] = s0
    s_climb = _s_at_sigma(pieces, n, sigma_climb)
    s_term = _s_at_sigma(pieces, n, sigma_term)
    rt[RT_S_CLIMB] = s_climb
    rt[RT_S_TERMINAL] = s_term
    rt[RT_FLIGHT_S] = _t_of_s(s0, v0, v1, tb)
    rt[RT_T_BOOST_END] = max(tb, _t_of_s(s_climb, v0, v1, tb))
    rt[RT_T_TERMINAL] = _t_of_s(s_term, v0, v1, tb)
    return ROUTE_OK, -1


@nb.njit(cache=True, parallel=True)
def plan_batch(lat, lon, n_vertices, params, pieces, route, status, where):
    """Plan B routes (one thread per route).

    Parameters
    ----------
    lat, lon : (B, V) float64
        Geodetic latitude and longitude of the route vertices (launch, waypoints, aim), rad; row ``b``
        uses its first ``n_vertices[b]`` entries.
    n_vertices : (B,) int64
    params : (B, N_ROUTE_PARAMS) float64
        Route parameters, ``RP_*`` layout, SI.
    pieces : (B, P, N_PIECE_FIELDS) float64, filled
    route : (B, N_ROUTE_FIELDS) float64, filled (``RT_*`` layout; NaN where not computed)
    status : (B,) int8, filled ``ROUTE_*``
    where : (B,) int64, filled: the vertex (or leg) index a failure refers to, else -1
    """
    for b in nb.prange(lat.shape[0]):
        st, w = _plan_one(lat[b], lon[b], n_vertices[b], params[b], pieces[b], route[b])
        status[b] = st
        where[b] = w


@nb.njit(cache=True)
def _evaluate_one(pieces, rt, t0, t_s, r_out, v_out, h_out, phase_out):
    n = int(rt[RT_N_PIECES])
    t_f = rt[RT_FLIGHT_S]
    v0 = rt[RT_V_LAUNCH]
    v1 = rt[RT_V_CRUISE]
    tb = rt[RT_T_BOOST]
    length = rt[RT_LENGTH]
    s_climb = rt[RT_S_CLIMB]
    s_term = rt[RT_S_TERMINAL]
    p = 0
    for i in range(t_s.shape[0]):
        tp = t_s[i] - t0
        if n == 0 or not (tp >= 0.0) or tp >= t_f:
            for k in range(3):
                r_out[i, k] = np.nan
                v_out[i, k] = np.nan
            h_out[i] = np.nan
            phase_out[i] = PHASE_IMPACTED if (n > 0 and tp >= t_f) else PHASE_PRELAUNCH
            continue
        s, speed = _s_of_t(tp, v0, v1, tb)
        if s > length:
            s = length
        while p + 1 < n and pieces[p + 1, PC_S0] <= s:
            p += 1
        while p > 0 and pieces[p, PC_S0] > s:
            p -= 1
        row = pieces[p]
        ds = s - row[PC_S0]
        w = ds / row[PC_LEN]
        for _ in range(8):  # Newton on s(w) = ds; s is nearly linear: 3-4 steps reach rounding
            f = 0.0
            fp = 0.0
            for j in range(N_POLY - 1, -1, -1):
                f = f * w + row[PC_B + j]
                fp = fp * w + (j + 1) * row[PC_B + j]
            step = (f * w - ds) / fp
            w -= step
            if abs(step) < 1e-15:
                break
        tau = min(max(w, 0.0), 1.0) * row[PC_DTAU]
        rx, ry, rz, drx, dry, drz, h = _point(row, tau, rt)
        scale = speed / math.sqrt(drx * drx + dry * dry + drz * drz)
        r_out[i, 0] = rx
        r_out[i, 1] = ry
        r_out[i, 2] = rz
        v_out[i, 0] = drx * scale
        v_out[i, 1] = dry * scale
        v_out[i, 2] = drz * scale
        h_out[i] = h
        if s >= s_term:
            phase_out[i] = PHASE_REENTRY
        elif tp < tb or s < s_climb:
            phase_out[i] = PHASE_BOOST
        else:
            phase_out[i] = PHASE_MIDCOURSE


@nb.njit(cache=True, parallel=True)
def evaluate_batch(pieces, route, index, t0, t_s, r_out, v_out, h_out, phase_out):
    """Fill the states of B flights (one thread per flight).

    Parameters
    ----------
    pieces, route : planned tables of :func:`plan_batch`, (Bp, P, N_PIECE_FIELDS) and (Bp, N_ROUTE_FIELDS)
    index : (B,) int64, the table row each flight flies
    t0 : (B,) float64, launch time of each flight, s since epoch
    t_s : (T,) float64, output times, s since epoch
    r_out, v_out : (B, T, 3) float64, filled: ECEF position (m) and Earth-relative velocity (m/s);
        NaN before launch, after impact and for routes that could not be planned
    h_out : (B, T) float64, filled: geodetic height, m
    phase_out : (B, T) int8, filled: ``PHASE_*`` code
    """
    for b in nb.prange(index.shape[0]):
        j = index[b]
        _evaluate_one(pieces[j], route[j], t0[b], t_s, r_out[b], v_out[b], h_out[b], phase_out[b])


@dataclass
class RouteTable:
    """Planned routes: pieces (B, P, N_PIECE_FIELDS), route rows (B, N_ROUTE_FIELDS) in the ``RT_*``
    layout, ``status`` (B,) ``ROUTE_*`` codes and ``where`` (B,) the vertex index a failure refers to."""

    pieces: np.ndarray
    route: np.ndarray
    status: np.ndarray
    where: np.ndarray

    @property
    def length_m(self) -> np.ndarray:
        """3-D path length launch -> aim, m, (B,)."""
        return self.route[:, RT_LENGTH]

    @property
    def flight_time_s(self) -> np.ndarray:
        """Flight time launch -> impact, s, (B,)."""
        return self.route[:, RT_FLIGHT_S]


def piece_capacity(lat_rad, lon_rad, n_vertices) -> int:
    """An upper bound on the number of pieces any of these routes needs (with cross-track offsets).

    ``lat_rad``, ``lon_rad``: (B, V) vertices; ``n_vertices``: (B,).
    """
    lat = np.atleast_2d(np.asarray(lat_rad, dtype=np.float64))
    lon = np.atleast_2d(np.asarray(lon_rad, dtype=np.float64))
    nv = np.atleast_1d(np.asarray(n_vertices))
    u = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], -1)
    dots = np.clip(np.sum(u[:, :-1] * u[:, 1:], -1), -1.0, 1.0)
    legs = np.ceil(np.arccos(dots) / PIECE_MAX_RAD) + 2.0
    legs = np.where(np.arange(lat.shape[1] - 1)[None, :] < (nv - 1)[:, None], legs, 0.0)
    turns = 7 * np.maximum(nv - 2, 0)
    fixed = N_CLIMB_PIECES + N_POPUP_PIECES + N_DIVE_PIECES + 4
    return int(np.max(legs.sum(axis=1) + turns)) + fixed


def plan_routes(lat_rad, lon_rad, n_vertices, params, capacity: int | None = None) -> RouteTable:
    """Plan routes: allocate the tables and run :func:`plan_batch`.

    Parameters
    ----------
    lat_rad, lon_rad : (B, V) array_like
        Geodetic latitude and longitude of the vertices launch, waypoints..., aim point, rad.
    n_vertices : (B,) array_like of int
        Vertices used in each row (at least 2).
    params : (B, N_ROUTE_PARAMS) array_like
        ``RP_*`` rows, SI.
    capacity : int, optional
        Pieces per route; default :func:`piece_capacity`.

    >>> import numpy as np
    >>> p = np.zeros((1, N_ROUTE_PARAMS))
    >>> p[0, [RP_V_CRUISE, RP_H_CRUISE, RP_H_LAUNCH, RP_A_MAX]] = 250.0, 50.0, 50.0, 20.0
    >>> table = plan_routes([[0.0, 0.0]], [[0.0, 0.01]], [2], p)  # doctest: +SKIP
    >>> int(table.status[0]), round(float(table.length_m[0]) / 1e3, 3)  # doctest: +SKIP
    (0, 63.785)
    """
    lat = np.ascontiguousarray(np.atleast_2d(lat_rad), dtype=np.float64)
    lon = np.ascontiguousarray(np.atleast_2d(lon_rad), dtype=np.float64)
    nv = np.ascontiguousarray(np.atleast_1d(n_vertices), dtype=np.int64)
    rp = np.ascontiguousarray(np.atleast_2d(params), dtype=np.float64)
    b = lat.shape[0]
    if lon.shape != lat.shape or nv.shape != (b,) or rp.shape != (b, N_ROUTE_PARAMS):
        raise ValueError(
            f"shapes: lat {lat.shape}, lon {lon.shape}, n_vertices {nv.shape}, params {rp.shape}; "
            f"expected (B, V), (B, V), (B,), (B, {N_ROUTE_PARAMS})"
        )
    if np.any(nv > lat.shape[1]) or np.any(nv < 0):
        raise ValueError("n_vertices must be between 0 and the number of vertex columns")
    cap = piece_capacity(lat, lon, nv) if capacity is None else int(capacity)
    pieces = np.zeros((b, cap, N_PIECE_FIELDS))
    route = np.empty((b, N_ROUTE_FIELDS))
    status = np.empty(b, dtype=np.int8)
    where = np.empty(b, dtype=np.int64)
    plan_batch(lat, lon, nv, rp, pieces, route, status, where)
    return RouteTable(pieces, route, status, where)


def evaluate_routes(table: RouteTable, t_s, t0_s=0.0, index=None):
    """States of flights along planned routes at the times ``t_s``.

    Parameters
    ----------
    table : RouteTable
        Planned routes (Bp rows).
    t_s : (T,) array_like
        Output times, s since epoch (any order; increasing is fastest).
    t0_s : float or (B,) array_like
        Launch time of each flight, s since epoch.
    index : (B,) array_like of int, optional
        Table row flown by each flight (default: flight b flies row b).

    Returns
    -------
    r_ecef : (B, T, 3) position, m, ECEF (NaN when not flying)
    v_ecef : (B, T, 3) Earth-relative velocity, m/s, ECEF
    alt_m : (B, T) geodetic height, m
    phase : (B, T) int8 ``PHASE_*`` code
    """
    idx = np.arange(table.route.shape[0]) if index is None else np.asarray(index)
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    t0 = np.ascontiguousarray(np.broadcast_to(np.asarray(t0_s, dtype=np.float64), idx.shape))
    t = np.ascontiguousarray(np.atleast_1d(t_s), dtype=np.float64)
    b, nt = idx.shape[0], t.shape[0]
    r = np.empty((b, nt, 3))
    v = np.empty((b, nt, 3))
    h = np.empty((b, nt))
    phase = np.empty((b, nt), dtype=np.int8)
    evaluate_batch(table.pieces, table.route, idx, t0, t, r, v, h, phase)
    return r, v, h, phase
