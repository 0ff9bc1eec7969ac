"""Space-based infrared sensors: when a constellation first detects each threat object.

Classes (catalogue ``family = "space_ir"``): GEO/HEO early-warning (OPIR-like: the whole visible disk,
boost plumes only), LEO wide-field tracking (boost plumes), LEO medium-field tracking (boost plumes and
dim post-boost objects: buses, re-entry vehicles, decoys, glide vehicles, within a shorter range).

Geometry per satellite and object: the line of sight clears the Earth (:func:`domesim.orbits.coverage.sees`),
the slant range is within the class's limit, the object is inside the field of regard. A boost plume
is seen once it has climbed above ``min_plume_alt_m`` (cloud tops); a dim object needs a
medium-field class (``pd_dim > 0``), must be above the Earth's limb as seen from the satellite
(lines of sight grazing above ``limb_alt_m``, i.e. seen against cold space) and within ``dim_range_m``;
its per-look probability follows its infrared signature class (catalogue ``[signature.*]``): with
relative brightness ``b`` a look detects it with ``1 - (1 - pd_dim)^b``.

Detection: each look by a satellite that sees the object detects it with probability ``pd``; looks
come every ``revisit_s``. Instead of one random number per (trial, object, step), each (trial,
object) draws one ``Exp(1)`` threshold and is detected at the first step where the accumulated hazard
``sum -ln(1 - pd) dt / revisit`` over all satellites that see it exceeds it: the same law as
independent looks, with one draw per object (so the arrays stay small and adding a step does not
shift other draws).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, cast

import numba as nb
import numpy as np

from domesim.core import ballistic as phases
from domesim.core import kepler
from domesim.core.constants import OMEGA_EARTH_RAD_S, R_EARTH_EQ_M
from domesim.core.counter_rng import normal, uniform
from domesim.core.kalman import inverse_symmetric3
from domesim.errors import ParameterError
from domesim.orbits.coverage import satellites_ecef, sees

# The kernels' record of one space sensor class (SI; :meth:`SpaceSensorClass.record`).
SPACE_SENSOR_DTYPE = np.dtype(
    [
        ("max_range_m", "f8"),
        ("field_of_regard_rad", "f8"),
        ("min_plume_alt_m", "f8"),
        ("pd_boost", "f8"),
        ("pd_dim", "f8"),
        ("dim_range_m", "f8"),
        ("limb_alt_m", "f8"),
        ("revisit_s", "f8"),
        ("angle_sigma_rad", "f8"),
    ]
)


@dataclass(frozen=True, kw_only=True)
class SpaceSensorClass:
    """Parameters of a space-based IR sensor class, SI units.

    >>> geo = SpaceSensorClass(name="geo", max_range_m=45e6, field_of_regard_rad=0.16, min_plume_alt_m=12e3,
    ...     pd_boost=0.9, pd_dim=0.0, dim_range_m=1.0, limb_alt_m=100e3, revisit_s=10.0)
    >>> float(geo.record()["pd_boost"]), float(geo.record()["angle_sigma_rad"])
    (0.9, 5e-05)
    """

    name: str
    max_range_m: float  # slant range limit for boost plumes
    field_of_regard_rad: float  # off-nadir half-angle
    min_plume_alt_m: float  # plumes are seen above the cloud tops
    pd_boost: float  # per-look detection probability of a boost plume
    pd_dim: float  # per-look probability for a dim post-boost object of brightness 1 (0: plumes only)
    dim_range_m: float
    limb_alt_m: float  # dim objects are seen against cold space above this height
    revisit_s: float
    angle_sigma_rad: float = 50e-6  # 1-sigma line-of-sight noise of one measurement (full chain)

    def __post_init__(self) -> None:
        problems = [
            "max_range_m and dim_range_m must be > 0"
            if not (self.max_range_m > 0 and self.dim_range_m > 0)
            else "",
            "field_of_regard_rad must be in (0, pi]" if not 0 < self.field_of_regard_rad <= math.pi else "",
            "pd_boost and pd_dim must be between 0 and 1"
            if not (0.0 <= self.pd_boost <= 1.0 and 0.0 <= self.pd_dim <= 1.0)
            else "",
            "revisit_s must be > 0" if not self.revisit_s > 0 else "",
            "angle_sigma_rad must be > 0" if not self.angle_sigma_rad > 0 else "",
        ]
        if any(problems):
            raise ParameterError(f"space sensor class {self.name!r}: " + "; ".join(p for p in problems if p))

    def record(self) -> np.void:
        """The kernels' record of this class (:data:`SPACE_SENSOR_DTYPE`, SI)."""
        rec = np.zeros((), SPACE_SENSOR_DTYPE)
        for name in SPACE_SENSOR_DTYPE.names or ():
            rec[name] = getattr(self, name)
        return cast(np.void, rec.view(np.recarray)[()])  # attribute access, compiled or not


