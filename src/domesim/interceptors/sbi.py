"""Space-based interceptors (SBIs): every piece of their physics, in one place.

Reach: which SBIs can reach a boosting missile before it burns out.

Kinematic model (SI units). An SBI commits at ``t_c`` (detection plus the commit delay) and thrusts
at constant acceleration ``a`` until its fly-out delta-v ``dv`` is spent (the kill vehicle's divert
reserve is not part of the fly-out), then coasts::

    d(tau) = a tau^2 / 2                        for tau <= dv / a
    d(tau) = dv^2 / (2 a) + dv (tau - dv / a)   after

measured from where the SBI would have been on its own orbit: it can intercept at grid time ``t``
when ``|r_missile(t) - r_sbi_orbit(t)| <= d(t - t_c)``, the missile is still boosting and above the
minimum intercept altitude. The straight-line fly-out neglects the differential gravity between the
SBI and the intercept point over the fly-out (of order 1 m/s^2, a few km over 100 s against reaches
of hundreds of km).

Everything runs fused: satellite positions are computed where they are used and never stored as
``(S, T, 3)``. A coarse bound (distance at the window's middle minus the most either side can move)
skips satellites that are far from every missile; the pair-checks counted in benchmarks are the
brute-force ones ``epochs x satellites x missiles x steps``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, cast

import numba as nb
import numpy as np

from domesim.core import ballistic as phases
from domesim.core import kepler
from domesim.core.constants import GM_EARTH_M3_S2, OMEGA_EARTH_RAD_S
from domesim.core.frames import ecef_to_eci_xyz
from domesim.errors import ParameterError

# The kernels' record of one SBI class's fly-out (SI; :meth:`SbiKinematics.record`).
KINEMATICS_DTYPE = np.dtype(
    [
        ("accel_m_s2", "f8"),
        ("flyout_dv_m_s", "f8"),
        ("commit_delay_s", "f8"),
        ("min_intercept_alt_m", "f8"),
    ]
)


@dataclass(frozen=True, kw_only=True)
class SbiKinematics:
    """Fly-out of one SBI class, SI units.

    >>> kin = SbiKinematics(accel_m_s2=50.0, flyout_dv_m_s=4000.0, commit_delay_s=0.0,
    ...     min_intercept_alt_m=0.0)
    >>> kin.distance_m(np.array([40.0, 100.0])).tolist()
    [40000.0, 240000.0]
    """

    accel_m_s2: float  # thrust acceleration of the fly-out
    flyout_dv_m_s: float  # delta-v of the fly-out (the kill vehicle's divert reserve excluded)
    commit_delay_s: float  # first detection -> commit
    min_intercept_alt_m: float  # no intercept below this height

    def __post_init__(self) -> None:
        if not (self.accel_m_s2 > 0 and self.flyout_dv_m_s > 0 and self.commit_delay_s >= 0):
            raise ParameterError(
                "SBI kinematics: accel_m_s2 and flyout_dv_m_s must be > 0 and commit_delay_s >= 0 "
                f"(got {self.accel_m_s2:g}, {self.flyout_dv_m_s:g}, {self.commit_delay_s:g})"
            )

    def distance_m(self, tau_s):
        """Fly-out distance after ``tau_s`` seconds (module equation)."""
        return flyout_distance(np.asarray(tau_s, dtype=np.float64), self.accel_m_s2, self.flyout_dv_m_s)

    def record(self) -> np.void:
        """The kernels' record of this fly-out (:data:`KINEMATICS_DTYPE`)."""
        rec = np.zeros((), KINEMATICS_DTYPE)
        for name in KINEMATICS_DTYPE.names or ():
            rec[name] = getattr(self, name)
        return cast(np.void, rec.view(np.recarray)[()])  # attribute access, compiled or not


class Window(NamedTuple):
    """Missile tracks over a window of grid steps, in the inertial frame of one epoch."""

    track: np.ndarray  # (M, W, 3) positions, m (meaningful where ok)
    centre: np.ndarray  # (M, 3) mean of each track's usable positions
    radius: np.ndarray  # (M,) largest distance of a usable position from the centre (-1: none)
    ok: np.ndarray  # (M, W) bool: the step is usable (boosting, above the floor, after commit)
    t_s: np.ndarray  # (W,) times of the window's steps, s


