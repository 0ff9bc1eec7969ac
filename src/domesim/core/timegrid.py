"""The scenario time grid: one UTC epoch, then float64 seconds since the epoch.

No ``datetime`` per state: the epoch is parsed once, and times inside are plain floats.
UT1 is taken equal to UTC (|UT1 - UTC| < 0.9 s by definition of UTC), see :mod:`frames`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from domesim.core.constants import (
    ERA_AT_J2000_TURNS,
    ERA_RATE_TURNS_PER_UT1_DAY,
    JD_J2000,
    SECONDS_PER_DAY,
)

_J2000_UTC = datetime(2000, 1, 1, 12, 0, 0, tzinfo=UTC)


def parse_epoch_utc(text: str) -> datetime:
    """Parse an ISO-8601 UTC epoch (``2026-01-01T00:00:00Z``); naive times are taken as UTC.

    >>> parse_epoch_utc("2026-01-01T00:00:00Z").year
    2026
    """
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. year 1 with a positive UTC offset
        raise ValueError(f"{text!r} is outside the representable range of dates") from None


def julian_date(text: str) -> float:
    """Julian date of a UTC epoch string (UTC used as UT1).

    >>> julian_date("2000-01-01T12:00:00Z")
    2451545.0
    """
    delta = parse_epoch_utc(text) - _J2000_UTC
    return JD_J2000 + delta.total_seconds() / SECONDS_PER_DAY


@dataclass(frozen=True)
class TimeGrid:
    """Uniform steps ``t_k = k * step_s`` for ``k = 0 .. T-1`` covering ``[0, duration_s]``.

    >>> grid = TimeGrid("2026-01-01T00:00:00Z", step_s=2.0, duration_s=10.0)
    >>> grid.t_s.tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    """

    epoch_utc: str
    step_s: float
    duration_s: float

    @property
    def steps(self) -> int:
        """Number of grid points T."""
        return int(np.floor(self.duration_s / self.step_s + 1e-9)) + 1

    @property
    def t_s(self) -> np.ndarray:
        """Grid times, shape (T,), seconds since the epoch."""
        return np.arange(self.steps, dtype=np.float64) * self.step_s

    @property
    def epoch_jd(self) -> float:
        """Julian date (UT1 taken as UTC) of ``t = 0``."""
        return julian_date(self.epoch_utc)


def earth_rotation_angle(t_s, epoch_jd: float) -> np.ndarray:
    """Earth Rotation Angle (IERS Conventions 2010, eq. 5.15) at ``t_s`` seconds after ``epoch_jd``.

    UT1 is taken equal to UTC (the error budget is at the top of :mod:`domesim.core.frames`). It lives here,
    with time, so that reading a scenario needs no compiled code.

    >>> round(float(earth_rotation_angle(0.0, 2451545.0)), 12)
    4.894961212824
    """
    t = np.asarray(t_s, dtype=np.float64)
    # Split the day count so that float64 keeps sub-microsecond resolution over decades.
    du_whole = epoch_jd - JD_J2000
    frac = ERA_AT_J2000_TURNS + (ERA_RATE_TURNS_PER_UT1_DAY - 1.0) * du_whole + du_whole % 1.0
    turns = frac + ERA_RATE_TURNS_PER_UT1_DAY * t / SECONDS_PER_DAY
    return 2.0 * np.pi * (turns % 1.0)