@dataclass(frozen=True, kw_only=True)
class SpaceSensorLayer:
    """A constellation carrying one space sensor class."""

    name: str
    sensor: SpaceSensorClass
    elements: np.ndarray  # (S, 6) mean elements at the scenario epoch, domesim eci


class Constellations(NamedTuple):
    """The satellites of several sensor layers, as the compiled kernels take them."""

    elements: np.ndarray  # (S, 6) mean elements at the scenario epoch (:mod:`domesim.core.kepler`)
    rates: np.ndarray  # (S, 3) their secular rates (:func:`domesim.core.kepler.element_rates`)
    layer: np.ndarray  # (S,) int64: the layer of each satellite
    sensors: np.ndarray  # (L,) SPACE_SENSOR_DTYPE: each layer's sensor class

    @classmethod
    def of(cls, layers: list[SpaceSensorLayer]) -> Constellations:
        """All satellites of ``layers``, in order."""
        elements = (
            np.ascontiguousarray(np.concatenate([lay.elements for lay in layers]), dtype=np.float64)
            if layers
            else np.zeros((0, 6))
        )
        layer = (
            np.concatenate([np.full(len(lay.elements), i, dtype=np.int64) for i, lay in enumerate(layers)])
            if layers
            else np.zeros(0, np.int64)
        )
        records = [lay.sensor.record() for lay in layers]
        sensors = np.array(records, dtype=SPACE_SENSOR_DTYPE).view(np.recarray)
        return cls(elements, kepler.element_rates(elements), layer, sensors)


class Truth(NamedTuple):
    """Truth of a chunk's trials on the time grid, as the compiled kernels take it."""

    r_ecef: np.ndarray  # (R, N, T, 3) positions, m, ECEF (NaN when the object does not exist)
    alt_m: np.ndarray  # (R, N, T) geodetic height, m
    phase: np.ndarray  # (R, N, T) phase code (:mod:`domesim.core.ballistic`)
    t_s: np.ndarray  # (T,) grid times, s


def _hazard(pd: float, dt: float, revisit: float) -> float:
    return math.inf if pd >= 1.0 else -math.log1p(-pd) * dt / revisit


