"""Textbook analytic models used to size architectures and to cross-check the simulation.

Salvo and shoot-look-shoot kill probabilities, shots needed for a zero-leak target, the
minimum-energy ballistic trajectory on a spherical Earth, and the absentee ratio of a
space-based layer (docs/design.md section 6, Analytic models). Scalars in, Python floats/ints or small frozen
dataclasses out. Units are in the argument names (``_km``, ``_deg``, ``_s``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from domesim.errors import ParameterError

# Earth gravitational parameter GM, km^3/s^2 (IERS Conventions 2010 / WGS84 value).
MU_EARTH_KM3_S2 = 398600.4418
# Earth mean radius, km (IUGG mean radius R1 = 6,371.0088 km, rounded as in the parameter catalogue 6.1).
R_EARTH_MEAN_KM = 6371.0

__all__ = [
    "MU_EARTH_KM3_S2",
    "R_EARTH_MEAN_KM",
    "AbsenteeResult",
    "METResult",
    "SLSResult",
    "SalvoResult",
    "absentee",
    "latitude_factor",
    "minimum_energy_trajectory",
    "poisson_at_least",
    "salvo",
    "sbi_reach_km",
    "shoot_look_shoot",
    "shots_needed",
    "size_for_fraction",
]


# --------------------------------------------------------------------------- argument checks


def _check_prob(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:  # also rejects NaN
        raise ParameterError(f"{name} = {value!r} is not a probability; expected a number in [0, 1]")
    return value


def _check_int(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not float(value).is_integer() or int(value) < minimum:
        raise ParameterError(f"{name} = {value!r} is invalid; expected a whole number >= {minimum}")
    return int(value)


def _check_nonneg(name: str, value: float, strict: bool = False) -> float:
    value = float(value)
    if not (value > 0.0 if strict else value >= 0.0) or math.isinf(value):
        op = ">" if strict else ">="
        raise ParameterError(f"{name} = {value!r} is invalid; expected a finite number {op} 0")
    return value


# --------------------------------------------------------------------------- salvo models


@dataclass(frozen=True)
class SalvoResult:
    """Outcome of :func:`salvo`: kill probability per warhead and probability of no leaker."""

    p_kill: float
    p_zero_leak: float

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class SLSResult:
    """Outcome of :func:`shoot_look_shoot`: kill probability and expected interceptors fired."""

    p_kill: float
    expected_shots: float

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


def _miss_all(pk: float, shots: int) -> float:
    # Plain (1 - p)^n: exact for binary fractions (p = 0.5 gives 0.25), monotone in p and n.
    return (1.0 - pk) ** shots


def salvo(pk: float, shots: int, reliability: float = 1.0, warheads: int = 1) -> SalvoResult:
    """Kill probability of a salvo of independent shots, and probability of zero leakers.

    ``P_k = r (1 - (1 - p)^n)`` per warhead; ``P_0 = P_k^W`` when each of ``W`` warheads
    draws its own salvo (design.md section 6; Wilkening, Science & Global Security 8, 2000).

    Parameters
    ----------
    pk : float
        Single-shot kill probability ``p``, in [0, 1].
    shots : int
        Interceptors fired at each warhead, ``n >= 1``.
    reliability : float, optional
        Probability ``r`` that the engagement chain (sensors, C2, launch) works at all, in [0, 1].
    warheads : int, optional
        Number of warheads ``W >= 1``, engaged independently.

    Returns
    -------
    SalvoResult
        ``p_kill`` (per warhead) and ``p_zero_leak`` (all ``W`` killed), dimensionless.

    Examples
    --------
    >>> salvo(0.5, 2).p_kill
    0.75
    >>> round(salvo(0.8, 2, warheads=10).p_zero_leak, 4)
    0.6648
    """
    p = _check_prob("pk", pk)
    n = _check_int("shots", shots, 1)
    r = _check_prob("reliability", reliability)
    w = _check_int("warheads", warheads, 1)
    p_kill = r * (1.0 - _miss_all(p, n))
    return SalvoResult(p_kill=p_kill, p_zero_leak=p_kill**w)


def shoot_look_shoot(pk: float, first: int, second: int) -> SLSResult:
    """Shoot-look-shoot: ``n1`` shots, look, then ``n2`` more only after a miss.

    ``P_k = 1 - (1 - p)^(n1 + n2)``; expected shots ``n1 + n2 (1 - p)^n1``
    (design.md section 6; perfect kill assessment assumed).

    Parameters
    ----------
    pk : float
        Single-shot kill probability ``p``, in [0, 1].
    first : int
        Shots in the first salvo, ``n1 >= 1``.
    second : int
        Shots in the second salvo after an observed miss, ``n2 >= 0``.

    Returns
    -------
    SLSResult
        ``p_kill`` (dimensionless) and ``expected_shots`` (interceptors per warhead).

    Examples
    --------
    >>> shoot_look_shoot(0.5, 1, 1).to_dict()
    {'p_kill': 0.75, 'expected_shots': 1.5}
    """
    p = _check_prob("pk", pk)
    n1 = _check_int("first", first, 1)
    n2 = _check_int("second", second, 0)
    return SLSResult(p_kill=1.0 - _miss_all(p, n1 + n2), expected_shots=n1 + n2 * _miss_all(p, n1))


def shots_needed(pk: float, warheads: int, p_zero_leak: float) -> int:
    """Smallest salvo size per warhead that gives at least ``p_zero_leak`` against ``W`` warheads.

    ``n = ceil( ln(1 - P_0^(1/W)) / ln(1 - p) )`` (design.md section 6), then corrected by
    one step either way so that ``n`` is exactly the smallest with
    ``salvo(pk, n, warheads=W).p_zero_leak >= P_0`` in floating point.

    Parameters
    ----------
    pk : float
        Single-shot kill probability ``p``, in (0, 1].
    warheads : int
        Number of warheads ``W >= 1``.
    p_zero_leak : float
        Target probability that no warhead leaks, in [0, 1).

    Returns
    -------
    int
        Shots per warhead, ``>= 1``.

    Examples
    --------
    >>> shots_needed(0.8, 10, 0.99)
    5
    """
    p = _check_prob("pk", pk)
    w = _check_int("warheads", warheads, 1)
    target = _check_prob("p_zero_leak", p_zero_leak)
    if p == 0.0:
        raise ParameterError("pk = 0 never kills; expected pk in (0, 1] for shots_needed")
    if target == 1.0 and p < 1.0:
        raise ParameterError(
            "p_zero_leak = 1 needs infinitely many shots unless pk = 1; expected p_zero_leak < 1"
        )
    if p == 1.0 or target == 0.0:
        return 1
    # 1 - P0^(1/W) via expm1: stays accurate when P0^(1/W) is close to 1 (large W or P0 near 1).
    per_warhead_leak = -math.expm1(math.log(target) / w)
    n = max(1, math.ceil(math.log(per_warhead_leak) / math.log1p(-p)))
    # The ceiling of a rounded ratio can be one off either way; settle it on the salvo model itself.
    while n > 1 and salvo(p, n - 1, warheads=w).p_zero_leak >= target:
        n -= 1
    while salvo(p, n, warheads=w).p_zero_leak < target:
        n += 1
    return n


# --------------------------------------------------------------------------- minimum-energy trajectory


@dataclass(frozen=True)
class METResult:
    """Burnout state and flight of the minimum-energy ballistic trajectory."""

    burnout_speed_km_s: float
    flight_path_angle_deg: float
    apogee_km: float
    flight_time_min: float

    def to_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}


def _ballistic_arc(r0: float, v: float, gamma: float) -> tuple[float, float, float]:
    """Range angle (rad), apogee altitude (km) and flight time (s) of the Kepler arc from burnout
    at radius ``r0`` (km), speed ``v`` (km/s), flight-path angle ``gamma`` (rad, above the local
    horizontal, > 0) down to the surface radius ``R_EARTH_MEAN_KM``. Requires ``v`` below escape."""
    mu, re = MU_EARTH_KM3_S2, R_EARTH_MEAN_KM
    h = r0 * v * math.cos(gamma)  # specific angular momentum
    p = h * h / mu  # semi-latus rectum
    energy = 0.5 * v * v - mu / r0
    e = math.sqrt(max(0.0, 1.0 + 2.0 * energy * h * h / (mu * mu)))
    # Burnout true anomaly from e cos(nu) = p/r - 1 and e sin(nu) = h v_r / mu; v_r > 0 puts it in (0, pi).
    nu0 = math.atan2(h * v * math.sin(gamma) / mu, p / r0 - 1.0)
    # Impact on the descending branch, nu in (pi, 2 pi]. Clipping makes an arc that misses the Earth
    # (perigee above R) read as a grazing one, which keeps the range angle continuous and monotone in v.
    cos_nu1 = min(1.0, max(-1.0, (p / re - 1.0) / e)) if e > 0.0 else 1.0
    nu1 = 2.0 * math.pi - math.acos(cos_nu1)
    a = -mu / (2.0 * energy)

    def mean_anomaly(nu: float) -> float:
        ecc_anom = math.atan2(math.sqrt(1.0 - e * e) * math.sin(nu), e + math.cos(nu)) % (2.0 * math.pi)
        return ecc_anom - e * math.sin(ecc_anom)

    flight_time = (mean_anomaly(nu1) - mean_anomaly(nu0)) % (2.0 * math.pi) / math.sqrt(mu / a**3)
    return nu1 - nu0, a * (1.0 + e) - re, flight_time


def minimum_energy_trajectory(range_km: float, burnout_alt_km: float = 0.0) -> METResult:
    """Minimum burnout speed that reaches a ground range, and the resulting ballistic flight.

    Vacuum, spherical non-rotating Earth (mu = ``MU_EARTH_KM3_S2``, R = ``R_EARTH_MEAN_KM``), Keplerian
    ellipse from burnout at radius ``R + h`` to impact at radius ``R``; range angle ``psi = range_km / R``.
    For surface burnout the closed form (design.md section 6; Wheelon 1959; Bate, Mueller & White 1971,
    section 6.2) is

    ``v^2 = (mu / R) 2 sin(psi/2) / (1 + sin(psi/2))``, ``gamma = (pi - psi) / 4``.

    For ``h > 0`` the speed that reaches ``psi`` is solved for each flight-path angle (Brent root
    finding; the range angle grows monotonically with speed) and minimised over the angle (bounded
    Brent). Apogee and flight time follow from the conic (Kepler's equation between burnout and impact).

    Parameters
    ----------
    range_km : float
        Ballistic ground range from burnout to impact, km, in (0, pi R).
    burnout_alt_km : float, optional
        Burnout altitude ``h`` above the spherical Earth, km, ``>= 0``.

    Returns
    -------
    METResult
        Burnout speed (km/s, inertial), flight-path angle above the local horizontal (deg),
        apogee altitude (km) and burnout-to-impact time (min).

    Examples
    --------
    >>> met = minimum_energy_trajectory(10_000.0)
    >>> round(met.burnout_speed_km_s, 2), round(met.flight_path_angle_deg, 1)
    (7.2, 22.5)
    """
    range_km = _check_nonneg("range_km", range_km, strict=True)
    h_bo = _check_nonneg("burnout_alt_km", burnout_alt_km)
    if range_km >= math.pi * R_EARTH_MEAN_KM:
        raise ParameterError(
            f"range_km = {range_km!r} is at or beyond half the Earth's circumference; "
            f"expected range_km < {math.pi * R_EARTH_MEAN_KM:.1f}"
        )
    mu, re = MU_EARTH_KM3_S2, R_EARTH_MEAN_KM
    psi = range_km / re
    r0 = re + h_bo

    if h_bo == 0.0:
        s = math.sin(psi / 2.0)
        v = math.sqrt(mu / re * 2.0 * s / (1.0 + s))
        gamma = (math.pi - psi) / 4.0
    else:
        from scipy.optimize import brentq, minimize_scalar  # here: `domesim calc` starts without scipy

        v_esc = math.sqrt(2.0 * mu / r0)
        v_lo, v_hi = 1e-9 * v_esc, (1.0 - 1e-12) * v_esc

        def speed_for(g: float) -> float:
            # Steep arcs cannot reach psi below escape speed; returning v_hi there is continuous
            # with the feasible side, so the minimiser just sees a high plateau.
            if _ballistic_arc(r0, v_hi, g)[0] <= psi:
                return v_hi
            return float(
                brentq(lambda x: _ballistic_arc(r0, x, g)[0] - psi, v_lo, v_hi, xtol=1e-14, rtol=1e-15)
            )

        # Speed is flat in gamma near the optimum, so a tight xatol costs little and pins gamma down.
        opt = minimize_scalar(
            speed_for, bounds=(1e-9, math.pi / 2.0 - 1e-9), method="bounded", options={"xatol": 1e-10}
        )
        gamma = float(opt.x)
        v = speed_for(gamma)

    _, apogee, tof = _ballistic_arc(r0, v, gamma)
    return METResult(
        burnout_speed_km_s=v,
        flight_path_angle_deg=math.degrees(gamma),
        apogee_km=apogee,
        flight_time_min=tof / 60.0,
    )


# --------------------------------------------------------------------------- absentee ratio


@dataclass(frozen=True)
class AbsenteeResult:
    """Outcome of :func:`absentee`: satellites needed, cap fraction, latitude concentration."""

    constellation_size: int
    fraction_in_reach: float
    latitude_factor: float

    def to_dict(self) -> dict[str, float | int]:
        return {
            "constellation_size": int(self.constellation_size),
            "fraction_in_reach": float(self.fraction_in_reach),
            "latitude_factor": float(self.latitude_factor),
        }


def latitude_factor(lat_deg: float, inc_deg: float) -> float:
    """Density of circular orbits of inclination ``i`` at latitude ``lat``, relative to a uniform shell.

    ``F(lat, i) = 2 / (pi sqrt(sin^2 i - sin^2 lat))`` for ``|lat| < i`` (design.md section 6; follows
    from sin(lat) = sin(i) sin(u) with the argument of latitude ``u`` uniform). Retrograde orbits use
    ``180 - i``. ``F`` diverges at ``|lat| = i`` and is zero beyond, so those latitudes are rejected.

    Parameters
    ----------
    lat_deg : float
        Geocentric latitude, deg.
    inc_deg : float
        Orbit inclination, deg, in (0, 180).

    Returns
    -------
    float
        Dimensionless density ratio ``F``.

    Examples
    --------
    >>> round(latitude_factor(0.0, 90.0), 4)
    0.6366
    """
    lat, inc = float(lat_deg), float(inc_deg)
    if not 0.0 < inc < 180.0:
        raise ParameterError(f"inc_deg = {inc_deg!r} is invalid; expected an inclination in (0, 180) deg")
    max_lat = min(inc, 180.0 - inc)  # highest latitude the ground track reaches
    if not abs(lat) < max_lat:
        raise ParameterError(
            f"lat_deg = {lat_deg!r} is not strictly inside the band |lat| < {max_lat:g} deg covered by "
            f"inc_deg = {inc_deg!r}: the latitude factor diverges at the band edge and is zero beyond; "
            "expected a latitude inside the band (or a higher inclination)"
        )
    s_i, s_l = math.sin(math.radians(inc)), math.sin(math.radians(lat))
    return 2.0 / (math.pi * math.sqrt(s_i * s_i - s_l * s_l))


def absentee(
    reach_km: float, k: int = 1, lat_deg: float | None = None, inc_deg: float | None = None
) -> AbsenteeResult:
    """Constellation size that keeps on average ``k`` space-based interceptors within reach of a point.

    Spherical-cap fraction ``f = (1 - cos(R / R_E)) / 2`` of a uniform shell lies within ground reach
    ``R`` (R_E = ``R_EARTH_MEAN_KM``); with the latitude factor ``F`` (see :func:`latitude_factor`; 1 for
    a uniform shell) the size is ``N = ceil(k / (f F))`` (design.md section 6; APS Boost-Phase
    Intercept study, 2003).

    Parameters
    ----------
    reach_km : float
        Ground reach of one interceptor, km, in (0, pi R_E].
    k : int, optional
        Mean number of interceptors required within reach, ``>= 1``.
    lat_deg, inc_deg : float, optional
        Latitude of the defended point and constellation inclination, deg; give both or neither.

    Returns
    -------
    AbsenteeResult
        ``constellation_size`` (satellites), ``fraction_in_reach`` ``f`` and ``latitude_factor`` ``F``.

    Examples
    --------
    >>> absentee(1000.0).constellation_size
    163
    """
    reach = _check_nonneg("reach_km", reach_km, strict=True)
    if reach > math.pi * R_EARTH_MEAN_KM:
        raise ParameterError(
            f"reach_km = {reach_km!r} exceeds half the Earth's circumference; "
            f"expected reach_km <= {math.pi * R_EARTH_MEAN_KM:.1f}"
        )
    k = _check_int("k", k, 1)
    if (lat_deg is None) != (inc_deg is None):
        raise ParameterError("lat_deg and inc_deg must be given together (or neither, for a uniform shell)")
    factor = 1.0 if lat_deg is None or inc_deg is None else latitude_factor(lat_deg, inc_deg)
    # (1 - cos x)/2 written as sin^2(x/2): no cancellation for short reach.
    f = math.sin(0.5 * reach / R_EARTH_MEAN_KM) ** 2
    ratio = k / (f * factor)
    # Shave a few ulps before the ceiling: k / (f F) that should be a whole number (e.g. f = 1/2)
    # can land just above it in floating point and would add a spurious satellite.
    return AbsenteeResult(
        constellation_size=math.ceil(ratio * (1.0 - 1e-12)), fraction_in_reach=f, latitude_factor=factor
    )


def poisson_at_least(k: int, mean: float) -> float:
    """Probability of at least ``k`` interceptors in reach under random phasing.

    ``P(>= k) = 1 - sum_{j<k} e^{-m} m^j / j!`` with ``m = N f F`` the mean number in reach
    (design.md section 6), evaluated as the regularised lower incomplete gamma ``P(k, m)``,
    which is exact for this sum and avoids cancellation when ``P`` is small.

    Parameters
    ----------
    k : int
        Required number in reach, ``>= 0``.
    mean : float
        Poisson mean ``m >= 0``.

    Returns
    -------
    float
        Probability in [0, 1].

    Examples
    --------
    >>> round(poisson_at_least(1, 2.0), 4)
    0.8647
    """
    k = _check_int("k", k, 0)
    m = _check_nonneg("mean", mean)
    if k == 0:
        return 1.0
    from scipy.special import gammainc  # here: `domesim calc` starts without scipy

    return float(gammainc(k, m))


def size_for_fraction(fraction: float, need: int, p: float | None = None) -> int:
    """Satellites needed when a fraction ``f`` of a constellation is in reach of the target.

    Without ``p``, the absentee ratio: ``N = ceil(need / f)`` puts ``need`` in reach on average
    (design.md section 6). With ``p``, random phasing: the number in reach is Poisson with mean ``N f``
    (:func:`poisson_at_least`), and ``N`` is the smallest with ``P(>= need) >= p``.

    Parameters
    ----------
    fraction : float
        Fraction of the constellation in reach, in (0, 1] (``f F`` of :func:`absentee`).
    need : int
        Interceptors wanted in reach, ``>= 1``.
    p : float, optional
        Probability wanted, in (0, 1).

    Returns
    -------
    int
        Constellation size.

    Examples
    --------
    >>> size_for_fraction(0.001, 10)
    10000
    >>> size_for_fraction(0.001, 1, 0.9)  # ln 10 = 2.3026 in reach on average
    2303
    """
    f = _check_nonneg("fraction", fraction, strict=True)
    if f > 1.0:
        raise ParameterError(f"fraction = {fraction!r} is not a fraction; expected a number in (0, 1]")
    need = _check_int("need", need, 1)
    if p is None:
        return math.ceil(need / f * (1.0 - 1e-12))  # as absentee(): no spurious satellite from rounding
    p = _check_prob("p", p)
    if not 0.0 < p < 1.0:
        raise ParameterError(f"p = {p!r}: expected a probability strictly between 0 and 1")
    hi = max(1, math.ceil(need / f))
    while poisson_at_least(need, hi * f) < p:
        hi *= 2
    lo = 1
    while lo < hi:
        mid = (lo + hi) // 2
        if poisson_at_least(need, mid * f) >= p:
            hi = mid
        else:
            lo = mid + 1
    return lo


def sbi_reach_km(burnout_speed_km_s: float, burn_time_s: float, delay_s: float) -> float:
    """First-order ground reach of a space-based interceptor before the threat burns out.

    ``R ~ v_bo (t_burn - t_delay)``, clipped at 0 when the delay exceeds the burn
    (design.md section 6; ignores the interceptor's own acceleration phase).

    Parameters
    ----------
    burnout_speed_km_s : float
        Interceptor burnout (divert) speed, km/s, ``>= 0``.
    burn_time_s : float
        Threat boost duration, s, ``>= 0``.
    delay_s : float
        Detection and decision delay before commit, s, ``>= 0``.

    Returns
    -------
    float
        Reach, km.

    Examples
    --------
    >>> sbi_reach_km(4.0, 180.0, 60.0)
    480.0
    """
    v = _check_nonneg("burnout_speed_km_s", burnout_speed_km_s)
    t_burn = _check_nonneg("burn_time_s", burn_time_s)
    t_delay = _check_nonneg("delay_s", delay_s)
    return max(0.0, v * (t_burn - t_delay))
