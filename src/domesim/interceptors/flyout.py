"""Interceptor classes and batteries: a kinematic fly-out model and engagement windows.

Fly-out model (straight line from the site, constant acceleration to burnout then constant speed;
a textbook first approximation that ignores gravity and the fly-out path's curvature)::

    d(tau) = v_bo tau^2 / (2 t_b)              for tau <= t_b
    d(tau) = v_bo t_b / 2 + v_bo (tau - t_b)   after burnout

An intercept at grid step j is feasible when the threat is inside the class's altitude window
and range, and the interceptor launched at ``t_j - tau(d_j)`` arrives in time. The latest launch
time for each step is what the battle manager needs; the engagement loop computes it where it asks
(:func:`latest_launch_at`), so no array of windows over (batteries, trials, objects, steps) is held.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import numba as nb
import numpy as np

from domesim.core import frames
from domesim.errors import ParameterError

# The kernel's record of one battery (SI; :meth:`Battery.record`): its site, its class's fly-out and
# engagement limits, its lethality and its inventory.
BATTERY_DTYPE = np.dtype(
    [
        ("site_ecef", "f8", (3,)),
        ("burn_time_s", "f8"),
        ("burnout_speed_m_s", "f8"),
        ("min_intercept_alt_m", "f8"),
        ("max_intercept_alt_m", "f8"),
        ("max_range_m", "f8"),
        ("sspk", "f8"),
        ("reliability", "f8"),
        ("inventory", "i8"),
    ]
)


@dataclass(frozen=True, kw_only=True)
class InterceptorClass:
    """Kinematic and lethality parameters of an interceptor class, SI units.

    The window ``min_intercept_alt_m < max_intercept_alt_m`` is checked where the class is built from a
    scenario (with the file's key path in the message).
    """

    name: str
    layer: str  # the defence layer it belongs to (boost, midcourse, terminal, ...)
    burn_time_s: float
    burnout_speed_m_s: float
    min_intercept_alt_m: float
    max_intercept_alt_m: float
    max_range_m: float  # inf: no range limit
    sspk: float  # single-shot kill probability
    reliability: float  # probability that an interceptor launches and flies as designed
    # track accuracy the class needs to commit (largest 1-sigma position component, m); None: the
    # tracker's default requirement. Only the full chain reads it.
    fire_control_sigma_m: float | None = None

    def __post_init__(self) -> None:
        problems = [
            "burn_time_s and burnout_speed_m_s must be > 0"
            if not (self.burn_time_s > 0 and self.burnout_speed_m_s > 0)
            else "",
            "max_range_m must be > 0" if not self.max_range_m > 0 else "",
            "sspk and reliability must be between 0 and 1"
            if not (0.0 <= self.sspk <= 1.0 and 0.0 <= self.reliability <= 1.0)
            else "",
        ]
        if any(problems):
            raise ParameterError(f"interceptor class {self.name!r}: " + "; ".join(p for p in problems if p))

    def flyout_time_s(self, distance_m):
        """Time to fly ``distance_m`` from the site (inverse of the fly-out model above).

        >>> cls = InterceptorClass(name="x", layer="l", burn_time_s=100.0, burnout_speed_m_s=5000.0,
        ...     min_intercept_alt_m=0.0, max_intercept_alt_m=1e6, max_range_m=1e7, sspk=0.5, reliability=1.0)
        >>> float(cls.flyout_time_s(250e3)), float(cls.flyout_time_s(500e3))
        (100.0, 150.0)
        """
        d = np.asarray(distance_m, dtype=np.float64)
        boost_distance = 0.5 * self.burnout_speed_m_s * self.burn_time_s
        accelerating = np.sqrt(2.0 * np.maximum(d, 0.0) * self.burn_time_s / self.burnout_speed_m_s)
        coasting = self.burn_time_s + (d - boost_distance) / self.burnout_speed_m_s
        return np.where(d <= boost_distance, accelerating, coasting)


@dataclass(frozen=True, kw_only=True)
class Battery:
    """Interceptors of one class at one site (geodetic latitude and longitude in rad, height in m), with
    their inventory."""

    name: str
    interceptor: InterceptorClass
    lat_rad: float
    lon_rad: float
    alt_m: float
    inventory: int

    def __post_init__(self) -> None:
        if self.inventory < 0:
            raise ParameterError(f"battery {self.name!r}: inventory must be >= 0 (got {self.inventory})")

    @property
    def r_ecef(self) -> np.ndarray:
        return frames.geodetic_to_ecef(self.lat_rad, self.lon_rad, self.alt_m)

    def record(self) -> np.void:
        """The kernel's record of this battery (:data:`BATTERY_DTYPE`, SI)."""
        rec = np.zeros((), BATTERY_DTYPE)
        rec["site_ecef"] = self.r_ecef
        for name in (BATTERY_DTYPE.names or ())[1:-1]:
            rec[name] = getattr(self.interceptor, name)
        rec["inventory"] = self.inventory
        return cast(np.void, rec.view(np.recarray)[()])  # attribute access, compiled or not


def latest_launch_t_s(battery: Battery, r_ecef: np.ndarray, alt_m: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """Latest launch time for an intercept at each grid step, shape (..., T); -inf where infeasible.

    Parameters
    ----------
    r_ecef : (..., T, 3) threat positions, m, ECEF (NaN before launch and after impact).
    alt_m : (..., T) threat geodetic height, m.
    t_s : (T,) grid times, s.
    """
    r = np.ascontiguousarray(r_ecef, dtype=np.float64)
    out = np.empty(r.shape[:-1])
    _latest_launch(
        r.reshape(-1, r.shape[-2], 3),
        np.ascontiguousarray(alt_m, dtype=np.float64).reshape(-1, r.shape[-2]),
        np.ascontiguousarray(t_s, dtype=np.float64),
        np.array([battery.record()], dtype=BATTERY_DTYPE).view(np.recarray),
        out.reshape(-1, r.shape[-2]),
    )
    return out


@nb.njit(cache=True, parallel=True)
def _latest_launch(r_ecef, alt_m, t_s, battery, out):
    """:func:`latest_launch_at` over (objects, steps), for ``battery`` (a (1,) :data:`BATTERY_DTYPE` array:
    a parallel loop takes a record only inside an array)."""
    for i in nb.prange(r_ecef.shape[0]):
        for k in range(r_ecef.shape[1]):
            out[i, k] = latest_launch_at(battery[0], r_ecef[i, k], alt_m[i, k], t_s[k])


@nb.njit(cache=True, inline="always")
def latest_launch_at(battery, r_ecef, alt_m, t_s):
    """The latest time ``battery`` (a :data:`BATTERY_DTYPE` record) can launch to intercept, at time ``t_s``,
    a threat at ``r_ecef`` (3,) m ECEF and height ``alt_m``: the feasibility test and the fly-out time
    of the module docstring; -inf where infeasible (NaN positions fail too)."""
    site, t_burn, v_bo = battery.site_ecef, battery.burn_time_s, battery.burnout_speed_m_s
    d = math.sqrt((r_ecef[0] - site[0]) ** 2 + (r_ecef[1] - site[1]) ** 2 + (r_ecef[2] - site[2]) ** 2)
    if not (battery.min_intercept_alt_m <= alt_m <= battery.max_intercept_alt_m and d <= battery.max_range_m):
        return -np.inf
    boost_distance = 0.5 * v_bo * t_burn
    if d <= boost_distance:
        return t_s - math.sqrt(2.0 * d * t_burn / v_bo)
    return t_s - (t_burn + (d - boost_distance) / v_bo)
