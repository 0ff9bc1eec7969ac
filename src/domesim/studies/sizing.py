"""Sizing a space-based interceptor constellation by simulation, next to the absentee-ratio estimate.

The question: the smallest Walker constellation (``planes x per_plane`` at a given altitude and
inclination) such that every missile of a salvo has at least ``k`` SBIs of its own in reach with
probability at least ``p`` over random epochs (the attack comes at any time). Three steps:

1. **Reach** (:func:`check_reach`): can an SBI anywhere on the shell reach each missile before it burns
   out at all (the dense-constellation limit, :func:`domesim.interceptors.sbi.shell_reach`)? If not, no
   constellation on that shell will do, and the answer comes at once, with the reach the SBI does have.
2. **Estimate** (:func:`estimate_size`): the absentee ratio in the same setting. Its one geometric input,
   the fraction ``f`` of a randomly phased shell that can reach the missile, is measured on the same boost
   trajectories with the same fly-out (:func:`domesim.interceptors.sbi.random_phasing_fraction`), not
   taken from the first-order reach ``v (t_burn - t_commit)``. ``N = n k / f`` puts in reach, on average,
   the ``n k`` SBIs that ``n`` missiles launched together from one site need (the published form,
   proportional to the salvo); the random-phasing form asks ``P(Poisson(N f) >= n k) >= p``.
3. **Search** (:func:`size_constellation`): for each number of planes in a band around the estimate,
   satellites per plane are scanned upwards from the estimate's lower bound (coarse steps, then a
   bisection inside the last step) to the first count that meets the requirement. A scan, not a plain
   bisection, because coverage is not monotonic in the count: how the ascending and descending sheets of
   a Walker pattern interleave over the launch latitude changes with it, and one more satellite per plane
   can open a gap. The smallest total wins.

Salvo scaling. ``n`` missiles launched together from one site fly one trajectory: every SBI that reaches
one reaches all, so ``n k`` must be in reach at once, and the constellation grows nearly in proportion to
``n``, as the absentee ratio says. Launched from points spread over a region wider than the SBI's reach,
they draw on different SBIs, and what must hold is only that each missile's own neighbourhood is covered
at the same epoch: the constellation grows far more slowly. ``size sbi --salvo-from`` offers both.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from domesim.core.analytic import latitude_factor, size_for_fraction
from domesim.core.constants import R_EARTH_EQ_M, R_EARTH_MEAN_M
from domesim.errors import ParameterError
from domesim.interceptors.sbi import (
    RANDOM_PHASING_SAMPLES,
    SbiKinematics,
    ShellReach,
    availability,
    random_phasing_fraction,
    shell_reach,
)
from domesim.montecarlo.executors import Executor, InProcess
from domesim.orbits.constellation import Walker, check_orbit

SALVO_FROM = ("one-site", "spread")  # simultaneous launches from one site | from points over a region
DELAY_FROM = ("detection", "launch")  # what the commit delay counts from


@dataclass(frozen=True, kw_only=True)
class Salvo:
    """Boost trajectories of a salvo on the grid, one row per distinct trajectory.

    A salvo launched from one site is one trajectory flown by every missile (``copies = [n]``); a salvo
    spread over a region has one trajectory per missile. Times are s since the scenario epoch.
    """

    r_ecef: np.ndarray  # (M, W, 3) m, ECEF
    usable: np.ndarray  # (M, W) bool: boosting and above the SBI's minimum intercept altitude
    t_s: np.ndarray  # (W,)
    t_launch_s: np.ndarray  # (M,)
    t_detect_s: np.ndarray  # (M,) the plume clears the detection altitude
    t_commit_s: np.ndarray  # (M,) the SBIs may fly out (the delay after launch or after detection)
    t_burnout_s: np.ndarray  # (M,) last boosting step (the thrust is cut for the aim point's range)
    copies: np.ndarray  # (M,) int: missiles flying each trajectory
    theta0_rad: float  # Earth rotation angle at t = 0
    launch_lat_rad: float  # mean launch latitude (for the latitude factor of the effective reach)
    burn_s: float  # the class's boost duration (or the one asked for)
    delay_s: float  # the commit delay
    delay_from: str  # "detection" or "launch" (DELAY_FROM)
    salvo_from: str  # "one-site" or "spread" (SALVO_FROM)
    label: str = "the salvo"  # for messages: "icbm_solid from north_korea"

    def __post_init__(self) -> None:
        if self.delay_from not in DELAY_FROM or self.salvo_from not in SALVO_FROM:
            raise ParameterError(
                f"salvo: delay_from must be one of {DELAY_FROM} and salvo_from one of {SALVO_FROM} "
                f"(got {self.delay_from!r}, {self.salvo_from!r})"
            )

    @property
    def missiles(self) -> int:
        return int(np.sum(self.copies))

    def after_launch(self, t_s: np.ndarray) -> float:
        """Mean over the trajectories of ``t_s - t_launch_s``, s."""
        return float(np.mean(np.asarray(t_s) - self.t_launch_s))

    def commit_text(self) -> str:
        """When the SBIs may fly out, in words: '92 s after launch (60 s after detection at 32 s)'."""
        commit = self.after_launch(self.t_commit_s)
        if self.delay_from == "launch":
            return f"{commit:.0f} s after launch (the delay counted from launch)"
        detect = self.after_launch(self.t_detect_s)
        return f"{commit:.0f} s after launch ({self.delay_s:g} s after detection at {detect:.0f} s)"


@dataclass(frozen=True, kw_only=True)
class Shell:
    """The orbits the constellation is sized on: circular, at one altitude and inclination."""

    alt_m: float
    inc_rad: float

    def __post_init__(self) -> None:
        check_orbit(self.alt_m, self.inc_rad, "--alt-km/--inc-deg")

    @property
    def radius_m(self) -> float:
        return R_EARTH_EQ_M + self.alt_m  # as orbits.constellation.Walker

    def text(self) -> str:
        return f"{self.alt_m / 1e3:g} km, {math.degrees(self.inc_rad):g} deg"


@dataclass(frozen=True, kw_only=True)
class Requirement:
    """Every missile of the salvo gets ``k`` SBIs of its own in reach, with probability ``p`` over epochs."""

    k: int = 1
    p: float = 0.9

    def __post_init__(self) -> None:
        if not (self.k >= 1 and 0.0 < self.p < 1.0):
            raise ParameterError(f"requirement: k must be >= 1 and 0 < p < 1 (got {self.k}, {self.p:g})")


@dataclass(frozen=True, kw_only=True)
class Estimate:
    """The absentee-ratio estimate in the sizing's own setting (module docstring, step 2)."""

    fraction: float  # of a randomly phased shell that can reach a missile (mean over trajectories)
    fraction_se: float  # its Monte Carlo standard error
    fraction_min: float  # of the hardest trajectory to reach
    in_reach: int  # SBIs wanted in reach of one site: n k (the salvo's missiles share those overhead)
    absentee_size: int  # ceil(n k / f): n k in reach on average (the published absentee ratio)
    random_phasing_size: int  # smallest N with P(Poisson(N f) >= n k) >= p
    lower_bound: int  # no pattern meets p with fewer: its mean count must reach p k per missile
    first_order_reach_km: float  # v (t_burn - t_commit): the first-order reach of the published estimates
    effective_reach_km: float | None  # ground radius of the cap that holds the fraction f (None: no F)