@nb.njit(cache=True, parallel=True)
def _first_detection(sats, hazard_boost, hazard_dim, truth, brightness, theta0, offsets, threshold, out):
    elements, rates, layer, sensors = sats
    r_ecef, alt, phase, t_s = truth
    n_r, n_n, n_t = alt.shape
    n_s = elements.shape[0]
    for r in nb.prange(n_r):
        sat = np.empty((n_s, 3))
        total = np.zeros(n_n)
        last = np.full(n_n, -1, dtype=np.int64)  # last step each object exists
        for n in range(n_n):
            out[r, n] = np.inf
            for k in range(n_t):
                if np.isfinite(alt[r, n, k]):
                    last[n] = k
        k_end = last.max()
        for k in range(k_end + 1):
            live = False
            for n in range(n_n):
                if out[r, n] == np.inf and k <= last[n]:
                    live = True
            if not live:
                break
            satellites_ecef(
                elements, rates, t_s[k] + offsets[r], theta0 + OMEGA_EARTH_RAD_S * (t_s[k] + offsets[r]), sat
            )
            for n in range(n_n):
                if out[r, n] != np.inf or not np.isfinite(alt[r, n, k]):
                    continue
                boosting = phase[r, n, k] == phases.PHASE_BOOST
                gx, gy, gz = r_ecef[r, n, k, 0], r_ecef[r, n, k, 1], r_ecef[r, n, k, 2]
                h = 0.0
                for j in range(n_s):
                    p = sensors[layer[j]]
                    if boosting:
                        if alt[r, n, k] < p.min_plume_alt_m or hazard_boost[layer[j]] == 0.0:
                            continue
                        if sees(
                            sat[j, 0],
                            sat[j, 1],
                            sat[j, 2],
                            gx,
                            gy,
                            gz,
                            R_EARTH_EQ_M**2,
                            p.max_range_m**2,
                            math.cos(p.field_of_regard_rad) ** 2,
                        ):
                            h += hazard_boost[layer[j]]
                    elif brightness[n] > 0.0 and hazard_dim[layer[j]] > 0.0:
                        rb = R_EARTH_EQ_M + p.limb_alt_m
                        if sees(
                            sat[j, 0],
                            sat[j, 1],
                            sat[j, 2],
                            gx,
                            gy,
                            gz,
                            rb * rb,
                            p.dim_range_m**2,
                            math.cos(p.field_of_regard_rad) ** 2,
                        ):
                            # against cold space: the object itself must be above the limb height
                            if gx * gx + gy * gy + gz * gz > rb * rb:
                                h += hazard_dim[layer[j]] * brightness[n]
                total[n] += h
                if total[n] >= threshold[r, n]:
                    out[r, n] = t_s[k]


