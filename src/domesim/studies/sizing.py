"""Sizing a space-based interceptor constellation by simulation, next to the absentee-ratio estimate.

The question: the smallest Walker constellation (``planes x per_plane`` at a given altitude and
inclination) such that every missile of a salvo has at least ``k`` SBIs of its own in reach with
probability at least ``p`` over random epochs (the attack comes at any time). For each number of
planes in a band around the analytic estimate, satellites per plane are scanned upwards (coarse
steps, then a bisection inside the last step) to the first count that meets the requirement. A
scan, not a plain bisection, because coverage is not monotonic in the count: how the ascending and
descending sheets of a Walker pattern interleave over the launch latitude changes with it, and one
more satellite per plane can open a gap. The smallest total wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from domesim.core.analytic import latitude_factor, poisson_at_least
from domesim.core.constants import R_EARTH_MEAN_M
from domesim.errors import ParameterError
from domesim.interceptors.sbi import SbiKinematics, availability
from domesim.orbits.constellation import Walker


@dataclass(frozen=True)
class Salvo:
    """Boost trajectories of a salvo on the grid (see :func:`domesim.interceptors.sbi.availability`)."""

    r_ecef: np.ndarray  # (M, W, 3) m
    usable: np.ndarray  # (M, W) bool
    t_s: np.ndarray  # (W,) s
    t_commit_s: np.ndarray  # (M,) s
    theta0_rad: float
    launch_lat_rad: float  # reference latitude of the launch region (for the analytic estimate)
    burn_s: float  # boost duration
    detect_s: float  # mean detection time after launch


@dataclass(frozen=True)
class SizingResult:
    constellation_size: int
    planes: int
    per_plane: int
    p_achieved: float
    analytic_size: int
    analytic_reach_km: float
    evaluations: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "constellation_size": self.constellation_size,
            "analytic_size": self.analytic_size,
            "p_achieved": self.p_achieved,
            "planes": self.planes,
            "per_plane": self.per_plane,
        }


def analytic_size(
    reach_m: float, alt_m: float, salvo: int, k: int, p: float, lat_rad: float, inc_rad: float
) -> int:
    """Absentee-ratio estimate (design.md section 4): the smallest ``N`` with ``P(>= n k in reach) >= p``.

    The cap fraction is that of a uniform shell within ground reach ``R`` of the launch point,
    ``f = (1 - cos(R / R_E)) / 2``, times the latitude factor ``F(lat, i)`` when the launch latitude is
    inside the band the orbits cover; the number in reach is Poisson with mean ``N f F`` (random
    phasing), and the ``n`` missiles of a salvo from one region share the same SBIs overhead, so
    ``n k`` of them must be in reach.

    >>> analytic_size(500e3, 400e3, 1, 1, 0.9, 0.0, math.radians(90.0)) > 0
    True
    """
    del alt_m  # the first-order estimate measures reach on the ground
    f = math.sin(0.5 * reach_m / R_EARTH_MEAN_M) ** 2
    lat, inc = math.degrees(abs(lat_rad)), math.degrees(inc_rad)
    factor = latitude_factor(lat, inc) if 0.0 < inc < 180.0 and lat < min(inc, 180.0 - inc) else 1.0
    need = salvo * k
    if f <= 0.0:
        raise ParameterError("the interceptor reach is zero: the commit delay exceeds the boost time")
    lo, hi = 1, 1
    while poisson_at_least(need, hi * f * factor) < p:
        hi *= 2
        if hi > 10**9:
            raise ParameterError("no constellation below a billion satellites meets the requirement")
    while lo < hi:
        mid = (lo + hi) // 2
        if poisson_at_least(need, mid * f * factor) >= p:
            hi = mid
        else:
            lo = mid + 1
    return lo


def coverage_probability(
    salvo: Salvo,
    kin: SbiKinematics,
    alt_m: float,
    inc_rad: float,
    planes: int,
    per_plane: int,
    k: int,
    offsets: np.ndarray,
) -> float:
    """Fraction of the epochs at which every missile of the salvo gets ``k`` SBIs of its own."""
    elements = Walker(alt_m, inc_rad, planes, per_plane, 1 if planes > 1 else 0).elements()
    _, assigned = availability(
        elements, salvo.r_ecef, salvo.usable, salvo.t_s, salvo.t_commit_s, salvo.theta0_rad, offsets, kin, k
    )
    return float((assigned >= k).all(axis=1).mean())


def size_constellation(
    salvo: Salvo,
    kin: SbiKinematics,
    alt_m: float,
    inc_rad: float,
    k: int,
    p: float,
    epochs: int = 500,
    seed: int = 0,
    max_size: int = 200_000,
) -> SizingResult:
    """Smallest Walker constellation meeting the salvo requirement (module docstring)."""
    n_missiles = salvo.r_ecef.shape[0]
    reach = kin.flyout_dv_m_s * max(0.0, salvo.burn_s - salvo.detect_s - kin.commit_delay_s)
    estimate = (
        analytic_size(reach, alt_m, n_missiles, k, p, salvo.launch_lat_rad, inc_rad)
        if reach > 0
        else max_size
    )
    offsets = np.random.default_rng(seed).uniform(0.0, 86164.0905, epochs)
    evaluations = 0
    best: tuple[int, int, int, float] | None = None
    centre = max(2, round(math.sqrt(min(estimate, max_size) / 2.0)))
    plane_counts = sorted({max(1, round(centre * f)) for f in (0.5, 0.7, 1.0, 1.4, 2.0)})
    for planes in plane_counts:
        # a plane count beats the best so far only with fewer satellites in all
        # and too few planes leave gaps no number per plane closes: look up to 8x the estimate
        cap = max(1, (min(max_size, 8 * estimate) if best is None else best[0] - 1) // planes)
        start = min(cap, max(1, math.ceil(0.5 * estimate / planes)))
        step = max(1, start // 4)
        found: tuple[int, float] | None = None
        q = start
        while q <= cap:  # coarse scan upwards for the first count that meets the requirement
            evaluations += 1
            p_q = coverage_probability(salvo, kin, alt_m, inc_rad, planes, q, k, offsets)
            if p_q >= p:
                found = (q, p_q)
                break
            q += step
        if found is None:
            continue
        lo = max(start, found[0] - step + 1) - 1  # refine inside the last coarse step by bisection
        while found[0] - lo > 1:
            mid = (lo + found[0]) // 2
            evaluations += 1
            p_mid = coverage_probability(salvo, kin, alt_m, inc_rad, planes, mid, k, offsets)
            if p_mid >= p:
                found = (mid, p_mid)
            else:
                lo = mid
        best = (planes * found[0], planes, found[0], found[1])
    if best is None:
        raise ParameterError(
            f"no Walker constellation of up to {min(max_size, 8 * estimate):,} satellites "
            f"at {alt_m / 1e3:g} km and "
            f"{math.degrees(inc_rad):g} deg gives {k} SBI(s) to each of {n_missiles} missiles with p >= {p}: "
            "raise the interceptor's delta-v or acceleration, shorten the delay, or change the inclination"
        )
    return SizingResult(best[0], best[1], best[2], best[3], estimate, reach / 1e3, evaluations)