class SearchStep(NamedTuple):
    """One constellation evaluated by the search, for a progress display."""

    plane_index: int  # which of the plane counts is being scanned (0-based)
    plane_counts: int  # how many plane counts the search scans
    planes: int
    per_plane: int
    p: float  # coverage probability of this constellation
    evaluations: int  # constellations evaluated so far


@dataclass(frozen=True, kw_only=True)
class SizingResult:
    constellation_size: int
    planes: int
    per_plane: int
    p_achieved: float
    estimate: Estimate
    evaluations: int
    epochs: int
    salvo: Salvo

    def to_dict(self) -> dict[str, float | int | str | None]:
        s, e = self.salvo, self.estimate
        return {
            "constellation_size": self.constellation_size,
            "planes": self.planes,
            "per_plane": self.per_plane,
            "p_achieved": self.p_achieved,
            "absentee_size": e.absentee_size,
            "random_phasing_size": e.random_phasing_size,
            "fraction_in_reach": e.fraction,
            "effective_reach_km": None if e.effective_reach_km is None else round(e.effective_reach_km, 1),
            "first_order_reach_km": round(e.first_order_reach_km, 1),
            "missiles": s.missiles,
            "salvo_from": s.salvo_from,
            "delay_s": s.delay_s,
            "delay_from": s.delay_from,
            "detect_after_launch_s": s.after_launch(s.t_detect_s),
            "commit_after_launch_s": s.after_launch(s.t_commit_s),
            "burnout_after_launch_s": s.after_launch(s.t_burnout_s),
            "evaluations": self.evaluations,
            "epochs": self.epochs,
        }


