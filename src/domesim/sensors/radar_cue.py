"""Cued sensing: early-warning radars that see a threat object when it is above their horizon and in range.

This is the fast approximate mode (``sensing = "cued"``): a radar's detection is its line of sight
(elevation above ``min_elevation``, Earth occlusion included since the elevation is taken from the
site's geodetic horizon) within ``max_range``; the battle manager acts a cue delay later on the
true state. The full sensor and tracking chain is a separate mode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
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
    r = np.ascontiguousarray(r_ecef, dtype=np.float64)
    out = np.full(r.shape[:-2], np.inf)
    if radars:
        sites = np.array([radar.r_ecef for radar in radars])
        ups = np.array([frames.enu_matrix(radar.lat_rad, radar.lon_rad)[2] for radar in radars])
        ranges = np.array([radar.max_range_m for radar in radars])
        sin_el = np.sin([radar.min_elevation_rad for radar in radars])
        _first_seen(
            r.reshape(-1, r.shape[-2], 3),
            np.ascontiguousarray(t_s, np.float64),
            sites,
            ups,
            ranges,
            sin_el,
            out.reshape(-1),
        )
    return out


@nb.njit(cache=True, parallel=True)
def _first_seen(r_ecef, t_s, sites, ups, ranges, sin_el, out):
    """Per object, the first step at which some radar sees it (the test of :func:`is_visible`)."""
    for i in nb.prange(r_ecef.shape[0]):
        for k in range(r_ecef.shape[1]):
            seen = False
            for m in range(sites.shape[0]):
                d0 = r_ecef[i, k, 0] - sites[m, 0]
                d1 = r_ecef[i, k, 1] - sites[m, 1]
                d2 = r_ecef[i, k, 2] - sites[m, 2]
                slant = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
                up = d0 * ups[m, 0] + d1 * ups[m, 1] + d2 * ups[m, 2]
                seen = seen or (slant <= ranges[m] and up >= sin_el[m] * slant)
            if seen:
                out[i] = t_s[k]
                break