@nb.vectorize(["float64(float64, float64, float64)"], cache=True)
def flyout_distance(tau, accel, dv):
    """Fly-out distance (m) after ``tau`` s at acceleration ``accel`` to delta-v ``dv`` (0 before commit)."""
    if tau <= 0.0:
        return 0.0
    t_burn = dv / accel
    if tau <= t_burn:
        return 0.5 * accel * tau * tau
    return 0.5 * dv * t_burn + dv * (tau - t_burn)


@nb.njit(cache=True)
def tracks_inertial(r_ecef, ok, t_s, theta0, offset, track, centre, radius):
    """Missile tracks (M, W, 3) into the inertial frame of one epoch; centre (M, 3) and radius (M,)."""
    n_m, n_w = ok.shape
    for m in range(n_m):
        count = 0
        centre[m, :] = 0.0
        for w in range(n_w):
            if ok[m, w]:
                theta = theta0 + OMEGA_EARTH_RAD_S * (t_s[w] + offset)
                p, out = r_ecef[m, w], track[m, w]
                out[0], out[1], out[2] = ecef_to_eci_xyz(math.cos(theta), math.sin(theta), p[0], p[1], p[2])
                centre[m] += track[m, w]
                count += 1
        radius[m] = -1.0  # no usable step
        if count:
            centre[m] /= count
            radius[m] = 0.0
            for w in range(n_w):
                if ok[m, w]:
                    d = track[m, w] - centre[m]
                    radius[m] = max(radius[m], math.sqrt(d[0] ** 2 + d[1] ** 2 + d[2] ** 2))


@nb.njit(cache=True)
def earliest_steps(el, rate, window, t_commit, offset, kin, out):
    """Earliest usable step (index into the window, -1 if none) of the satellite of elements ``el`` and
    rates ``rate`` for every missile of ``window`` (a :class:`Window`), with the fly-out ``kin`` (a
    :data:`KINEMATICS_DTYPE` record), the constellation ``offset`` s later.

    Returns the number of missiles this satellite can reach.
    """
    track, centre, radius, ok, t_s = window
    accel, dv = kin.accel_m_s2, kin.flyout_dv_m_s
    n_m, n_w = ok.shape
    t_mid = 0.5 * (t_s[0] + t_s[n_w - 1])
    half = 0.5 * (t_s[n_w - 1] - t_s[0])
    reach_max = flyout_distance(t_s[n_w - 1] - t_commit.min(), accel, dv)
    if el[1] == 0.0:  # circular: reject on the z coordinate alone (one sine), most satellites go here
        z = el[0] * math.sin(el[2]) * math.sin(el[4] + el[5] + (rate[1] + rate[2]) * (t_mid + offset))
        move = 1.01 * math.sqrt(GM_EARTH_M3_S2 / el[0]) * half  # orbital speed, with room for J2 rates
        near = False
        for m in range(n_m):
            near = near or (radius[m] >= 0.0 and abs(z - centre[m, 2]) - radius[m] - move <= reach_max)
        if not near:
            for m in range(n_m):
                out[m] = -1
            return 0
    r_sat, v_sat = np.empty(3), np.empty(3)
    kepler.state_at(el, rate, t_mid + offset, r_sat, v_sat)
    speed = math.sqrt(v_sat[0] ** 2 + v_sat[1] ** 2 + v_sat[2] ** 2)
    near = False
    for m in range(n_m):
        out[m] = -1
        if radius[m] >= 0.0:
            d = r_sat - centre[m]
            gap = math.sqrt(d[0] ** 2 + d[1] ** 2 + d[2] ** 2) - radius[m] - speed * half
            near = near or gap <= reach_max
    if not near:
        return 0
    found = 0
    for w in range(n_w):
        wanted = False
        for m in range(n_m):
            wanted = wanted or (out[m] < 0 and ok[m, w])
        if not wanted:
            continue
        kepler.state_at(el, rate, t_s[w] + offset, r_sat, v_sat)
        for m in range(n_m):
            if out[m] >= 0 or not ok[m, w]:
                continue
            d = track[m, w] - r_sat
            reach = flyout_distance(t_s[w] - t_commit[m], accel, dv)
            if d[0] ** 2 + d[1] ** 2 + d[2] ** 2 <= reach * reach:
                out[m] = w
                found += 1
    return found


