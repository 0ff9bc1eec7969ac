"""Constellations: Walker delta/star patterns and explicit element sets, as mean elements (S, 6).

Walker notation ``i: T/P/F`` (Walker, J. G., "Satellite constellations", J. Br. Interplanet. Soc. 37,
1984): ``T`` satellites in ``P`` equally spaced planes of inclination ``i``; the ascending nodes of a
*delta* pattern span 360 deg, those of a *star* pattern (polar, for instance) 180 deg; in-plane
satellites are equally spaced; a satellite of plane ``p + 1`` leads its neighbour of plane ``p`` by
``F * 360 / T`` deg (``0 <= F < P``).

All orbits here are circular unless an element set gives an eccentricity. Element rows follow
:mod:`domesim.core.kepler`: ``[a_m, e, i_rad, raan_rad, argp_rad, mean_anomaly_rad]`` at ``t = 0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from domesim.core.constants import R_EARTH_EQ_M
from domesim.errors import ParameterError

MIN_ALT_M = 100e3  # below this an orbit decays within hours (Karman line, FAI)


def check_orbit(alt_m: float, inc_rad: float, where: str = "") -> None:
    """Raise :class:`ParameterError` for an altitude below 100 km or an inclination outside 0-180 deg."""
    prefix = f"{where}: " if where else ""
    if not math.isfinite(alt_m) or alt_m < MIN_ALT_M:
        raise ParameterError(f"{prefix}alt_km must be >= 100 km (got {alt_m / 1e3:g} km)")
    if not math.isfinite(inc_rad) or not 0.0 <= inc_rad <= math.pi:
        raise ParameterError(f"{prefix}inc_deg must be between 0 and 180 deg (got {math.degrees(inc_rad):g})")


@dataclass(frozen=True)
class Walker:
    """A Walker pattern of circular orbits, SI units.

    >>> w = Walker(550e3, math.radians(53.0), planes=4, per_plane=3, phasing=1)
    >>> w.size, w.elements().shape
    (12, (12, 6))
    """

    alt_m: float
    inc_rad: float
    planes: int
    per_plane: int
    phasing: int = 1
    pattern: str = "delta"  # "delta" (nodes over 360 deg) or "star" (over 180 deg)
    raan0_rad: float = 0.0  # node of the first plane

    def __post_init__(self) -> None:
        check_orbit(self.alt_m, self.inc_rad)
        if self.planes < 1 or self.per_plane < 1:
            raise ParameterError(f"planes and per_plane must be >= 1 (got {self.planes}, {self.per_plane})")
        if not 0 <= self.phasing < max(self.planes, 1):
            raise ParameterError(f"phasing must be between 0 and planes - 1 (got {self.phasing})")
        if self.pattern not in ("delta", "star"):
            raise ParameterError(f"pattern must be 'delta' or 'star' (got {self.pattern!r})")

    @property
    def size(self) -> int:
        return self.planes * self.per_plane

    def elements(self) -> np.ndarray:
        """Mean elements (S, 6), plane by plane."""
        spread = 2.0 * math.pi if self.pattern == "delta" else math.pi
        plane = np.repeat(np.arange(self.planes), self.per_plane)
        slot = np.tile(np.arange(self.per_plane), self.planes)
        el = np.zeros((self.size, 6))
        el[:, 0] = R_EARTH_EQ_M + self.alt_m
        el[:, 2] = self.inc_rad
        el[:, 3] = (self.raan0_rad + plane * spread / self.planes) % (2.0 * math.pi)
        el[:, 5] = (2.0 * math.pi * (slot / self.per_plane + plane * self.phasing / self.size)) % (
            2.0 * math.pi
        )
        return el


def element_set(rows_deg: list[list[float]] | np.ndarray) -> np.ndarray:
    """Mean elements (S, 6) from rows ``[alt_km, e, inc_deg, raan_deg, argp_deg, mean_anomaly_deg]``.

    ``alt_km`` is the altitude of the semi-major axis above the equatorial radius; the perigee must
    be above 100 km.

    >>> element_set([[500.0, 0.0, 45.0, 10.0, 0.0, 90.0]])[0, :3].round(4).tolist()
    [6878137.0, 0.0, 0.7854]
    """
    rows = np.asarray(rows_deg, dtype=np.float64)
    if rows.ndim != 2 or rows.shape[1] != 6:
        raise ParameterError(
            "each element row must be [alt_km, e, inc_deg, raan_deg, argp_deg, mean_anomaly_deg]"
        )
    el = np.empty_like(rows)
    el[:, 0] = R_EARTH_EQ_M + rows[:, 0] * 1e3
    el[:, 1] = rows[:, 1]
    el[:, 2:] = np.radians(rows[:, 2:])
    for k, (a, e, inc) in enumerate(el[:, :3]):
        if not 0.0 <= e < 1.0:
            raise ParameterError(f"element row {k + 1}: e must be in [0, 1) (got {e:g})")
        check_orbit(a * (1.0 - e) - R_EARTH_EQ_M, inc, f"element row {k + 1} (perigee)")
    el[:, 3:] %= 2.0 * math.pi
    return el
