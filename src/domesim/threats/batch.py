"""The truth of threat objects on the time grid, the one structure every threat generator returns.

Generators (ballistic missiles and their payloads, glide vehicles, cruise missiles, fractional-orbit
weapons) each fill a :class:`ThreatBatch` for their objects; :func:`concatenate` joins them along
the object axis, so the engine sees one set of arrays whatever the raid mixes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class ThreatBatch:
    """Truth of every threat object on the time grid, arrays over (R trials, N objects, T steps).

    Attributes
    ----------
    t_s : (T,) grid times, s since epoch.
    r_ecef : (R, N, T, 3) position, m, ECEF; NaN before launch (or release) and after impact.
    v_ecef : (R, N, T, 3) Earth-relative velocity, m/s, ECEF.
    alt_m : (R, N, T) geodetic height, m.
    phase : (R, N, T) int8 ``PHASE_*`` code of :mod:`domesim.core.ballistic`.
    impact_t_s : (R, N) impact time (NaN if none within the grid).
    impact_lat_rad, impact_lon_rad : (R, N) impact point.
    status : (R, N) int8 ``STATUS_*`` code of :mod:`domesim.core.ballistic`.
    """

    t_s: np.ndarray
    r_ecef: np.ndarray
    v_ecef: np.ndarray
    alt_m: np.ndarray
    phase: np.ndarray
    impact_t_s: np.ndarray
    impact_lat_rad: np.ndarray
    impact_lon_rad: np.ndarray
    status: np.ndarray


FIELDS = ("r_ecef", "v_ecef", "alt_m", "phase", "impact_t_s", "impact_lat_rad", "impact_lon_rad", "status")


def join(batches: list[ThreatBatch], index: np.ndarray) -> ThreatBatch:
    """Objects ``index`` of the batches joined along the object axis, in that order: the same as
    taking ``index`` of :func:`concatenate`'s result, without the intermediate copy (a raid's truth is
    its largest array)."""
    first = batches[0]
    index = np.asarray(index, dtype=np.int64)
    starts = np.cumsum([0] + [b.r_ecef.shape[1] for b in batches])
    fields = {}
    for name in FIELDS:
        part = getattr(first, name)
        out = np.empty((part.shape[0], index.size) + part.shape[2:], dtype=part.dtype)
        for b, batch in enumerate(batches):
            where = np.flatnonzero((index >= starts[b]) & (index < starts[b + 1]))
            out[:, where] = getattr(batch, name)[:, index[where] - starts[b]]
        fields[name] = out
    return ThreatBatch(t_s=first.t_s, **fields)


def concatenate(batches: list[ThreatBatch]) -> ThreatBatch:
    """Join batches of the same trials and grid along the object axis (in the order given)."""
    first = batches[0]
    if len(batches) == 1:
        return first
    for b in batches[1:]:
        if b.t_s.shape != first.t_s.shape or b.r_ecef.shape[0] != first.r_ecef.shape[0]:
            raise ValueError("threat batches must share the trials and the time grid")
    return ThreatBatch(
        t_s=first.t_s,
        **{name: np.concatenate([getattr(b, name) for b in batches], axis=1) for name in FIELDS},
    )
