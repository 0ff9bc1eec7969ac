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
from domesim.errors import ParameterError

# The kernel's record of one cued radar (SI): its site, local vertical, range and elevation limit.
CUE_RADAR_DTYPE = np.dtype(
    [
        ("site_ecef", "f8", (3,)),
        ("up", "f8", (3,)),  # local vertical (ECEF unit vector)
        ("max_range_m", "f8"),
        ("sin_min_elevation", "f8"),
    ]
)


@dataclass(frozen=True, kw_only=True)
class CueRadar:
    """A radar site for cued sensing, SI units (geodetic latitude and longitude in rad, height in m).

    >>> CueRadar(name="x", lat_rad=0.0, lon_rad=0.0, alt_m=0.0, max_range_m=-1.0, min_elevation_rad=0.0)
    Traceback (most recent call last):
    ...
    domesim.errors.ParameterError: cued radar 'x': max_range_m must be > 0 (got -1)
    """

    name: str
    lat_rad: float
    lon_rad: float
    alt_m: float
    max_range_m: float
    min_elevation_rad: float

    def __post_init__(self) -> None:
        if not self.max_range_m > 0:
            raise ParameterError(
                f"cued radar {self.name!r}: max_range_m must be > 0 (got {self.max_range_m:g})"
            )
        if not -math.pi / 2 <= self.min_elevation_rad < math.pi / 2:
            raise ParameterError(f"cued radar {self.name!r}: min_elevation_rad must be in [-pi/2, pi/2)")

    @property
    def r_ecef(self) -> np.ndarray:
        return frames.geodetic_to_ecef(self.lat_rad, self.lon_rad, self.alt_m)


def records(radars: list[CueRadar]) -> np.ndarray:
    """The radars' records, shape (M,) of :data:`CUE_RADAR_DTYPE`."""
    out = np.zeros(len(radars), CUE_RADAR_DTYPE)
    for rec, radar in zip(out, radars, strict=True):
        rec["site_ecef"] = radar.r_ecef
        rec["up"] = frames.enu_matrix(radar.lat_rad, radar.lon_rad)[2]
        rec["max_range_m"] = radar.max_range_m
    # one call over all radars, as the kernel has always had it (bit for bit)
    out["sin_min_elevation"] = np.sin([radar.min_elevation_rad for radar in radars])
    return out.view(np.recarray)  # attribute access, compiled or not


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
        _first_seen(
            r.reshape(-1, r.shape[-2], 3),
            np.ascontiguousarray(t_s, np.float64),
            records(radars),
            out.reshape(-1),
        )
    return out


@nb.njit(cache=True, parallel=True)
def _first_seen(r_ecef, t_s, radars, out):
    """Per object, the first step at which some radar (:data:`CUE_RADAR_DTYPE` records) sees it (the test of
    :func:`is_visible`)."""
    for i in nb.prange(r_ecef.shape[0]):
        for k in range(r_ecef.shape[1]):
            seen = False
            for m in range(radars.shape[0]):
                site, up = radars[m].site_ecef, radars[m].up
                d0 = r_ecef[i, k, 0] - site[0]
                d1 = r_ecef[i, k, 1] - site[1]
                d2 = r_ecef[i, k, 2] - site[2]
                slant = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
                dot = d0 * up[0] + d1 * up[1] + d2 * up[2]
                seen = seen or (slant <= radars[m].max_range_m and dot >= radars[m].sin_min_elevation * slant)
            if seen:
                out[i] = t_s[k]
                break