def analytic_size(
    reach_m: float, alt_m: float, salvo: int, k: int, p: float, lat_rad: float, inc_rad: float
) -> int:
    """First-order absentee-ratio estimate from a ground reach: the smallest ``N`` with
    ``P(>= n k in reach) >= p``.

    The cap fraction is that of a uniform shell within ground reach ``R`` of the launch point,
    ``f = (1 - cos(R / R_E)) / 2``, times the latitude factor ``F(lat, i)`` when the launch latitude is
    inside the band the orbits cover; the number in reach is Poisson with mean ``N f F`` (random
    phasing), and the ``n`` missiles of a salvo from one site share the same SBIs overhead, so ``n k`` of
    them must be in reach. :func:`estimate_size` measures ``f F`` on the trajectories instead.

    >>> analytic_size(500e3, 400e3, 1, 1, 0.9, 0.0, math.radians(90.0)) > 0
    True
    """
    del alt_m  # the first-order estimate measures reach on the ground
    f = math.sin(0.5 * reach_m / R_EARTH_MEAN_M) ** 2
    if f <= 0.0:
        raise ParameterError("the interceptor reach is zero: the commit delay exceeds the boost time")
    size = size_for_fraction(min(1.0, f * _latitude_factor(lat_rad, inc_rad)), salvo * k, p)
    if size > 10**9:
        raise ParameterError("no constellation below a billion satellites meets the requirement")
    return size


def _inside_band(lat_rad: float, inc_rad: float) -> bool:
    lat, inc = math.degrees(abs(lat_rad)), math.degrees(inc_rad)
    return 0.0 < inc < 180.0 and lat < min(inc, 180.0 - inc)


def _latitude_factor(lat_rad: float, inc_rad: float) -> float:
    if not _inside_band(lat_rad, inc_rad):
        return 1.0
    return latitude_factor(math.degrees(abs(lat_rad)), math.degrees(inc_rad))


def _km(m: float) -> str:
    return f"{m / 1e3:,.0f} km" if abs(m) >= 10e3 else f"{m / 1e3:.1f} km"


def check_reach(salvo: Salvo, kin: SbiKinematics, shell: Shell) -> ShellReach:
    """The dense-constellation limit (module docstring, step 1); a :class:`ParameterError` saying what
    reach the SBI has, and what it would need, when some missile of the salvo is out of reach."""
    reach = shell_reach(
        salvo.r_ecef, salvo.usable, salvo.t_s, salvo.t_commit_s, kin, shell.radius_m, shell.inc_rad
    )
    if reach.reachable.all():
        return reach
    m = int(np.argmin(reach.margin_m))
    launch = float(salvo.t_launch_s[m])
    floor = kin.min_intercept_alt_m / 1e3
    head = f"no SBI on a {shell.text()} shell can reach {salvo.label} before burnout"
    fixes = (
        "shorten the delay (--delay-s), give the SBI more acceleration or delta-v "
        "(--sbi-accel-g, --sbi-dv-km-s)"
    )
    if np.isnan(reach.first_t_s[m]):
        raise ParameterError(
            f"{head}: the missile never climbs above the SBI's {floor:g} km floor while boosting "
            f"(burnout {salvo.t_burnout_s[m] - launch:.0f} s after launch); "
            "lower the floor or change the threat"
        )
    window = (
        f"the missile can be intercepted (boosting, above the {floor:g} km floor) from "
        f"{reach.first_t_s[m] - launch:.0f} s to {reach.last_t_s[m] - launch:.0f} s after launch"
    )
    if np.isnan(reach.best_t_s[m]):
        raise ParameterError(
            f"{head}: the SBIs may fly out only {salvo.commit_text()}, and {window}: no time is left "
            f"to fly out; {fixes}"
        )
    raise ParameterError(
        f"{head}: the SBIs may fly out {salvo.commit_text()}, and {window}; by then the fly-out covers "
        f"{_km(reach.flyout_end_m[m])}, but the missile never comes nearer than {_km(reach.nearest_m[m])} "
        f"to the shell (at best {_km(-reach.margin_m[m])} short, {reach.best_t_s[m] - launch:.0f} s "
        f"after launch, when the fly-out covers {_km(reach.flyout_m[m])}); {fixes}, "
        "or change the orbit (--alt-km, --inc-deg)"
    )