@nb.njit(cache=True)
def _assign_k(steps, need):
    """Greedy: give missile ``m`` ``need[m]`` distinct satellites (fewest options first); the counts."""
    n_s, n_m = steps.shape
    options = np.zeros(n_m, dtype=np.int64)
    shared = np.zeros(n_s, dtype=np.int64)  # how many missiles each satellite can reach
    for s in range(n_s):
        for m in range(n_m):
            if steps[s, m] >= 0:
                options[m] += 1
                shared[s] += 1
    used = np.zeros(n_s, dtype=np.bool_)
    got = np.zeros(n_m, dtype=np.int64)
    for m in np.argsort(options):
        while got[m] < need[m]:
            best, best_shared = -1, n_m + 1
            for s in range(n_s):
                if steps[s, m] >= 0 and not used[s] and shared[s] < best_shared:
                    best, best_shared = s, shared[s]
            if best < 0:
                break
            used[best] = True
            got[m] += 1
    return got


@nb.njit(cache=True, parallel=True)
def _availability(elements, rates, missiles, theta0, offsets, kinematics, need, in_reach, assigned):
    """``missiles``: (r_ecef, ok, t_s, t_commit) of :func:`availability`. ``kinematics``: a (1,)
    KINEMATICS_DTYPE array (a parallel loop takes a record only inside an array). The outputs are plain
    arguments, never in a tuple: numba's parallel loops lose some writes to arrays that come in tuples."""
    r_ecef, ok, t_s, t_commit = missiles
    n_e = offsets.size
    n_s = elements.shape[0]
    n_m, n_w = ok.shape
    for e in nb.prange(n_e):
        kin = kinematics[0]
        track = np.empty((n_m, n_w, 3))
        centre = np.empty((n_m, 3))
        radius = np.empty(n_m)
        tracks_inertial(r_ecef, ok, t_s, theta0, offsets[e], track, centre, radius)
        window = Window(track, centre, radius, ok, t_s)
        steps = np.full((n_s, n_m), -1, dtype=np.int64)
        for s in range(n_s):
            earliest_steps(elements[s], rates[s], window, t_commit, offsets[e], kin, steps[s])
        for m in range(n_m):
            in_reach[e, m] = (steps[:, m] >= 0).sum()
        assigned[e] = _assign_k(steps, need)


