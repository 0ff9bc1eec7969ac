"""Import TLE and OMM element sets (the SGP4 seam) as domesim mean elements.

A user's catalogue file becomes the ``(S, 6)`` element rows of :mod:`domesim.core.kepler`,
``[a_m, e, i_rad, raan_rad, argp_rad, mean_anomaly_rad]`` at the scenario epoch ``t = 0``.

Formats (recognised from the content, not the file name)
--------------------------------------------------------
- TLE: two-line element sets, with or without a name line before each pair (three-line form;
  a leading ``"0 "`` on the name line, as in Space-Track's 3LE files, is dropped).
- OMM (CCSDS Orbit Mean-Elements Message, SGP4 theory): CSV with a header row, XML
  (``ndm/omm/body/segment``; namespaces ignored) and JSON (a list of records), as served by
  CelesTrak and Space-Track. KVN is not read.

Everything is validated before it reaches sgp4, which accepts malformed lines silently: column
layout, modulo-10 checksums, matching catalogue numbers, numeric fields and their ranges, SGP4's
own error code, and a perigee of at least :data:`MIN_PERIGEE_ALT_M`. Every fault in a file is
reported at once as a :class:`~domesim.errors.ScenarioError` naming the file, the line (the segment
or record for OMM) and what is expected.

Conversion (SGP4 mean elements -> domesim mean elements)
--------------------------------------------------------
Each element set is initialised with sgp4 (WGS72 constants, "improved" mode) and carried to the
scenario epoch by SGP4 itself; python-sgp4 then exposes SGP4's *mean* elements at that time
(``am, em, im, Om, om, mm``), with its secular J2, J2^2 and J4 rates, its drag (B*) terms and, for
periods of 225 min or more, its deep-space secular and resonance terms applied, however far the
element set's epoch is from the scenario's. Then, at the scenario epoch:

1. Deep space only: SGP4's lunar-solar periodic terms (``dpper``, evaluated on python-sgp4's
   pure-Python twin of the satellite) are added and frozen, as SGP4 adds them before its J3 step.
2. SGP4's long-period J3 terms (the ``axnl, aynl, xl`` lines of ``sgp4``) are folded into the
   eccentricity vector and the mean longitude and frozen there. They shift the eccentricity vector
   by about ``1e-3 sin i`` (7 km in LEO) and change only with the argument of perigee (months).
3. The semi-major axis is adjusted (by metres: WGS72 against WGS84 constants, SGP4's higher-order
   secular terms, drag) so that kepler's secular in-plane angular rate
   ``dargp/dt + dM/dt + cos i dRAAN/dt`` equals SGP4's at the scenario epoch (a central difference
   over +-1 min). Along-track drift is then left only by drag after the epoch.
4. The frame: SGP4 works in TEME (true equator, mean equinox of date). With ``frame="eci"`` (the
   default) the node is rotated into domesim's ``eci`` frame (:mod:`domesim.core.frames`: CIRS of
   date), which shares TEME's pole: ``raan_eci = raan_teme + ERA - GMST82`` at the scenario epoch,
   -0.33 deg in 2026 (GMST82 of Vallado et al. 2006, the angle TEME is defined by; checked against
   skyfield). UT1 = UTC in both angles, so the difference is exact but for the precession of
   either frame over the scenario (0.14 arcsec/day, 5 m in LEO). ``frame="teme"`` keeps TEME, to
   compare with SGP4's output.

Error budget against SGP4 itself, over the day after the scenario epoch (measured in
``tests/validation/test_orbits_sgp4.py``): kepler leaves out SGP4's short-period J2 terms, 2.5 km
(1,200 km) to 7.4 km (300 km) in LEO, < 10 m/s; the secular drift left is 0.3 km/day (kepler's
nodal rate lacks SGP4's J2^2 and J4 terms) plus drag after the epoch (about 1 km in a day for the
ISS; hundreds of km for a perigee near 200 km with a large B*). Deep space: GPS 0.7 km, GEO 4 km,
Molniya 8 km. SGP4 with public element sets is itself an approximation at the km level, growing
with the element set's age: use element sets close to the scenario epoch.

References
----------
Vallado, D. A., Crawford, P., Hujsak, R., Kelso, T. S. (2006), "Revisiting Spacetrack Report #3",
AIAA 2006-6753 (SGP4, TEME, GMST82, the TLE format); CCSDS 502.0-B-3 (2023), Orbit Data Messages.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sgp4 import omm
from sgp4.api import SGP4_ERRORS, WGS72, WGS72OLD, WGS84, Satrec
from sgp4.model import Satrec as _PySatrec
from sgp4.propagation import _dpper, gstime

from domesim.core import kepler
from domesim.core.frames import earth_rotation_angle
from domesim.errors import Problem, ScenarioError
from domesim.limits import (
    DEFAULT_POLICY,
    MAX_ELEMENT_FILE_BYTES,
    MAX_FILE_PROBLEMS,
    PATH_CHARS,
    InputPolicy,
    quote,
)

MIN_PERIGEE_ALT_M = 100e3  # SGP4 mean perigee height; below it the satellite is re-entering
TLE_LINE_LENGTH = 69
MAX_A_ADJUST = 1e-3  # relative change of a allowed to match SGP4's along-track rate (metres expected)
RATE_STEP_MIN = 1.0  # half-width of the central difference of SGP4's along-track rate, minutes
_TWO_PI = 2.0 * math.pi
_GRAVITY = {398600.79964: WGS72OLD, 398600.8: WGS72, 398600.5: WGS84}  # mu, km3/s2 -> sgp4 constants

Frame = Literal["eci", "teme"]

# Fixed columns of the TLE format (Vallado et al. 2006, appendix; CelesTrak "NORAD Two-Line Element
# Set Format"): (first column, last column) 1-based, the field, a regular expression, what is expected.
_NUMBER = r"[0-9 ]{4}[0-9]|[A-HJ-NP-Z][0-9]{4}"  # catalogue number, digits or Alpha-5
_EXP = r"[ +-][0-9]{5}[ +-][0-9]"  # " 38792-4" = 0.38792e-4
_ANGLE = r"[ 0-9]{3}\.[0-9]{4}"
_LINE1_FIELDS = (
    (3, 7, "catalogue number", _NUMBER, "5 digits, or a letter and 4 digits (Alpha-5)"),
    (19, 20, "epoch year", r"[0-9]{2}", "2 digits"),
    (21, 32, "epoch day of the year", r"[ 0-9]{3}\.[0-9]{8}", "DDD.DDDDDDDD"),
    (34, 43, "mean motion derivative", r"[ +-]\.[0-9]{8}", "a sign or a space, then .NNNNNNNN"),
    (
        45,
        52,
        "second mean motion derivative",
        _EXP,
        "a sign or a space, 5 digits, signed exponent (' 12345-6')",
    ),
    (54, 61, "B* drag term", _EXP, "a sign or a space, 5 digits, signed exponent (' 12345-6')"),
    (63, 63, "ephemeris type", r"[0-9 ]", "a digit"),
    (65, 68, "element set number", r"[ 0-9]{3}[0-9]", "up to 4 digits"),
)
_LINE1_SPACES = (2, 9, 18, 33, 44, 53, 62, 64)
_LINE2_FIELDS = (
    (3, 7, "catalogue number", _NUMBER, "5 digits, or a letter and 4 digits (Alpha-5)"),
    (9, 16, "inclination", _ANGLE, "degrees as NNN.NNNN"),
    (18, 25, "right ascension of the node", _ANGLE, "degrees as NNN.NNNN"),
    (27, 33, "eccentricity", r"[ 0-9]{6}[0-9]", "7 digits with an implied leading decimal point (0007417)"),
    (35, 42, "argument of perigee", _ANGLE, "degrees as NNN.NNNN"),
    (44, 51, "mean anomaly", _ANGLE, "degrees as NNN.NNNN"),
    (53, 63, "mean motion", r"[ 0-9]{2}\.[0-9]{8}", "revolutions per day as NN.NNNNNNNN"),
    (64, 68, "revolution number", r"[ 0-9]{4}[0-9]", "up to 5 digits"),
)
_LINE2_SPACES = (2, 8, 17, 26, 34, 43, 52)
_LINE2_RANGES = {
    "inclination": 180.0,
    "right ascension of the node": 360.0,
    "argument of perigee": 360.0,
    "mean anomaly": 360.0,
}

# OMM keywords (CCSDS 502.0-B-3, table 4-3 and the TLE-related parameters): required, and defaults.
_OMM_REQUIRED = (
    "NORAD_CAT_ID",
    "EPOCH",
    "MEAN_MOTION",
    "ECCENTRICITY",
    "INCLINATION",
    "RA_OF_ASC_NODE",
    "ARG_OF_PERICENTER",
    "MEAN_ANOMALY",
    "BSTAR",
    "MEAN_MOTION_DOT",
    "MEAN_MOTION_DDOT",
)
_OMM_DEFAULTS = {
    "OBJECT_NAME": "",
    "OBJECT_ID": "",
    "CLASSIFICATION_TYPE": "U",
    "EPHEMERIS_TYPE": "0",
    "ELEMENT_SET_NO": "999",
    "REV_AT_EPOCH": "0",
}
_OMM_FIXED = {
    "MEAN_ELEMENT_THEORY": "SGP4",
    "REF_FRAME": "TEME",
    "CENTER_NAME": "EARTH",
    "TIME_SYSTEM": "UTC",
}
_FORMATS = "TLE (2 or 3 lines per satellite) or OMM (CSV with a header, XML, JSON)"
_PROBLEMS_READ = 100  # problems found before reading a TLE file stops (a file that bad is rejected anyway)
_STOPPED = "reading stopped at this line: too many problems"


def _capped(problems: list[Problem], source: str) -> list[Problem]:
    """The first :data:`~domesim.limits.MAX_FILE_PROBLEMS` problems of a file and a count of the rest, so
    that a message never quotes more than a few lines of a file."""
    if len(problems) <= MAX_FILE_PROBLEMS:
        return problems
    rest = problems[MAX_FILE_PROBLEMS:]
    stopped = rest[-1].message == _STOPPED
    more = f"and {len(rest) - stopped}{' or more' if stopped else ''} more problems"
    where = f" (reading stopped at line {rest[-1].line})" if stopped else ""
    return [*problems[:MAX_FILE_PROBLEMS], Problem(source, "", f"{more}{where}; the first are shown")]


@dataclass
class _Entry:
    """One validated element set and where it came from (for later messages)."""

    name: str
    satrec: Any  # sgp4.api.Satrec (untyped extension class)
    line: int | None
    key: str


def tle_checksum(line: str) -> int:
    """Modulo-10 checksum of a TLE line: the sum of the digits of columns 1-68, each '-' counting 1.

    It must equal the digit in column 69.

    >>> tle_checksum("1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991")
    1
    """
    return sum(int(c) if c.isdigit() else c == "-" for c in line[:68]) % 10


def teme_to_eci_angle(epoch_jd: float) -> float:
    """Rotation about the pole from TEME to domesim ``eci``, radians: ``ERA - GMST82`` (UT1 = UTC).

    ``r_eci = R3(-angle) r_teme`` in the passive convention, i.e. ``raan_eci = raan_teme + angle``.
    Returned in [-pi, pi).

    >>> round(math.degrees(teme_to_eci_angle(2461041.5)), 3)  # 2026-01-01T00:00:00Z
    -0.333
    """
    era = float(earth_rotation_angle(0.0, epoch_jd))
    return (era - gstime(epoch_jd) + math.pi) % _TWO_PI - math.pi


def read_elements(
    path: str | Path, epoch_jd: float, *, frame: Frame = "eci", policy: InputPolicy = DEFAULT_POLICY
) -> tuple[list[str], np.ndarray]:
    """Read a TLE or OMM file into mean elements at the scenario epoch.

    Parameters
    ----------
    path : a TLE file (2- or 3-line) or an OMM file (CSV, XML, JSON); see the module docstring.
    epoch_jd : the scenario epoch ``t = 0``, Julian date, UTC (UT1 taken as UTC), e.g. from
        :func:`domesim.core.timegrid.julian_date`.
    frame : ``"eci"`` (domesim's inertial frame, default) or ``"teme"`` (SGP4's frame).
    policy : whether the file may be larger than :data:`~domesim.limits.MAX_ELEMENT_FILE_BYTES` (and a
        TLE or CSV line longer than :data:`~domesim.limits.MAX_LINE_CHARS`).

    Returns
    -------
    names : list of S satellite names (the name line or OBJECT_NAME; the catalogue number if none).
    elements : (S, 6) float64 rows ``[a_m, e, i_rad, raan_rad, argp_rad, mean_anomaly_rad]`` at
        ``epoch_jd``, in ``frame``, for :func:`domesim.core.kepler.propagate`.

    Raises
    ------
    ScenarioError
        One :class:`~domesim.errors.Problem` per fault (file, line, what is expected).

    >>> import tempfile
    >>> tle = '''ISS (ZARYA)
    ... 1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991
    ... 2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482
    ... '''
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder) / "iss.tle"
    ...     _ = path.write_text(tle)
    ...     names, el = read_elements(path, 2458827.5)  # 2019-12-10T00:00:00Z
    >>> names, el.shape, round(el[0, 0] / 1e3), round(math.degrees(el[0, 2]), 4)
    (['ISS (ZARYA)'], (1, 6), 6795, 51.6439)
    """
    file = str(path)
    p = Path(path)
    try:
        size = p.stat().st_size if p.is_file() else None
    except OSError as exc:  # a name too long for the file system, say
        raise ScenarioError([Problem(file[:PATH_CHARS], "", f"cannot be read ({exc.strerror})")]) from None
    if size is None:
        raise ScenarioError([Problem(file, "", "file not found" if not p.exists() else "not a file")])
    if found := policy.oversized(size, MAX_ELEMENT_FILE_BYTES):
        raise ScenarioError([Problem(file, "", *found)])
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(file, "", f"cannot be read as UTF-8 text ({exc})")]) from None
    line_based = not text.lstrip().startswith(("<", "[", "{"))  # XML and JSON may be one long line
    if line_based and (found := policy.oversized(len(text), MAX_ELEMENT_FILE_BYTES, text)):
        raise ScenarioError([Problem(file, "", *found)])
    return parse_elements(text, epoch_jd, source=file, frame=frame)


def parse_elements(
    text: str, epoch_jd: float, *, source: str = "<string>", frame: Frame = "eci"
) -> tuple[list[str], np.ndarray]:
    """:func:`read_elements` on the content of a file; ``source`` names it in messages.

    >>> text = '''1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991
    ... 2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202483'''
    >>> parse_elements(text, 2458827.5, source="sats.tle")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    domesim.errors.ScenarioError: sats.tle:2: checksum is 3, expected 2 (the last digit of the line: ...
    """
    if frame not in ("eci", "teme"):
        raise ValueError(f"frame must be 'eci' or 'teme' (got {frame!r})")
    entries = _parse(text, source)
    elements, problems = _convert([e.satrec for e in entries], epoch_jd, frame)
    if problems:
        raise ScenarioError(
            _capped([Problem(source, entries[i].key, m, entries[i].line) for i, m in problems], source)
        )
    return [e.name for e in entries], elements


def elements_from_satrecs(satrecs: Sequence[Any], epoch_jd: float, *, frame: Frame = "eci") -> np.ndarray:
    """Mean elements at ``epoch_jd`` of SGP4 satellites built in code (the module's conversion).

    Parameters
    ----------
    satrecs : sequence of S initialised ``sgp4.api.Satrec`` (``twoline2rv``, ``sgp4init``, OMM).
    epoch_jd : the scenario epoch ``t = 0``, Julian date, UTC.
    frame : ``"eci"`` (domesim's inertial frame, default) or ``"teme"`` (SGP4's frame).
    policy : whether the file may be larger than :data:`~domesim.limits.MAX_ELEMENT_FILE_BYTES` (and a
        TLE or CSV line longer than :data:`~domesim.limits.MAX_LINE_CHARS`).

    Returns
    -------
    elements : (S, 6) float64 rows ``[a_m, e, i_rad, raan_rad, argp_rad, mean_anomaly_rad]`` at
        ``epoch_jd``, in ``frame``. Raises :class:`~domesim.errors.ScenarioError` for satellites
        SGP4 cannot carry to ``epoch_jd``.

    >>> sat = Satrec.twoline2rv(
    ...     "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991",
    ...     "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482")
    >>> el = elements_from_satrecs([sat], sat.jdsatepoch + sat.jdsatepochF, frame="teme")
    >>> round(math.degrees(el[0, 2]), 4), round(math.degrees(el[0, 3]), 4)
    (51.6439, 211.2001)
    """
    if frame not in ("eci", "teme"):
        raise ValueError(f"frame must be 'eci' or 'teme' (got {frame!r})")
    elements, problems = _convert(list(satrecs), epoch_jd, frame)
    if problems:
        raise ScenarioError([Problem("<satrecs>", f"satellite #{i + 1}", m) for i, m in problems])
    return elements


# ---- conversion ---------------------------------------------------------------------------------------


def _split_jd(jd: float) -> tuple[float, float]:
    whole = math.floor(jd - 0.5) + 0.5
    return whole, jd - whole


def _mean_state(sat: Any, jd: float, fr: float) -> tuple[int, tuple[float, ...]]:
    """SGP4's error code and mean elements at a time: (a [Earth radii], e, i, node, argp, M), rad.

    SGP4's secular, drag and (deep space) resonance terms are applied by SGP4 itself; for deep-space
    satellites (``sat`` a pure-Python twin) the lunar-solar periodic terms are then added as SGP4
    adds them (``_dpper``, then the same fix for a negative inclination).
    """
    error, _, _ = sat.sgp4(jd, fr)
    am, em, im, node, argp, m = sat.am, sat.em, sat.im, sat.Om, sat.om, sat.mm
    if not error and sat.method == "d":
        em, im, node, argp, m = _dpper(sat, sat.inclo, "n", em, im, node, argp, m, sat.operationmode)
        if im < 0.0:
            im, node, argp = -im, node + math.pi, argp - math.pi
        if not 0.0 <= em <= 1.0:
            error = 3
    return error, (am, em, im, node, argp, m)


def _twin(sat: Any) -> Any:
    """``sat`` itself for a near-Earth satellite; for deep space, the same elements in python-sgp4's
    pure-Python Satrec, whose lunar-solar coefficients :func:`_mean_state` can read."""
    if sat.method != "d":
        return sat
    gravity = min(_GRAVITY, key=lambda mu: abs(mu - sat.mu))
    twin = _PySatrec()
    epoch = sat.jdsatepoch - 2433281.5 + sat.jdsatepochF  # days since 1949 December 31 00:00 UT
    twin.sgp4init(
        _GRAVITY[gravity],
        sat.operationmode,
        sat.satnum,
        epoch,
        sat.bstar,
        sat.ndot,
        sat.nddot,
        sat.ecco,
        sat.argpo,
        sat.inclo,
        sat.mo,
        sat.no_kozai,
        sat.nodeo,
    )
    return twin


def _convert(satrecs: list[Any], epoch_jd: float, frame: Frame) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Elements (S, 6) at ``epoch_jd`` and (index, message) for each satellite SGP4 cannot carry there."""
    elements = np.zeros((len(satrecs), 6))
    target_rate = np.zeros(len(satrecs))  # SGP4's d(argp + M)/dt at the epoch, rad/s
    problems: list[tuple[int, str]] = []
    jd, fr = _split_jd(epoch_jd)
    step_day = RATE_STEP_MIN / 1440.0
    for k, sat in enumerate(satrecs):
        age_days = epoch_jd - (sat.jdsatepoch + sat.jdsatepochF)
        twin = _twin(sat)
        error_before, before = _mean_state(twin, jd, fr - step_day)
        error_after, after = _mean_state(twin, jd, fr + step_day)
        error, (am, em, im, raan, argp, m) = _mean_state(twin, jd, fr)
        error = error or error_before or error_after
        if error:
            problems.append(
                (
                    k,
                    f"SGP4 cannot carry this element set to the scenario epoch, {age_days:+.2f} days from "
                    f"its own: error {error} ({SGP4_ERRORS.get(error, 'unknown')}); use an element set "
                    "closer to the scenario epoch",
                )
            )
            continue
        perigee_m = (am * (1.0 - em) - 1.0) * sat.radiusearthkm * 1e3
        if perigee_m < MIN_PERIGEE_ALT_M:
            problems.append(
                (
                    k,
                    f"SGP4 mean perigee height at the scenario epoch ({age_days:+.2f} days from the element "
                    f"set's) is {perigee_m / 1e3:.0f} km, expected >= {MIN_PERIGEE_ALT_M / 1e3:.0f} km "
                    "(the satellite has re-entered)",
                )
            )
            continue
        # Long-period J3 terms of SGP4, folded into the eccentricity vector and the mean longitude.
        sin_i, cos_i = math.sin(im), math.cos(im)
        den = 1.0 + cos_i if abs(1.0 + cos_i) > 1.5e-12 else 1.5e-12
        xlcof = -0.25 * sat.j3oj2 * sin_i * (3.0 + 5.0 * cos_i) / den
        aycof = -0.5 * sat.j3oj2 * sin_i
        temp = 1.0 / (am * (1.0 - em * em))
        axnl = em * math.cos(argp)
        aynl = em * math.sin(argp) + temp * aycof
        mean_longitude = m + argp + raan + temp * xlcof * axnl
        argp_lp = math.atan2(aynl, axnl)
        elements[k] = (
            am * sat.radiusearthkm * 1e3,
            math.hypot(axnl, aynl),
            im,
            raan,
            argp_lp,
            mean_longitude - argp_lp - raan,
        )
        # SGP4's in-plane angular rate d(argp + M)/dt + cos i dnode/dt (the node's share counts for
        # near-equatorial orbits, where SGP4 trades node against argp), unwrapped: << pi in 2 min.
        du = (after[4] + after[5] - before[4] - before[5] + math.pi) % _TWO_PI - math.pi
        dnode = (after[3] - before[3] + math.pi) % _TWO_PI - math.pi
        target_rate[k] = (du + math.cos(im) * dnode) / (2.0 * RATE_STEP_MIN * 60.0)
        rate = _in_plane_rate(elements[k : k + 1])[0]
        scale = (rate / target_rate[k]) ** (2.0 / 3.0) if target_rate[k] > 0.0 else math.inf
        if not abs(scale - 1.0) < MAX_A_ADJUST:
            problems.append(
                (
                    k,
                    f"SGP4's mean elements at the scenario epoch ({age_days:+.2f} days from the element "
                    f"set's) are inconsistent: mean semi-major axis {elements[k, 0] / 1e3:.6g} km, mean "
                    f"motion {target_rate[k] * 86400.0 / _TWO_PI:.6g} rev/day; use an element set closer "
                    "to the scenario epoch",
                )
            )
    good = np.ones(len(satrecs), dtype=bool)
    good[[k for k, _ in problems]] = False
    _match_along_track_rate(elements, target_rate, good)
    elements[~good] = np.nan
    if frame == "eci":
        elements[:, 3] += teme_to_eci_angle(epoch_jd)
    elements[:, 3:] %= _TWO_PI
    return elements, sorted(problems)


def _in_plane_rate(elements: np.ndarray) -> np.ndarray:
    """kepler's secular in-plane angular rate dargp/dt + dM/dt + cos i dRAAN/dt (S,), rad/s."""
    rates = kepler.element_rates(elements)
    return rates[:, 1] + rates[:, 2] + np.cos(elements[:, 2]) * rates[:, 0]


def _match_along_track_rate(elements: np.ndarray, target_rad_s: np.ndarray, good: np.ndarray) -> None:
    """Scale ``a`` (in place, rows ``good``) so that kepler's in-plane rate equals ``target_rad_s``.

    The rate goes as ``a^-3/2`` (plus J2 terms 1e-3 smaller), so the fixed point converges by 1e-3
    per round.
    """
    el = elements[good]
    for _ in range(4):
        el[:, 0] *= (_in_plane_rate(el) / target_rad_s[good]) ** (2.0 / 3.0)
    elements[good] = el


# ---- parsing ------------------------------------------------------------------------------------------


def _parse(text: str, source: str) -> list[_Entry]:
    """Validated element sets of a file's content, or a ScenarioError listing every fault."""
    stripped = text.lstrip()
    if not stripped:
        raise ScenarioError([Problem(source, "", f"no element sets found: expected {_FORMATS}")])
    if stripped.startswith("CCSDS_OMM_VERS"):
        raise ScenarioError(
            [
                Problem(
                    source,
                    "",
                    "OMM in KVN form is not read: export it as XML, CSV or JSON (CelesTrak "
                    "FORMAT=xml/csv/json)",
                    1,
                )
            ]
        )
    if stripped.startswith("<"):
        entries, problems = _parse_omm_xml(text, source)
    elif stripped.startswith(("[", "{")):
        entries, problems = _parse_omm_json(text, source)
    elif "NORAD_CAT_ID" in stripped.splitlines()[0] and "," in stripped.splitlines()[0]:
        entries, problems = _parse_omm_csv(text, source)
    else:
        entries, problems = _parse_tle(text, source)
    if problems:
        raise ScenarioError(_capped(sorted(problems, key=lambda p: p.line or 0), source))
    if not entries:
        raise ScenarioError([Problem(source, "", f"no element sets found: expected {_FORMATS}")])
    return entries


def _check_init(sat: Any, name: str) -> str | None:
    """A message if SGP4 rejects an initialised element set or its perigee is too low, else None."""
    if sat.error:
        return (
            f"SGP4 rejects the elements of {name} at their epoch: error {sat.error} "
            f"({SGP4_ERRORS.get(sat.error, 'unknown')})"
        )
    perigee_m = sat.altp * sat.radiusearthkm * 1e3
    if perigee_m < MIN_PERIGEE_ALT_M:
        return (
            f"SGP4 mean perigee height of {name} is {perigee_m / 1e3:.0f} km, expected >= "
            f"{MIN_PERIGEE_ALT_M / 1e3:.0f} km (the satellite is re-entering)"
        )
    return None


def _check_tle_line(line: str, which: int) -> list[str]:
    """Messages for one TLE data line (1 or 2): length, columns, fields, checksum."""
    if len(line) != TLE_LINE_LENGTH:
        return [f"TLE line {which} has {len(line)} characters, expected {TLE_LINE_LENGTH}"]
    if not line.isascii():
        return [f"TLE line {which} holds non-ASCII characters, expected only ASCII"]
    messages = []
    fields, spaces = (_LINE1_FIELDS, _LINE1_SPACES) if which == 1 else (_LINE2_FIELDS, _LINE2_SPACES)
    for col in spaces:
        if line[col - 1] != " ":
            messages.append(
                f"column {col} of TLE line {which} is {line[col - 1]!r}, expected a space between fields "
                "(is the line shifted?)"
            )
    for first, last, name, pattern, expected in fields:
        value = line[first - 1 : last]
        if not re.fullmatch(pattern, value):
            messages.append(f"{name} (columns {first}-{last}) is {value!r}, expected {expected}")
        elif name in _LINE2_RANGES and not 0.0 <= float(value) <= _LINE2_RANGES[name]:
            messages.append(f"{name} is {float(value):g} deg, expected 0 to {_LINE2_RANGES[name]:g} deg")
        elif name == "mean motion" and float(value) <= 0.0:
            messages.append(f"mean motion is {float(value):g} rev/day, expected > 0")
        elif name == "epoch day of the year" and not 1.0 <= float(value) < 367.0:
            messages.append(f"epoch day of the year is {float(value):g}, expected 1 to 366.99999999")
    if not line[68].isdigit():
        messages.append(f"checksum (column 69) is {line[68]!r}, expected a digit")
    elif int(line[68]) != tle_checksum(line):
        messages.append(
            f"checksum is {line[68]}, expected {tle_checksum(line)} (the last digit of the line: the sum of "
            "the digits of columns 1-68, '-' counting 1, modulo 10); the line is corrupted or mistyped"
        )
    return messages


def _parse_tle(text: str, source: str) -> tuple[list[_Entry], list[Problem]]:
    # the lines are read one at a time, and reading stops once enough problems are found to reject the
    # file: a large file of garbage costs neither a list of all its lines nor a problem per line
    lines = (
        (n, raw.rstrip()) for n, raw in enumerate(io.StringIO(text, newline=None), start=1) if raw.strip()
    )
    entries: list[_Entry] = []
    problems: list[Problem] = []
    name: tuple[int, str] | None = None  # (line number, text) of a pending name line
    current = next(lines, None)
    while current is not None:
        if len(problems) >= _PROBLEMS_READ:
            problems.append(Problem(source, "", _STOPPED, current[0]))
            return entries, problems
        n, line = current
        following = next(lines, None)
        if line.startswith("1 "):
            label = name[1] if name else ""
            if following is None or not following[1].startswith("2 "):
                where = (
                    f"line {following[0]} starts with {following[1][:2]!r}" if following else "the file ends"
                )
                problems.append(
                    Problem(
                        source,
                        label,
                        f"TLE line 1 is not followed by its line 2: {where}, "
                        "expected a line starting with '2 '",
                        n,
                    )
                )
                name, current = None, following
                continue
            n2, line2 = following
            bad = [(n, m) for m in _check_tle_line(line, 1)] + [(n2, m) for m in _check_tle_line(line2, 2)]
            if not bad and line[2:7] != line2[2:7]:
                bad.append(
                    (
                        n2,
                        f"catalogue number {line2[2:7]!r} differs from {line[2:7]!r} on line {n}, "
                        "expected the same satellite on both lines",
                    )
                )
            if not bad:
                sat = Satrec.twoline2rv(line, line2, WGS72)
                label = label or line[2:7].strip()
                message = _check_init(sat, label)
                if message:
                    bad.append((n, message))
                else:
                    entries.append(_Entry(label, sat, n, label))
            problems.extend(Problem(source, name[1] if name else "", m, ln) for ln, m in bad)
            name, current = None, next(lines, None)
        elif line.startswith("2 "):
            if following is not None and following[1].startswith("1 "):
                message = (
                    f"TLE line 2 comes before line 1 (line {following[0]}), expected line 1 (starting "
                    "with '1 ') first: are the lines swapped?"
                )
                current = next(lines, None)
            else:
                message = "TLE line 2 without a line 1 before it, expected a line starting with '1 '"
                current = following
            problems.append(Problem(source, name[1] if name else "", message, n))
            name = None
        else:
            if name is not None:
                problems.append(
                    Problem(
                        source,
                        "",
                        f"name line {quote(name[1])!r} is not followed by TLE line 1 "
                        "(a line starting with '1 ')",
                        name[0],
                    )
                )
            label = line.strip()
            name = (n, label[2:].strip() if label.startswith("0 ") else label)
            current = following
    if name is not None:
        problems.append(
            Problem(source, "", f"name line {quote(name[1])!r} is not followed by its two TLE lines", name[0])
        )
    return entries, problems


# ---- OMM ----------------------------------------------------------------------------------------------


def _omm_entry(
    fields: dict[str, Any], source: str, line: int | None, where: str
) -> tuple[_Entry | None, list[Problem]]:
    """Validate one OMM record (keyword -> value) and initialise its Satrec."""
    fields = {str(k).strip().upper(): v for k, v in fields.items() if k is not None}
    label = quote(str(fields.get("OBJECT_NAME") or fields.get("NORAD_CAT_ID") or where).strip())
    key = f"{where} {label}".strip() if label != where else where
    problems: list[Problem] = []

    def bad(keyword: str, message: str) -> None:
        problems.append(Problem(source, key, f"{keyword} {message}", line))

    clean: dict[str, Any] = {k: str(v).strip() for k, v in fields.items() if v is not None}
    missing = [k for k in _OMM_REQUIRED if not clean.get(k)]
    if missing:
        problems.append(Problem(source, key, f"missing {', '.join(missing)} (required OMM keywords)", line))
        return None, problems
    for k, expected in _OMM_FIXED.items():
        if clean.get(k) and clean[k].upper() != expected:
            bad(k, f"is {quote(clean[k])!r}, expected {expected!r} (SGP4 mean elements)")
    numbers: dict[str, float] = {}
    for k in _OMM_REQUIRED:
        if k == "EPOCH":
            continue
        try:
            numbers[k] = float(clean[k])
        except ValueError:
            bad(k, f"is {quote(clean[k])!r}, expected a number")
            continue
        if not math.isfinite(numbers[k]):
            bad(k, f"is {quote(clean[k])!r}, expected a finite number")
    if "NORAD_CAT_ID" in numbers and not (
        numbers["NORAD_CAT_ID"].is_integer() and numbers["NORAD_CAT_ID"] >= 0
    ):
        bad("NORAD_CAT_ID", f"is {quote(clean['NORAD_CAT_ID'])!r}, expected a non-negative integer")
    if not 0.0 <= numbers.get("ECCENTRICITY", 0.0) < 1.0:
        bad("ECCENTRICITY", f"is {numbers['ECCENTRICITY']:g}, expected 0 <= e < 1")
    if not 0.0 <= numbers.get("INCLINATION", 0.0) <= 180.0:
        bad("INCLINATION", f"is {numbers['INCLINATION']:g} deg, expected 0 to 180 deg")
    if numbers.get("MEAN_MOTION", 1.0) <= 0.0:
        bad("MEAN_MOTION", f"is {numbers['MEAN_MOTION']:g} rev/day, expected > 0")
    try:
        epoch = datetime.fromisoformat(clean["EPOCH"].replace("Z", "+00:00"))
        if epoch.tzinfo is not None:
            epoch = epoch.astimezone(UTC).replace(tzinfo=None)
        clean["EPOCH"] = epoch.strftime("%Y-%m-%dT%H:%M:%S.%f")
    except ValueError:
        bad("EPOCH", f"is {quote(clean['EPOCH'])!r}, expected an ISO 8601 UTC time (2024-01-31T12:00:00.0)")
    for k, default in _OMM_DEFAULTS.items():
        clean[k] = clean.get(k) or default
    for k in ("EPHEMERIS_TYPE", "ELEMENT_SET_NO", "REV_AT_EPOCH"):
        if not re.fullmatch(r"[+-]?[0-9]+", clean[k]):
            bad(k, f"is {quote(clean[k])!r}, expected an integer")
    if len(clean["CLASSIFICATION_TYPE"]) != 1:  # SGP4 stores it as one character
        found = quote(clean["CLASSIFICATION_TYPE"])
        bad("CLASSIFICATION_TYPE", f"is {found!r}, expected one letter (U, C or S)")
    if problems:
        return None, problems
    clean["NORAD_CAT_ID"] = str(int(numbers["NORAD_CAT_ID"]))
    sat = Satrec()
    try:
        omm.initialize(sat, clean)
    except (TypeError, ValueError, OverflowError) as exc:  # a field SGP4's reader cannot store
        return None, [Problem(source, key, f"SGP4 cannot read this element set ({quote(str(exc))})", line)]
    message = _check_init(sat, label)
    if message:
        return None, [Problem(source, key, message, line)]
    name = clean["OBJECT_NAME"] or clean["NORAD_CAT_ID"]
    return _Entry(name, sat, line, key), []


def _parse_omm_csv(text: str, source: str) -> tuple[list[_Entry], list[Problem]]:
    try:
        return _read_omm_csv(text, source)
    except csv.Error as exc:  # a field longer than the csv module reads, a NUL byte
        return [], [Problem(source, "", f"malformed CSV: {quote(str(exc))}")]


def _read_omm_csv(text: str, source: str) -> tuple[list[_Entry], list[Problem]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().upper() for h in reader.fieldnames or []]
    missing = [k for k in _OMM_REQUIRED if k not in header]
    if missing:
        return [], [Problem(source, "", f"the CSV header lacks the OMM columns {', '.join(missing)}", 1)]
    entries, problems = [], []
    for k, row in enumerate(reader, start=1):
        if None in row:
            problems.append(
                Problem(
                    source,
                    f"row {k}",
                    f"has more values than the header has columns ({len(header)})",
                    reader.line_num,
                )
            )
            continue
        entry, bad = _omm_entry(row, source, reader.line_num, f"row {k}")
        problems += bad
        entries += [entry] if entry else []
    return entries, problems


def _parse_omm_xml(text: str, source: str) -> tuple[list[_Entry], list[Problem]]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return [], [
            Problem(source, "", f"malformed XML: {exc.msg if hasattr(exc, 'msg') else exc}", exc.position[0])
        ]
    for node in root.iter():  # CCSDS namespaces, if any, do not matter here
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]
    segment_lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<(?:\w+:)?segment[\s>]", text)]
    segments = root.findall(".//segment")
    if not segments:
        return [], [
            Problem(
                source,
                "",
                "no <segment> elements found: expected a CCSDS OMM XML file (ndm/omm/body/segment)",
            )
        ]
    entries, problems = [], []
    for k, segment in enumerate(segments, start=1):
        line = segment_lines[k - 1] if k <= len(segment_lines) else None
        fields: dict[str, Any] = {}
        for part in ("metadata", "data/meanElements", "data/tleParameters"):
            element = segment.find(part)
            if element is not None:
                fields.update((child.tag, child.text) for child in element)
        entry, bad = _omm_entry(fields, source, line, f"segment {k}")
        problems += bad
        entries += [entry] if entry else []
    return entries, problems


def _parse_omm_json(text: str, source: str) -> tuple[list[_Entry], list[Problem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(source, "", f"malformed JSON: {exc.msg}", exc.lineno)]
    except ValueError as exc:  # a number of more digits than Python converts (4,300)
        return [], [Problem(source, "", f"malformed JSON: {quote(str(exc))}")]
    except RecursionError:  # json reads nested arrays recursively; OMM records are flat
        return [], [Problem(source, "", "arrays or objects nest too deeply: expected a list of OMM records")]
    records = [data] if isinstance(data, dict) else data
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        return [], [Problem(source, "", "expected a JSON list of OMM records (objects of keyword: value)")]
    entries, problems = [], []
    for k, record in enumerate(records, start=1):
        entry, bad = _omm_entry(record, source, None, f"record {k}")
        problems += bad
        entries += [entry] if entry else []
    return entries, problems