def estimate_size(
    salvo: Salvo, kin: SbiKinematics, shell: Shell, need: Requirement, seed: int = 0
) -> Estimate:
    """The absentee-ratio estimate in the salvo's own setting (module docstring, step 2)."""
    fraction, se = random_phasing_fraction(
        salvo.r_ecef, salvo.usable, salvo.t_s, salvo.t_commit_s, salvo.theta0_rad, kin,
        shell.radius_m, shell.inc_rad, seed=seed,
    )  # fmt: skip
    f_mean, f_min = float(fraction.mean()), float(fraction.min())
    in_reach = need.k * salvo.missiles
    commit = salvo.after_launch(salvo.t_commit_s)
    first_order = kin.flyout_dv_m_s * max(0.0, salvo.burn_s - commit) / 1e3
    if f_min <= 0.0:
        raise ParameterError(
            f"an SBI on a {shell.text()} shell can reach {salvo.label} only from a sliver of the shell: "
            f"none of {RANDOM_PHASING_SAMPLES:,} randomly placed satellites could (the SBIs may fly out "
            f"{salvo.commit_text()}), so more than "
            f"{math.ceil(need.p * need.k * RANDOM_PHASING_SAMPLES / 3):,} satellites would be needed; "
            "shorten the delay or give the SBI more reach"
        )
    factor = _latitude_factor(salvo.launch_lat_rad, shell.inc_rad)
    inside = _inside_band(salvo.launch_lat_rad, shell.inc_rad)
    uniform = f_mean / factor  # the cap of a uniform shell that holds the same fraction
    effective = None
    if inside and uniform <= 1.0:
        effective = 2.0 * R_EARTH_MEAN_M * math.asin(math.sqrt(uniform)) / 1e3
    # a pattern whose count in reach of missile m meets c_m k with probability p has a mean count of at
    # least p c_m k (Markov), and its mean count is N f_m
    demand = need.k * salvo.copies / np.maximum(fraction, 1e-300)
    return Estimate(
        fraction=f_mean,
        fraction_se=float(np.sqrt(np.mean(se**2) / se.size)),
        fraction_min=f_min,
        in_reach=in_reach,
        absentee_size=size_for_fraction(min(1.0, f_mean), in_reach),
        random_phasing_size=size_for_fraction(min(1.0, f_mean), in_reach, need.p),
        lower_bound=max(1, math.floor(need.p * float(demand.max()))),
        first_order_reach_km=first_order,
        effective_reach_km=effective,
    )


def coverage_probability(
    salvo: Salvo,
    kin: SbiKinematics,
    shell: Shell,
    planes: int,
    per_plane: int,
    k: int,
    offsets: np.ndarray,
    executor: Executor | None = None,
) -> float:
    """Fraction of the epochs at which every missile of the salvo gets ``k`` SBIs of its own.

    With an executor the epochs are split into blocks, one task each (every epoch is independent of
    the others, and the covered epochs are counted exactly, so the answer is the same for any split).
    """
    elements = Walker(shell.alt_m, shell.inc_rad, planes, per_plane, 1 if planes > 1 else 0).elements()
    need = k * np.asarray(salvo.copies, dtype=np.int64)
    tracks = (salvo.r_ecef, salvo.usable, salvo.t_s, salvo.t_commit_s, salvo.theta0_rad)
    blocks = [(offsets,)] if executor is None else [(b,) for b in np.array_split(offsets, EPOCH_BLOCKS)]
    shared = (elements, tracks, kin, need)
    covered = sum(n for _, n in (executor or InProcess()).run(_covered_epochs, shared, blocks))
    return covered / offsets.size


EPOCH_BLOCKS = 16  # tasks per evaluation on an executor: enough to keep a few workers busy


def _covered_epochs(shared: tuple, offsets: np.ndarray) -> int:
    """How many of the epochs ``offsets`` give every missile its SBIs (a task: any process)."""
    elements, (r_ecef, usable, t_s, t_commit_s, theta0_rad), kin, need = shared
    _, assigned = availability(elements, r_ecef, usable, t_s, t_commit_s, theta0_rad, offsets, kin, need)
    return int((assigned >= need).all(axis=1).sum())