def availability(
    elements: np.ndarray,
    r_ecef: np.ndarray,
    usable: np.ndarray,
    t_s: np.ndarray,
    t_commit_s: np.ndarray,
    theta0_rad: float,
    offsets_s: np.ndarray,
    kin: SbiKinematics,
    k: int | np.ndarray = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """SBIs in reach of each missile of a salvo, at each of several epochs.

    Parameters
    ----------
    elements : (S, 6) SBI mean elements at t = 0 (:mod:`domesim.core.kepler`), inertial frame.
    r_ecef : (M, W, 3) missile positions on the boost window's grid, m, ECEF.
    usable : (M, W) bool, the missile is boosting and above the minimum intercept altitude.
    t_s : (W,) window times, s since the scenario epoch.
    t_commit_s : (M,) commit time of each missile (detection + delay), s.
    theta0_rad : Earth rotation angle at t = 0 (ECEF -> inertial).
    offsets_s : (E,) epoch offsets: the attack happens ``offset`` seconds later against the same
        constellation (constellation and Earth both move on).
    kin : SBI kinematics.
    k : interceptors wanted per missile, each SBI serving one missile; or (M,) one count per missile
        (a trajectory flown by ``c`` missiles launched together from one site wants ``c k``: every SBI
        that reaches one of them reaches all).

    Returns
    -------
    in_reach : (E, M) number of SBIs that can reach each missile.
    assigned : (E, M) distinct SBIs given to each missile by a greedy assignment (at most its ``k``);
        the salvo is covered at an epoch when every entry is its ``k``. Greedy can only under-count, so
        a coverage probability from it is a lower bound.
    """
    elements = np.ascontiguousarray(elements, dtype=np.float64)
    n_e, n_m = np.size(offsets_s), r_ecef.shape[0]
    need = np.ascontiguousarray(np.broadcast_to(np.asarray(k, dtype=np.int64), (n_m,)))
    in_reach = np.zeros((n_e, n_m), dtype=np.int64)
    assigned = np.zeros((n_e, n_m), dtype=np.int64)
    # only the steps at which some missile can be intercepted after its commit matter
    usable = np.asarray(usable, dtype=bool) & (np.asarray(t_s)[None, :] > np.asarray(t_commit_s)[:, None])
    steps = np.flatnonzero(usable.any(axis=0))
    if steps.size == 0:
        return in_reach, assigned
    window = slice(steps[0], steps[-1] + 1)
    r_ecef, usable, t_s = np.asarray(r_ecef)[:, window], usable[:, window], np.asarray(t_s)[window]
    _availability(
        elements,
        kepler.element_rates(elements),
        (
            np.ascontiguousarray(r_ecef, dtype=np.float64),
            np.ascontiguousarray(usable, dtype=np.bool_),
            np.ascontiguousarray(t_s, dtype=np.float64),
            np.ascontiguousarray(t_commit_s, dtype=np.float64),
        ),
        float(theta0_rad),
        np.ascontiguousarray(offsets_s, dtype=np.float64).reshape(-1),
        np.array([kin.record()]).view(np.recarray),
        need,
        in_reach,
        assigned,
    )
    return in_reach, assigned


# satellite-epochs of the random-phasing fraction: a fraction of 2e-4 (one SBI in 5,000) comes to 3 %
RANDOM_PHASING_SAMPLES = 6_400_000


class ShellReach(NamedTuple):
    """How near an SBI on a shell of orbits can get to each missile of a salvo (:func:`shell_reach`).

    All (M,) arrays, one entry per missile; distances in m, times in s since the scenario epoch.
    """

    margin_m: np.ndarray  # best fly-out distance minus distance to the shell over the steps after commit
    flyout_m: np.ndarray  # fly-out distance at that best step (0 if no step is left after commit)
    gap_m: np.ndarray  # distance from the missile to the nearest point of the shell at that step (or nan)
    best_t_s: np.ndarray  # the best step (nan if none)
    first_t_s: np.ndarray  # first step at which the missile can be intercepted at all (nan if none)
    last_t_s: np.ndarray  # last such step: burnout, or the floor (nan if none)
    flyout_end_m: np.ndarray  # fly-out distance at the last step after commit (0 if none): the reach it has
    nearest_m: np.ndarray  # least distance from the missile to the shell over the steps after commit (nan)

    @property
    def reachable(self) -> np.ndarray:
        """(M,) bool: some SBI of a dense enough constellation on this shell can reach the missile."""
        return self.margin_m >= 0.0


def shell_reach(
    r_ecef: np.ndarray,
    usable: np.ndarray,
    t_s: np.ndarray,
    t_commit_s: np.ndarray,
    kin: SbiKinematics,
    shell_radius_m: float,
    inc_rad: float,
) -> ShellReach:
    """The dense-constellation limit: can any SBI on the shell of radius ``shell_radius_m`` and inclination
    ``inc_rad`` reach each missile before it burns out, and by how much does it fall short?

    Circular orbits of inclination ``i`` fill the band of the sphere ``|lat| <= min(i, 180 deg - i)``.
    At each step ``t`` at which the missile can be intercepted, after commit, an SBI can be anywhere on
    that band; the nearest point of the band is ``gap(t)`` away (straight up or down inside the band, to
    the band's edge at the missile's longitude outside it), and the fly-out covers ``d(t - t_c)``
    (:func:`flyout_distance`). The missile can be reached by a large enough constellation exactly when
    ``d(t - t_c) >= gap(t)`` at some step: a necessary condition for every constellation on the shell.
    Latitude is unchanged by the Earth's rotation, so the check needs no epoch.

    Parameters are those of :func:`availability`; ``usable`` (M, W) before the commit cut.

    >>> kin = SbiKinematics(accel_m_s2=100.0, flyout_dv_m_s=4000.0, commit_delay_s=0.0,
    ...     min_intercept_alt_m=0.0)
    >>> r = np.array([[[6_678_137.0 - 50e3, 0.0, 0.0]]])  # 50 km under a 300 km shell, on the equator
    >>> reach = shell_reach(r, np.ones((1, 1), bool), np.array([40.0]), np.array([0.0]), kin,
    ...     6_678_137.0, 0.9)
    >>> round(float(reach.margin_m[0]) / 1e3, 1), bool(reach.reachable[0])  # 80 km flown in 40 s
    (30.0, True)
    """
    r_ecef = np.asarray(r_ecef, dtype=np.float64)
    usable = np.asarray(usable, dtype=bool)
    t_s = np.asarray(t_s, dtype=np.float64)
    t_commit = np.asarray(t_commit_s, dtype=np.float64)
    n_m = r_ecef.shape[0]
    radius = np.linalg.norm(r_ecef, axis=-1)  # (M, W)
    lat = np.arcsin(np.clip(r_ecef[..., 2] / np.maximum(radius, 1.0), -1.0, 1.0))
    band = min(inc_rad, math.pi - inc_rad)
    outside = np.maximum(np.abs(lat) - band, 0.0)  # angle from the missile to the band's edge
    gap = np.sqrt(
        np.maximum(radius**2 + shell_radius_m**2 - 2.0 * radius * shell_radius_m * np.cos(outside), 0.0)
    )
    after = usable & (t_s[None, :] > t_commit[:, None])
    flyout = kin.distance_m(t_s[None, :] - t_commit[:, None])
    margin = np.where(after, flyout - gap, -np.inf)
    best = np.argmax(margin, axis=1)
    rows = np.arange(n_m)
    some = after.any(axis=1)
    ever = usable.any(axis=1)
    nan = np.full(n_m, np.nan)
    return ShellReach(
        margin_m=margin[rows, best],
        flyout_m=np.where(some, flyout[rows, best], 0.0),
        gap_m=np.where(some, gap[rows, best], nan),
        best_t_s=np.where(some, t_s[best], nan),
        first_t_s=np.where(ever, t_s[np.argmax(usable, axis=1)], nan),
        last_t_s=np.where(ever, t_s[usable.shape[1] - 1 - np.argmax(usable[:, ::-1], axis=1)], nan),
        flyout_end_m=np.where(some, np.where(after, flyout, 0.0).max(axis=1), 0.0),
        nearest_m=np.where(some, np.where(after, gap, np.inf).min(axis=1), nan),
    )


def random_phasing_fraction(
    r_ecef: np.ndarray,
    usable: np.ndarray,
    t_s: np.ndarray,
    t_commit_s: np.ndarray,
    theta0_rad: float,
    kin: SbiKinematics,
    shell_radius_m: float,
    inc_rad: float,
    samples: int = RANDOM_PHASING_SAMPLES,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Fraction of a randomly phased shell of SBIs that can reach each missile, and its standard error.

    The absentee ratio's one geometric input, measured on the missiles' own boost trajectories with the
    same fly-out as :func:`availability`: satellites on circular orbits of radius ``shell_radius_m`` and
    inclination ``inc_rad``, ascending node and argument of latitude uniform (random phasing), at random
    epochs; ``samples`` satellite-epochs in all. The fraction includes the latitude concentration of the
    inclined shell over the launch area. Each satellite-epoch is a Bernoulli trial, so the standard error
    is ``sqrt(f (1 - f) / samples)``.

    Returns (M,) fractions and (M,) standard errors.
    """
    epochs = 64
    per_epoch = max(1, samples // epochs)
    rng = np.random.default_rng(seed)
    el = np.zeros((per_epoch, 6))
    el[:, 0] = shell_radius_m
    el[:, 2] = inc_rad
    el[:, 3] = rng.uniform(0.0, 2.0 * math.pi, per_epoch)
    el[:, 5] = rng.uniform(0.0, 2.0 * math.pi, per_epoch)
    offsets = rng.uniform(0.0, 86164.0905, epochs)  # one sidereal day: the nodes over the Earth at random
    in_reach, _ = availability(el, r_ecef, usable, t_s, t_commit_s, theta0_rad, offsets, kin, 1)
    trials = float(per_epoch * epochs)
    fraction = in_reach.sum(axis=0) / trials
    return fraction, np.sqrt(fraction * (1.0 - fraction) / trials)


# ----------------------------------------------------------------------------- the boost-phase layer
# The boost-phase layer: space-based interceptors (SBIs) engaging missiles before burnout.
#
# Per trial (each with its own constellation epoch offset), every boosting object (a missile's bus, a
# single-warhead missile, a glide vehicle's booster, a fractional-orbit booster) gets the SBIs that can
# reach it (:mod:`domesim.interceptors.sbi`, on the real boost trajectory). Missiles are served in the order
# they become committable; each takes a salvo of the SBIs with the earliest intercepts that still hold
# an interceptor, so several missiles launched together from one region compete for the same few SBIs
# overhead. A salvo kills with ``r (1 - (1 - p)^n)`` (one reliability draw, one draw per interceptor,
# from the ``kill.sbi`` stream). A kill in boost kills everything the missile would have released.
# There is no second salvo: boost windows are too short to look and shoot again.
# The boost kernel's record of one SBI layer (SI; :meth:`SbiLayer.record`): its fly-out and doctrine.
LAYER_DTYPE = np.dtype(
    [
        ("kinematics", KINEMATICS_DTYPE),
        ("per_satellite", "i8"),
        ("salvo", "i8"),
        ("sspk", "f8"),
        ("reliability", "f8"),
    ]
)


@dataclass(frozen=True, kw_only=True)
class SbiLayer:
    """A constellation of space-based interceptors (one battery of the world, on orbit)."""

    name: str
    kinematics: SbiKinematics
    elements: np.ndarray  # (S, 6) mean elements at the scenario epoch, domesim eci
    per_satellite: int  # interceptors carried by each satellite
    salvo: int  # interceptors fired together at one missile
    sspk: float  # single-shot kill probability
    reliability: float  # probability that a salvo is launched and flies as designed

    def __post_init__(self) -> None:
        problems = [
            "elements must be (S, 6)"
            if np.ndim(self.elements) != 2 or np.shape(self.elements)[1] != 6
            else "",
            "per_satellite and salvo must be >= 1"
            if not (self.per_satellite >= 1 and self.salvo >= 1)
            else "",
            "sspk and reliability must be between 0 and 1"
            if not (0.0 <= self.sspk <= 1.0 and 0.0 <= self.reliability <= 1.0)
            else "",
        ]
        if any(problems):
            raise ParameterError(f"SBI layer {self.name!r}: " + "; ".join(p for p in problems if p))

    def record(self) -> np.void:
        """The boost kernel's record of this layer (:data:`LAYER_DTYPE`)."""
        rec = np.zeros((), LAYER_DTYPE)
        rec["kinematics"] = self.kinematics.record()
        for name in (LAYER_DTYPE.names or ())[1:]:
            rec[name] = getattr(self, name)
        return cast(np.void, rec.view(np.recarray)[()])  # attribute access, compiled or not


class Boosters(NamedTuple):
    """The boosting objects of a chunk's trials, as the boost kernel takes them."""

    r_ecef: np.ndarray  # (R, N, T, 3) truth positions of all objects, m, ECEF
    usable: np.ndarray  # (R, B, T) bool: boosting and above the layer's floor
    objects: np.ndarray  # (B,) int64 index of each boosting object among the N
    t_s: np.ndarray  # (T,) grid times, s
    t_commit_s: np.ndarray  # (R, B) commit time of each (detection plus the commit delay), s


@nb.njit(cache=True, parallel=True)
def _engage_boost(elements, rates, layers, boosters, theta0, offsets, u, left, shots, step_out, hit, fired):
    """``layers``: a (1,) LAYER_DTYPE array (a parallel loop takes a record only inside an array).
    ``left`` (R, S): interceptors each satellite still holds in each trial, spent in place. The outputs are
    plain arguments, never in a tuple: numba's parallel loops lose some writes to arrays that come in
    tuples."""
    r_ecef, usable, boost_obj, t_s, t_commit = boosters
    salvo = layers[0].salvo
    sspk, reliability = layers[0].sspk, layers[0].reliability
    n_r = r_ecef.shape[0]
    n_b = boost_obj.size
    n_s = elements.shape[0]
    n_t = t_s.size
    for r in nb.prange(n_r):
        kin = layers[0].kinematics
        # the window: every step at which some missile is usable
        k_lo, k_hi = n_t, -1
        for b in range(n_b):
            for k in range(n_t):
                if usable[r, b, k]:
                    k_lo, k_hi = min(k_lo, k), max(k_hi, k)
        if k_hi < 0:
            continue
        n_w = k_hi - k_lo + 1
        pos = np.empty((n_b, n_w, 3))
        ok = np.zeros((n_b, n_w), dtype=np.bool_)
        for b in range(n_b):
            for w in range(n_w):
                ok[b, w] = usable[r, b, k_lo + w] and t_s[k_lo + w] > t_commit[r, b]
                pos[b, w] = r_ecef[r, boost_obj[b], k_lo + w]
        tw = t_s[k_lo : k_hi + 1]
        track = np.empty((n_b, n_w, 3))
        centre = np.empty((n_b, 3))
        radius = np.empty(n_b)
        tracks_inertial(pos, ok, tw, theta0, offsets[r], track, centre, radius)
        window = Window(track, centre, radius, ok, tw)
        steps = np.full((n_s, n_b), -1, dtype=np.int64)
        for s in range(n_s):
            earliest_steps(elements[s], rates[s], window, t_commit[r], offsets[r], kin, steps[s])
        held = left[r]  # this trial's row, spent in place
        for b in np.argsort(t_commit[r]):
            take = 0
            latest = -1
            while take < salvo:  # the earliest intercepts among the SBIs that still hold one
                best = -1
                for s in range(n_s):
                    if held[s] > 0 and steps[s, b] >= 0 and (best < 0 or steps[s, b] < steps[best, b]):
                        best = s
                if best < 0:
                    break
                held[best] -= 1
                latest = max(latest, steps[best, b])
                take += 1
            if take == 0:
                continue
            shots[r, b] = take
            fired[r] += take
            step_out[r, b] = k_lo + latest
            kill = False
            if u[r, b, 0] < reliability:
                for q in range(take):
                    kill = kill or u[r, b, q + 1] < sspk
            hit[r, b] = kill


def engage_boost(
    layer: SbiLayer,
    r_ecef: np.ndarray,
    alt_m: np.ndarray,
    phase: np.ndarray,
    boost_objects: np.ndarray,
    t_s: np.ndarray,
    t_detect_s: np.ndarray,
    theta0_rad: float,
    offsets_s: np.ndarray,
    u: np.ndarray,
    left: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Boost-phase engagements of one SBI layer for every trial of a chunk.

    Parameters
    ----------
    r_ecef, alt_m, phase : (R, N, T[, 3]) truth (:class:`domesim.threats.batch.ThreatBatch`).
    boost_objects : (B,) indices of the objects that boost (one per missile).
    t_detect_s : (R, B) first detection of each boosting object, s (inf if never seen).
    offsets_s : (R,) constellation epoch offset of each trial, s.
    u : (R, B, 1 + salvo) uniforms of the ``kill.sbi`` stream.
    left : (R, S) int64, optional: interceptors each satellite holds in each trial (a campaign's satellites
        spent in earlier waves or killed by anti-satellite weapons), spent in place; default: a full load.

    Returns per (R, B): ``shots`` fired, intercept ``step`` (-1 if none), ``hit``; and ``fired`` (R,).
    """
    n_r, n_b = len(r_ecef), len(boost_objects)
    kin = layer.kinematics
    sub = phase[:, boost_objects]
    usable = (sub == phases.PHASE_BOOST) & (
        np.nan_to_num(alt_m[:, boost_objects], nan=-1.0) >= kin.min_intercept_alt_m
    )
    out = {
        "shots": np.zeros((n_r, n_b), dtype=np.int64),
        "step": np.full((n_r, n_b), -1, dtype=np.int64),
        "hit": np.zeros((n_r, n_b), dtype=np.bool_),
        "fired": np.zeros(n_r, dtype=np.int64),
    }
    if n_b == 0:
        return out
    elements = np.ascontiguousarray(layer.elements, dtype=np.float64)
    if left is None:
        left = np.full((n_r, elements.shape[0]), layer.per_satellite, dtype=np.int64)
    if left.shape != (n_r, elements.shape[0]) or left.dtype != np.int64 or not left.flags.c_contiguous:
        raise ValueError(f"left must be a C-contiguous int64 array of shape {(n_r, elements.shape[0])}")
    boosters = Boosters(
        np.ascontiguousarray(r_ecef),
        np.ascontiguousarray(usable),
        np.ascontiguousarray(boost_objects, dtype=np.int64),
        np.ascontiguousarray(t_s, dtype=np.float64),
        np.ascontiguousarray(t_detect_s + kin.commit_delay_s, dtype=np.float64),
    )
    _engage_boost(
        elements,
        kepler.element_rates(elements),
        np.array([layer.record()]).view(np.recarray),
        boosters,
        float(theta0_rad),
        np.ascontiguousarray(offsets_s, dtype=np.float64),
        u,
        left,
        out["shots"],
        out["step"],
        out["hit"],
        out["fired"],
    )
    return out