def first_detection_t_s(
    layers: list[SpaceSensorLayer],
    r_ecef: np.ndarray,
    alt_m: np.ndarray,
    phase: np.ndarray,
    brightness: np.ndarray,
    t_s: np.ndarray,
    theta0_rad: float,
    offsets_s: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Time of the first space-based detection of each object, shape (R, N); inf if never.

    Parameters
    ----------
    layers : constellations with their sensor class.
    r_ecef : (R, N, T, 3) truth positions, m, ECEF (NaN when the object does not exist).
    alt_m, phase : (R, N, T) geodetic height (m) and phase code (:mod:`domesim.core.ballistic`).
    brightness : (N,) infrared brightness of each object outside boost relative to an RV (0: never seen
        outside boost, as cruise missiles low against the Earth's background).
    t_s : (T,) grid times, s; theta0_rad : Earth rotation angle at t = 0.
    offsets_s : (R,) per-trial epoch offsets of the constellations (the attack happens later by that much).
    rng : the ``sensor.space`` stream (one Exp(1) threshold per trial and object).
    """
    n_r, n_n = alt_m.shape[:2]
    threshold = rng.exponential(size=(n_r, n_n))
    out = np.full((n_r, n_n), np.inf)
    if not layers:
        return out
    dt = float(t_s[1] - t_s[0]) if t_s.size > 1 else 1.0
    hazard_boost = np.array([_hazard(lay.sensor.pd_boost, dt, lay.sensor.revisit_s) for lay in layers])
    hazard_dim = np.array([_hazard(lay.sensor.pd_dim, dt, lay.sensor.revisit_s) for lay in layers])
    truth = Truth(
        np.ascontiguousarray(r_ecef),
        np.ascontiguousarray(alt_m),
        np.ascontiguousarray(phase),
        np.ascontiguousarray(t_s, dtype=np.float64),
    )
    _first_detection(
        Constellations.of(layers),
        hazard_boost,
        hazard_dim,
        truth,
        np.ascontiguousarray(brightness, dtype=np.float64),
        float(theta0_rad),
        np.ascontiguousarray(offsets_s, dtype=np.float64),
        threshold,
        out,
    )
    return out


@nb.njit(cache=True, error_model="numpy")
def _stereo_fix(s1, s2, p, sigma, key, counter, z, R):
    """Stereo fix of p from satellites s1, s2 (ECEF): noisy lines of sight (two normal draws each, from
    ``counter`` on) intersected by least squares; ``z`` (3,) and its covariance ``R`` (3, 3), ECEF.
    Returns False when the lines are parallel (no fix).

    Written out in scalars (the 3 x 3 normal equations, inverted by cofactors with
    :func:`domesim.core.kalman.inverse_symmetric3`): NumPy's linear algebra would cost seconds of
    compile time for a 3 x 3 system."""
    A = np.zeros((3, 3))
    b = np.zeros(3)
    for idx in range(2):
        s = s1 if idx == 0 else s2
        d0, d1, d2 = p[0] - s[0], p[1] - s[1], p[2] - s[2]
        dist = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
        u0, u1, u2 = d0 / dist, d1 / dist, d2 / dist
        # two directions across the line of sight, perturbed by the angular noise
        a0, a1 = (1.0, 0.0) if abs(u0) < 0.9 else (0.0, 1.0)
        au = a0 * u0 + a1 * u1
        e0, e1, e2 = a0 - au * u0, a1 - au * u1, -au * u2
        norm = math.sqrt(e0 * e0 + e1 * e1 + e2 * e2)
        e0, e1, e2 = e0 / norm, e1 / norm, e2 / norm
        f0, f1, f2 = u1 * e2 - u2 * e1, u2 * e0 - u0 * e2, u0 * e1 - u1 * e0  # u x e
        c = counter + np.uint64(2 * idx)
        n1, n2 = sigma * normal(key, c), sigma * normal(key, c + np.uint64(1))
        m0, m1, m2 = u0 + n1 * e0 + n2 * f0, u1 + n1 * e1 + n2 * f1, u2 + n1 * e2 + n2 * f2
        norm = math.sqrt(m0 * m0 + m1 * m1 + m2 * m2)
        um = (m0 / norm, m1 / norm, m2 / norm)
        w = 1.0 / (dist * sigma) ** 2
        for i in range(3):
            for k in range(3):
                proj = (1.0 if i == k else 0.0) - um[i] * um[k]
                A[i, k] += w * proj
                b[i] += w * proj * s[k]
    if inverse_symmetric3(A, R) == 0.0:  # parallel lines of sight: no fix
        return False
    for i in range(3):
        z[i] = R[i, 0] * b[0] + R[i, 1] * b[1] + R[i, 2] * b[2]
    return True


@nb.njit(cache=True, error_model="numpy")
def draw_stereo_look(sensor, satellites, p, boosting, brightness, key, counter, z, R):
    """One look of a space sensor layer (``sensor``, a :data:`SPACE_SENSOR_DTYPE` record) at an object at
    ``p``; ``satellites`` is (positions (S, 3) ECEF of every layer's satellites, first and stop index of
    this layer's).
    each satellite that sees it detects it with the class's per-look Pd (uniform ``counter + j`` for
    satellite j); the first two that do make a stereo fix (normals from ``counter + S``) in ``z``, ``R``.
    Returns whether a fix was made (one satellite gives a line of sight, not a position)."""
    sats, first_sat, stop_sat = satellites
    pd = sensor.pd_boost if boosting else 1.0 - (1.0 - sensor.pd_dim) ** brightness
    if pd <= 0.0:
        return False
    rb = R_EARTH_EQ_M + (0.0 if boosting else sensor.limb_alt_m)
    if not boosting and p[0] ** 2 + p[1] ** 2 + p[2] ** 2 <= rb * rb:
        return False
    reach = sensor.max_range_m if boosting else sensor.dim_range_m
    cos2_for = math.cos(sensor.field_of_regard_rad) ** 2
    first, second = -1, -1
    for j in range(first_sat, stop_sat):
        if sees(sats[j, 0], sats[j, 1], sats[j, 2], p[0], p[1], p[2], rb * rb, reach**2, cos2_for):
            if uniform(key, counter + np.uint64(j)) < pd:
                if first < 0:
                    first = j
                elif second < 0:
                    second = j
    if second < 0:
        return False
    return _stereo_fix(
        sats[first], sats[second], p, sensor.angle_sigma_rad, key, counter + np.uint64(sats.shape[0]), z, R
    )