def size_constellation(
    salvo: Salvo,
    kin: SbiKinematics,
    shell: Shell,
    need: Requirement,
    *,
    epochs: int = 500,
    seed: int = 0,
    max_size: int = 200_000,
    on_step: Callable[[SearchStep], None] | None = None,
    executor: Executor | None = None,
) -> SizingResult:
    """Smallest Walker constellation meeting the requirement (module docstring); ``on_step`` is called
    after each constellation evaluated. With an executor each evaluation's epochs are spread over its
    workers (:func:`coverage_probability`); the search and its answer are the same."""
    check_reach(salvo, kin, shell)
    estimate = estimate_size(salvo, kin, shell, need, seed)
    # start below the lower bound: room for the Monte Carlo error of f and for a Walker pattern's
    # epoch-mean fraction, which is the random-phasing one only on average over its phasings
    start_total = max(1, math.floor(0.85 * estimate.lower_bound))
    if start_total > max_size:
        raise ParameterError(
            f"{salvo.missiles} x {salvo.label} with {need.k} SBI(s) each needs more than {max_size:,} "
            f"satellites on a {shell.text()} shell: only {estimate.fraction_min:.2e} of a randomly phased "
            f"shell can reach a missile (the SBIs may fly out {salvo.commit_text()}), so at least "
            f"{estimate.lower_bound:,} are needed (a pattern meeting p = {need.p:g} keeps at least "
            f"{need.p:g} times the SBIs wanted in reach on average); raise --max-size, shorten the delay "
            "or give the SBI more reach"
        )
    # a Walker pattern covers at least as evenly as random phasing; twice its size leaves room
    cap_total = min(max_size, max(2 * estimate.random_phasing_size, 2 * start_total))
    centre_total = math.sqrt(estimate.absentee_size * estimate.random_phasing_size)
    centre = max(2, round(math.sqrt(min(centre_total, cap_total) / 2.0)))
    plane_counts = sorted({max(1, round(centre * f)) for f in (0.5, 0.7, 1.0, 1.4, 2.0)})
    offsets = np.random.default_rng(seed).uniform(0.0, 86164.0905, epochs)
    evaluations = 0
    best: tuple[int, int, int, float] | None = None

    def evaluate(index: int, planes: int, q: int) -> float:
        nonlocal evaluations
        evaluations += 1
        p_q = coverage_probability(salvo, kin, shell, planes, q, need.k, offsets, executor)
        if on_step is not None:
            on_step(SearchStep(index, len(plane_counts), planes, q, p_q, evaluations))
        return p_q

    for index, planes in enumerate(plane_counts):
        # a plane count beats the best so far only with fewer satellites in all
        cap = (cap_total if best is None else min(cap_total, best[0] - 1)) // planes
        start = max(1, math.ceil(start_total / planes))
        if start > cap:
            continue
        step = max(1, start // 4)
        found: tuple[int, float] | None = None
        q = start
        while q <= cap:  # coarse scan upwards for the first count that meets the requirement
            p_q = evaluate(index, planes, q)
            if p_q >= need.p:
                found = (q, p_q)
                break
            q += step
        if found is None:
            continue
        lo = max(start, found[0] - step + 1) - 1  # refine inside the last coarse step by bisection
        while found[0] - lo > 1:
            mid = (lo + found[0]) // 2
            p_mid = evaluate(index, planes, mid)
            if p_mid >= need.p:
                found = (mid, p_mid)
            else:
                lo = mid
        best = (planes * found[0], planes, found[0], found[1])
    if best is None:
        raise ParameterError(
            f"no Walker constellation of up to {cap_total:,} satellites on a {shell.text()} shell gives "
            f"{need.k} SBI(s) to each of {salvo.missiles} x {salvo.label} with p >= {need.p:g}: "
            "raise the interceptor's delta-v or acceleration, shorten the delay, or change the inclination"
        )
    return SizingResult(
        constellation_size=best[0],
        planes=best[1],
        per_plane=best[2],
        p_achieved=best[3],
        estimate=estimate,
        evaluations=evaluations,
        epochs=epochs,
        salvo=salvo,
    )
