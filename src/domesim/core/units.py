"""Unit conversions at the I/O boundary. Inside domesim everything is SI (m, s, rad, kg).

Config keys carry their unit as a suffix (``alt_km``, ``az_deg``); :func:`to_si` converts a
value given with such a suffix, so scenario and catalogue loaders convert in one place.
"""

from __future__ import annotations

import math

# suffix -> (factor to SI, SI suffix)
SUFFIXES: dict[str, tuple[float, str]] = {
    "_m": (1.0, "_m"),
    "_km": (1e3, "_m"),
    "_s": (1.0, "_s"),
    "_min": (60.0, "_s"),
    "_deg": (math.pi / 180.0, "_rad"),
    "_rad": (1.0, "_rad"),
    "_mrad": (1e-3, "_rad"),
    "_urad": (1e-6, "_rad"),
    "_m_s": (1.0, "_m_s"),
    "_km_s": (1e3, "_m_s"),
    "_kg": (1.0, "_kg"),
    "_kg_m2": (1.0, "_kg_m2"),
    "_g": (9.80665, "_m_s2"),  # acceleration in standard gravities
    "_m_s2": (1.0, "_m_s2"),
    "_frac": (1.0, "_frac"),
}

DEG = math.pi / 180.0
KM = 1e3


def unit_suffix(key: str) -> str | None:
    """Return the longest unit suffix of ``key`` that domesim knows, or None.

    >>> unit_suffix("burnout_speed_km_s")
    '_km_s'
    """
    best = None
    for suffix in SUFFIXES:
        if key.endswith(suffix) and (best is None or len(suffix) > len(best)):
            best = suffix
    return best


def to_si(key: str, value: float) -> float:
    """Convert ``value`` given in the unit named by the suffix of ``key`` to SI.

    >>> to_si("range_km", 2.5)
    2500.0
    """
    suffix = unit_suffix(key)
    if suffix is None:
        return float(value)
    return float(value) * SUFFIXES[suffix][0]
