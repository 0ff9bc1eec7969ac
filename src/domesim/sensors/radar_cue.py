"""Cued sensing: early-warning radars that see a threat object when it is above their horizon and in range.

This is the fast approximate mode (``sensing = "cued"``): a radar's detection is its line of sight
(elevation above ``min_elevation``, Earth occlusion included since the elevation is taken from the
site's geodetic horizon) within ``max_range``; the battle manager acts a cue delay later on the
true state. The full sensor and tracking chain is a separate mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domesim.core import frames


@dataclass(frozen=True)
class CueRadar:
    """A radar site for cued sensing, SI units."""

    name: str
    lat_rad: float
    lon_rad: float
    alt_m: float
    max_range_m: float
    min_elevation_rad: float

    @property
    def r_ecef(self) -> np.ndarray:
        return frames.geodetic_to_ecef(self.lat_rad, self.lon_rad, self.alt_m)


def is_visible(radar: CueRadar, r_ecef: np.ndarray) -> np.ndarray:
    """Whether each position (..., 3) ECEF is inside the radar's range and above its minimum elevation."""
    d = r_ecef - radar.r_ecef
    up = frames.enu_matrix(radar.lat_rad, radar.lon_rad)[2]
    slant = np.linalg.norm(d, axis=-1)
    with np.errstate(invalid="ignore"):
        sin_elev = (d @ up) / slant
        return (slant <= radar.max_range_m) & (sin_elev >= np.sin(radar.min_elevation_rad))


def first_detection_t_s(radars: list[CueRadar], r_ecef: np.ndarray, t_s: np.ndarray) -> np.ndarray:
    """Earliest time any radar sees each object, shape (...) for positions (..., T, 3); inf if never.

    NaN positions (before launch, after impact) are never visible.
    """
    seen = np.zeros(r_ecef.shape[:-1], dtype=bool)
    for radar in radars:
        seen |= is_visible(radar, r_ecef)
    first = np.argmax(seen, axis=-1)
    return np.where(seen.any(axis=-1), t_s[first], np.inf)
