"""Direct-ascent anti-satellite (DA-ASAT) attacks on a constellation of space-based interceptors.

A generic class (public figures: the catalogue's ``[asat.<id>]``): a ground-launched interceptor reaches
satellites whose orbit is no higher than ``max_alt_m`` and whose sub-satellite point is within ``reach_m``
of its launch site at the strike. The attacker fires ``count`` of them, one per satellite, at the
satellites that will be nearest the raid's launch area when its first missile lifts off (those the
boost-phase layer would engage with), among those it can reach; each kills its target with probability
``pk``. A killed satellite holds no interceptor for the rest of the campaign, until it is replaced.

The constellation keeps moving: satellites killed long before the raid have drifted away from the
launch area by the time it launches, and others have come over it, so the hole an attack makes depends
on its timing, as it would.
"""

from __future__ import annotations

import numpy as np

from domesim.core import kepler
from domesim.core.constants import OMEGA_EARTH_RAD_S, R_EARTH_MEAN_M
from domesim.core.frames import geodetic_to_ecef
from domesim.orbits.coverage import satellites_ecef


def _positions(elements: np.ndarray, rates: np.ndarray, t_s: float, theta0_rad: float) -> np.ndarray:
    """(S, 3) ECEF positions of every satellite at ``t_s`` after the scenario epoch."""
    out = np.empty((elements.shape[0], 3))
    satellites_ecef(elements, rates, t_s, theta0_rad + OMEGA_EARTH_RAD_S * t_s, out)
    return out


def _central_angle(points: np.ndarray, unit: np.ndarray) -> np.ndarray:
    """Angle (rad) between each point (S, 3) and the direction ``unit`` (3,) seen from the Earth's centre."""
    cos = points @ unit / np.linalg.norm(points, axis=-1)
    return np.arccos(np.clip(cos, -1.0, 1.0))


def strike(
    attack,
    elements: np.ndarray,
    left: np.ndarray,
    epoch_s: np.ndarray,
    theta0_rad: float,
    u: np.ndarray,
) -> np.ndarray:
    """Fire ``attack`` (an :class:`domesim.engine.world.AsatAttack`) at one SBI layer in every trial.

    Parameters
    ----------
    elements : (S, 6) the layer's mean elements at the scenario epoch.
    left : (R, S) int64 interceptors each satellite holds in each trial; a killed satellite's row entry
        is set to 0 in place.
    epoch_s : (R,) the wave's clock origin in each trial, s after the scenario epoch (the trial's
        constellation offset plus the wave's start).
    u : (R, count) uniforms of the attack's stream (one kill draw per interceptor).

    Returns (R,) the satellites killed in each trial.
    """
    n_trials = left.shape[0]
    rates = kepler.element_rates(np.ascontiguousarray(elements, dtype=np.float64))
    el = np.ascontiguousarray(elements, dtype=np.float64)
    site = geodetic_to_ecef(attack.lat_rad, attack.lon_rad, 0.0)
    site = site / np.linalg.norm(site)
    aim = geodetic_to_ecef(attack.aim_lat_rad, attack.aim_lon_rad, 0.0)
    aim = aim / np.linalg.norm(aim)
    killed = np.zeros(n_trials, dtype=np.int64)
    for r in range(n_trials):
        at_strike = _positions(el, rates, float(epoch_s[r] + attack.strike_s), theta0_rad)
        height = np.linalg.norm(at_strike, axis=-1) - R_EARTH_MEAN_M
        reachable = (
            (height <= attack.max_alt_m)
            & (_central_angle(at_strike, site) * R_EARTH_MEAN_M <= attack.reach_m)
            & (left[r] > 0)
        )
        candidates = np.flatnonzero(reachable)
        if candidates.size == 0:
            continue
        at_launch = _positions(el, rates, float(epoch_s[r] + attack.aim_t_s), theta0_rad)
        nearest = candidates[np.argsort(_central_angle(at_launch[candidates], aim), kind="stable")]
        targets = nearest[: attack.count]
        hits = targets[u[r, : targets.size] < attack.pk]
        left[r, hits] = 0
        killed[r] = hits.size
    return killed


def loaded_near(
    elements: np.ndarray,
    left: np.ndarray,
    epoch_s: np.ndarray,
    t_s: float,
    theta0_rad: float,
    lat_rad: float,
    lon_rad: float,
    radius_m: float,
) -> np.ndarray:
    """(R,) satellites still holding an interceptor whose sub-satellite point is within ``radius_m`` of a
    point at ``t_s`` on the wave's clock (``epoch_s`` (R,) its origin in each trial, s after the scenario
    epoch): the boost-phase layer over a launch area."""
    rates = kepler.element_rates(np.ascontiguousarray(elements, dtype=np.float64))
    el = np.ascontiguousarray(elements, dtype=np.float64)
    point = geodetic_to_ecef(lat_rad, lon_rad, 0.0)
    point = point / np.linalg.norm(point)
    out = np.zeros(left.shape[0], dtype=np.int64)
    for r in range(left.shape[0]):
        positions = _positions(el, rates, float(epoch_s[r] + t_s), theta0_rad)
        near = _central_angle(positions, point) * R_EARTH_MEAN_M <= radius_m
        out[r] = int(np.count_nonzero(near & (left[r] > 0)))
    return out
