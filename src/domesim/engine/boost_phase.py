"""The boost-phase layer: space-based interceptors (SBIs) engaging missiles before burnout.

Per trial (each with its own constellation epoch offset), every boosting object (a missile's bus, a
single-warhead missile, a glide vehicle's booster, a fractional-orbit booster) gets the SBIs that can
reach it (:mod:`domesim.orbits.reach`, on the real boost trajectory). Missiles are served in the order
they become committable; each takes a salvo of the SBIs with the earliest intercepts that still hold
an interceptor, so several missiles launched together from one region compete for the same few SBIs
overhead. A salvo kills with ``r (1 - (1 - p)^n)`` (one reliability draw, one draw per interceptor,
from the ``kill.sbi`` stream). A kill in boost kills everything the missile would have released.
There is no second salvo: boost windows are too short to look and shoot again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from domesim.core import ballistic as phases
from domesim.core import kepler
from domesim.orbits.reach import SbiKinematics, earliest_steps, tracks_inertial


@dataclass(frozen=True)
class SbiLayer:
    """A constellation of space-based interceptors (one battery of the world, on orbit)."""

    name: str
    kinematics: SbiKinematics
    elements: np.ndarray  # (S, 6) mean elements at the scenario epoch, domesim eci
    per_satellite: int  # interceptors carried by each satellite
    salvo: int
    sspk: float
    reliability: float


@nb.njit(cache=True, parallel=True)
def _engage_boost(
    elements,
    rates,
    per_sat,
    r_ecef,
    usable,
    boost_obj,
    t_s,
    t_commit,
    theta0,
    offsets,
    accel,
    dv,
    salvo,
    sspk,
    reliability,
    u,
    shots,
    step_out,
    hit,
    fired,
):
    n_r = r_ecef.shape[0]
    n_b = boost_obj.size
    n_s = elements.shape[0]
    n_t = t_s.size
    for r in nb.prange(n_r):
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
        steps = np.full((n_s, n_b), -1, dtype=np.int64)
        r_sat, v_sat = np.empty(3), np.empty(3)
        for s in range(n_s):
            earliest_steps(
                elements[s],
                rates[s],
                track,
                centre,
                radius,
                ok,
                t_commit[r],
                tw,
                offsets[r],
                accel,
                dv,
                r_sat,
                v_sat,
                steps[s],
            )
        left = np.full(n_s, per_sat, dtype=np.int64)
        for b in np.argsort(t_commit[r]):
            take = 0
            latest = -1
            while take < salvo:  # the earliest intercepts among the SBIs that still hold one
                best = -1
                for s in range(n_s):
                    if left[s] > 0 and steps[s, b] >= 0 and (best < 0 or steps[s, b] < steps[best, b]):
                        best = s
                if best < 0:
                    break
                left[best] -= 1
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
) -> dict[str, np.ndarray]:
    """Boost-phase engagements of one SBI layer for every trial of a chunk.

    Parameters
    ----------
    r_ecef, alt_m, phase : (R, N, T[, 3]) truth (:class:`domesim.threats.batch.ThreatBatch`).
    boost_objects : (B,) indices of the objects that boost (one per missile).
    t_detect_s : (R, B) first detection of each boosting object, s (inf if never seen).
    offsets_s : (R,) constellation epoch offset of each trial, s.
    u : (R, B, 1 + salvo) uniforms of the ``kill.sbi`` stream.

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
    _engage_boost(
        elements,
        kepler.element_rates(elements),
        layer.per_satellite,
        np.ascontiguousarray(r_ecef),
        np.ascontiguousarray(usable),
        np.ascontiguousarray(boost_objects, dtype=np.int64),
        np.ascontiguousarray(t_s, dtype=np.float64),
        np.ascontiguousarray(t_detect_s + kin.commit_delay_s, dtype=np.float64),
        float(theta0_rad),
        np.ascontiguousarray(offsets_s, dtype=np.float64),
        kin.accel_m_s2,
        kin.flyout_dv_m_s,
        layer.salvo,
        layer.sspk,
        layer.reliability,
        u,
        out["shots"],
        out["step"],
        out["hit"],
        out["fired"],
    )
    return out
