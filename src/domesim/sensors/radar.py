"""Ground and sea radars: radar-equation detection, Swerling I targets, faces, horizon, noisy measurements.

Signal-to-noise ratio (the radar equation, Skolnik, *Introduction to Radar Systems*, 3rd ed., eq. 2.61)::

    SNR = P_av A_e t_d sigma / (4 pi k T_s L R^4)

Public figures rarely give ``P_av A_e``; they give a detection range. A class therefore states either its
power-aperture product (with dwell, system noise temperature and losses) or ``max_range_km``: the range
at which a target of ``ref_rcs_dbsm`` is detected with probability 1/2 per look. Both fix the same
constant, and ``SNR = SNR_ref (sigma / sigma_ref) (R_ref / R)^4``.

Swerling I target, square-law detector, one pulse (Skolnik eq. 2.32): ``Pd = Pfa^(1 / (1 + SNR))``; so
the reference SNR for ``Pd = 1/2`` is ``ln Pfa / ln 0.5 - 1``.

Coverage: a face sees azimuths within ``face_half_width`` of its boresight, elevations between the
class's limits (the lower limit, taken from the site's geodetic horizon, also keeps the line of sight
above the Earth), ranges between ``min_range`` (over-the-horizon skip zone) and the instrumented
maximum (twice the reference range), heights up to the class's ceiling (``max_altitude``, where
given). Measurement noise in range and angles scales as ``1 / sqrt(SNR / SNR_ref)`` from the class's
values at the reference SNR (Skolnik eq. 6.3 and 6.4 in form), and the measurement is handed to
trackers as a Cartesian position with the converted covariance (first-order conversion of range,
azimuth, elevation; Bar-Shalom et al. 2001, section 10.6).

A :class:`Radar` (a :class:`RadarClass` at a site) gives the compiled kernels one :data:`RADAR_DTYPE`
record (:meth:`Radar.record`, SI), which they read by field name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import numba as nb
import numpy as np

from domesim.core import frames
from domesim.core.ballistic import PHASE_BOOST
from domesim.core.counter_rng import normal, uniform
from domesim.core.frames import ellipsoid_altitude
from domesim.errors import ParameterError

BOLTZMANN_J_K = 1.380649e-23  # exact (SI 2019)
BANDS = ("HF", "UHF", "L", "S", "X")  # index used by the kernels and the RCS table


def reference_snr(pfa: float) -> float:
    """SNR (linear) at which a Swerling I target is detected with probability 1/2 at false-alarm ``pfa``.

    >>> round(reference_snr(1e-6), 2)
    18.93
    """
    return math.log(pfa) / math.log(0.5) - 1.0


def range_from_power_aperture(
    power_aperture_w_m2: float, dwell_s: float, noise_temp_k: float, loss_db: float, rcs_m2: float, snr: float
) -> float:
    """Range (m) at which the radar equation gives ``snr`` for a target of ``rcs_m2``.

    >>> round(range_from_power_aperture(1e9, 0.01, 500.0, 10.0, 1.0, 20.0) / 1e3)  # 1 MW x 1,000 m^2, 1 m^2
    871
    """
    loss = 10.0 ** (loss_db / 10.0)
    return (
        power_aperture_w_m2 * dwell_s * rcs_m2 / (4 * math.pi * BOLTZMANN_J_K * noise_temp_k * loss * snr)
    ) ** 0.25


MAX_FACES = 8  # array faces a radar class may have (the record holds a fixed-size row of them)

# The kernels' record of one radar at its site (SI; :meth:`Radar.record`): the site and its local
# east/north/up axes (ECEF), the radar-equation constants and the coverage limits.
RADAR_DTYPE = np.dtype(
    [
        ("site_ecef", "f8", (3,)),
        ("east", "f8", (3,)),
        ("north", "f8", (3,)),
        ("up", "f8", (3,)),
        ("ref_range_m", "f8"),
        ("ref_rcs_m2", "f8"),
        ("ref_snr", "f8"),  # linear SNR at which Pd = 1/2 per look (:func:`reference_snr` of pfa)
        ("pfa", "f8"),
        ("min_elevation_rad", "f8"),
        ("max_elevation_rad", "f8"),
        ("face_half_width_rad", "f8"),
        ("min_range_m", "f8"),
        ("range_sigma_m", "f8"),
        ("angle_sigma_rad", "f8"),
        ("faces_az_rad", "f8", (MAX_FACES,)),  # boresights; NaN beyond n_faces
        ("n_faces", "i8"),
        ("revisit_s", "f8"),
        ("false_alarms_per_scan", "f8"),
        ("p_discriminate", "f8"),
        ("max_altitude_m", "f8"),  # ceiling of the coverage above the ellipsoid (inf: none)
    ]
)


@dataclass(frozen=True, kw_only=True)
class RadarClass:
    """A radar class, SI units.

    >>> cls = RadarClass(name="x", band="X", ref_range_m=1e6, ref_rcs_m2=1.0, pfa=1e-6,
    ...     min_elevation_rad=0.0, max_elevation_rad=1.5, faces_az_rad=(0.0,), face_half_width_rad=1.0,
    ...     revisit_s=1.0, range_sigma_m=10.0, angle_sigma_rad=1e-3)
    >>> cls.min_range_m, cls.false_alarms_per_scan
    (0.0, 0.0)
    """

    name: str
    band: str  # one of BANDS
    ref_range_m: float  # Pd = 1/2 per look against ref_rcs
    ref_rcs_m2: float
    pfa: float
    min_elevation_rad: float
    max_elevation_rad: float
    faces_az_rad: tuple[float, ...]  # boresight azimuths, from true north
    face_half_width_rad: float
    min_range_m: float = 0.0  # over-the-horizon skip zone
    revisit_s: float
    range_sigma_m: float  # 1-sigma noise at the reference SNR
    angle_sigma_rad: float
    false_alarms_per_scan: float = 0.0
    p_discriminate: float = 0.0  # telling an RV from a decoy in midcourse, once tracked
    max_altitude_m: float = math.inf  # coverage ceiling (a skywave radar sees below its reflecting layer)

    def __post_init__(self) -> None:
        problems = [
            f"band {self.band!r} is not one of {BANDS}" if self.band not in BANDS else "",
            "ref_range_m and ref_rcs_m2 must be > 0"
            if not (self.ref_range_m > 0 and self.ref_rcs_m2 > 0)
            else "",
            "pfa must be between 0 and 1 (exclusive)" if not 0.0 < self.pfa < 1.0 else "",
            "min_elevation_rad must be below max_elevation_rad"
            if not self.min_elevation_rad < self.max_elevation_rad
            else "",
            f"1 to {MAX_FACES} faces" if not 1 <= len(self.faces_az_rad) <= MAX_FACES else "",
            "face_half_width_rad must be > 0" if not self.face_half_width_rad > 0 else "",
            "min_range_m must be >= 0" if not self.min_range_m >= 0 else "",
            "revisit_s must be > 0" if not self.revisit_s > 0 else "",
            "range_sigma_m and angle_sigma_rad must be >= 0"
            if not (self.range_sigma_m >= 0 and self.angle_sigma_rad >= 0)
            else "",
            "false_alarms_per_scan must be >= 0" if not self.false_alarms_per_scan >= 0 else "",
            "p_discriminate must be between 0 and 1" if not 0.0 <= self.p_discriminate <= 1.0 else "",
            "max_altitude_m must be > 0" if not self.max_altitude_m > 0 else "",
        ]
        if any(problems):
            raise ParameterError(f"radar class {self.name!r}: " + "; ".join(p for p in problems if p))


@dataclass(frozen=True, kw_only=True)
class Radar:
    """A radar class at a site (geodetic latitude and longitude in rad, height in m)."""

    name: str
    cls: RadarClass
    lat_rad: float
    lon_rad: float
    alt_m: float

    @property
    def r_ecef(self) -> np.ndarray:
        return frames.geodetic_to_ecef(self.lat_rad, self.lon_rad, self.alt_m)

    def record(self) -> np.void:
        """The kernels' record of this radar (:data:`RADAR_DTYPE`, SI)."""
        c = self.cls
        rec = np.zeros((), RADAR_DTYPE)
        rec["site_ecef"] = self.r_ecef
        rec["east"], rec["north"], rec["up"] = frames.enu_matrix(self.lat_rad, self.lon_rad)
        rec["ref_range_m"] = c.ref_range_m
        rec["ref_rcs_m2"] = c.ref_rcs_m2
        rec["ref_snr"] = reference_snr(c.pfa)
        rec["pfa"] = c.pfa
        rec["min_elevation_rad"] = c.min_elevation_rad
        rec["max_elevation_rad"] = c.max_elevation_rad
        rec["face_half_width_rad"] = c.face_half_width_rad
        rec["min_range_m"] = c.min_range_m
        rec["range_sigma_m"] = c.range_sigma_m
        rec["angle_sigma_rad"] = c.angle_sigma_rad
        rec["faces_az_rad"] = np.nan
        rec["faces_az_rad"][: len(c.faces_az_rad)] = c.faces_az_rad
        rec["n_faces"] = len(c.faces_az_rad)
        rec["revisit_s"] = c.revisit_s
        rec["false_alarms_per_scan"] = c.false_alarms_per_scan
        rec["p_discriminate"] = c.p_discriminate
        rec["max_altitude_m"] = c.max_altitude_m
        return cast(np.void, rec.view(np.recarray)[()])  # attribute access, compiled or not


def records(radars: list[Radar]) -> np.ndarray:
    """The radars' records, shape (M,) of :data:`RADAR_DTYPE`."""
    return np.array([radar.record() for radar in radars], dtype=RADAR_DTYPE).view(np.recarray)


@nb.njit(cache=True, error_model="numpy")
def look(radar, r_ecef, rcs_m2):
    """Geometry and SNR of one look by ``radar`` (a :data:`RADAR_DTYPE` record) at an object at ``r_ecef``
    (3,) m ECEF of cross-section ``rcs_m2``; returns (visible, range m, az rad, el rad, linear SNR)."""
    site, east, north, up = radar.site_ecef, radar.east, radar.north, radar.up
    d0, d1, d2 = r_ecef[0] - site[0], r_ecef[1] - site[1], r_ecef[2] - site[2]
    e = d0 * east[0] + d1 * east[1] + d2 * east[2]
    n = d0 * north[0] + d1 * north[1] + d2 * north[2]
    u = d0 * up[0] + d1 * up[1] + d2 * up[2]
    rng = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
    if not (rng > 0.0 and radar.min_range_m <= rng <= 2.0 * radar.ref_range_m):  # the cheap test first
        return False, rng, 0.0, 0.0, 0.0
    el = math.asin(max(-1.0, min(1.0, u / rng)))
    az = math.atan2(e, n)
    if (
        el < radar.min_elevation_rad
        or el > radar.max_elevation_rad
        or rng < radar.min_range_m
        or rng > 2.0 * radar.ref_range_m
    ):
        return False, rng, az, el, 0.0
    in_face = False
    for i in range(radar.n_faces):
        off = (az - radar.faces_az_rad[i] + math.pi) % (2.0 * math.pi) - math.pi
        in_face = in_face or abs(off) <= radar.face_half_width_rad
    if not in_face or (
        radar.max_altitude_m < math.inf
        and ellipsoid_altitude(r_ecef[0], r_ecef[1], r_ecef[2]) > radar.max_altitude_m
    ):
        return False, rng, az, el, 0.0
    snr = radar.ref_snr * (rcs_m2 / radar.ref_rcs_m2) * (radar.ref_range_m / rng) ** 4
    return True, rng, az, el, snr


@nb.njit(cache=True, error_model="numpy")
def expects_reference_detection(radar, r_ecef):
    """Whether ``radar`` would detect a target of its reference cross-section at ``r_ecef`` with a per-look
    probability of at least 1/2: inside its coverage and within its reference range. The range, the
    cheap part, is tested first: most (radar, track) pairs of a raid fail it."""
    site = radar.site_ecef
    d0, d1, d2 = r_ecef[0] - site[0], r_ecef[1] - site[1], r_ecef[2] - site[2]
    if d0 * d0 + d1 * d1 + d2 * d2 > radar.ref_range_m * radar.ref_range_m:
        return False
    vis, _, _, _, snr = look(radar, r_ecef, radar.ref_rcs_m2)
    return vis and snr >= radar.ref_snr


@nb.njit(cache=True, error_model="numpy")
def detection_probability(snr, pfa):
    """Swerling I, one look: Pd = Pfa^(1 / (1 + SNR))."""
    return pfa ** (1.0 / (1.0 + snr))


@nb.njit(cache=True, error_model="numpy")
def measurement(radar, rng, az, el, snr, noise, z_ecef, R_ecef):
    """Noisy position ``z_ecef`` (3,) m ECEF and its converted covariance ``R_ecef`` (3, 3) from the true
    range (m), azimuth and elevation (rad) and SNR of a look by ``radar`` (a :data:`RADAR_DTYPE` record),
    with ``noise`` the unit normals of range, azimuth and elevation."""
    site, east, north, up = radar.site_ecef, radar.east, radar.north, radar.up
    scale = math.sqrt(radar.ref_snr / max(snr, 1e-9))
    s_r = radar.range_sigma_m * scale
    s_a = radar.angle_sigma_rad * scale
    r_m = rng + s_r * noise[0]
    a_m = az + s_a * noise[1] / max(math.cos(el), 1e-3)  # the azimuth error shrinks towards the zenith
    e_m = el + s_a * noise[2]
    ce, se, ca, sa = math.cos(e_m), math.sin(e_m), math.cos(a_m), math.sin(a_m)
    # local east/north/up components of the measured point and of the unit vectors along r, az, el
    los = (ce * sa, ce * ca, se)
    d_az = (ca, -sa, 0.0)  # direction of increasing azimuth (horizontal)
    d_el = (-se * sa, -se * ca, ce)
    for i in range(3):
        z_ecef[i] = site[i] + r_m * (los[0] * east[i] + los[1] * north[i] + los[2] * up[i])
    # covariance: s_r^2 along the line of sight, (r s_a)^2 across it (azimuth error scaled by cos el); the
    # three axes in ECEF as scalars (an array here would be an allocation per detection)
    s0, s1, s2 = s_r**2, (r_m * s_a) ** 2, (r_m * s_a) ** 2
    for i in range(3):
        a0i = los[0] * east[i] + los[1] * north[i] + los[2] * up[i]
        a1i = d_az[0] * east[i] + d_az[1] * north[i] + d_az[2] * up[i]
        a2i = d_el[0] * east[i] + d_el[1] * north[i] + d_el[2] * up[i]
        for j in range(3):
            a0j = los[0] * east[j] + los[1] * north[j] + los[2] * up[j]
            a1j = d_az[0] * east[j] + d_az[1] * north[j] + d_az[2] * up[j]
            a2j = d_el[0] * east[j] + d_el[1] * north[j] + d_el[2] * up[j]
            R_ecef[i, j] = s0 * a0i * a0j + s1 * a1i * a1j + s2 * a2i * a2j


@nb.njit(cache=True, parallel=True, error_model="numpy")
def screening_first_look(radars, rcs_m2, kind, boost_kind, truth, out):
    """The screening fidelity's radar detection: per object, the first grid time at which some radar's
    coverage holds it at a single-look Pd of at least 1/2 (SNR at or above the reference), with no
    revisit, draw, noise or track. ``radars`` (M,) :data:`RADAR_DTYPE`; ``rcs_m2`` (M, kinds) cross-section
    of each object kind in each radar's band; ``kind`` (N,) each object's kind (``boost_kind`` while
    it boosts); ``truth`` the chunk's (r_ecef, alt, phase, t_s); ``out`` (R, N) first times, inf if
    never, filled in place."""
    r_ecef, alt, phase, t_s = truth
    n_r, n_n, n_t = alt.shape
    for i in nb.prange(n_r * n_n):
        r, n = i // n_n, i % n_n
        for k in range(n_t):
            if not np.isfinite(alt[r, n, k]):
                continue
            kk = boost_kind if phase[r, n, k] == PHASE_BOOST else kind[n]
            seen = False
            for m in range(radars.shape[0]):
                vis, _, _, _, snr = look(radars[m], r_ecef[r, n, k], rcs_m2[m, kk])
                seen = seen or (vis and snr >= radars[m].ref_snr)
            if seen:
                out[r, n] = t_s[k]
                break


# The draws of one radar look at one object (slot), as counters draw_counter(step, sensor, slot, draw) of
# :mod:`domesim.core.counter_rng`: the detection, then three normal draws of its noise. A scan's false
# alarms: their number in the first slot after the objects, then each its own slot of four draws.
DRAW_DETECT, DRAW_NOISE = 0, 1  # DRAW_NOISE .. DRAW_NOISE + 2
FA_COUNT, FA_FACE, FA_AZ, FA_EL, FA_RANGE = 0, 1, 2, 3, 4
DRAWS_PER_SLOT = 5  # the most draws of a radar slot
FALSE_ALARM_SLOTS = 32  # the most false alarms of one scan


@nb.njit(cache=True, error_model="numpy")
def draw_look(radar, r_ecef, rcs_m2, key, counter, z_ecef, R_ecef):
    """One look by ``radar`` at an object at ``r_ecef`` of cross-section ``rcs_m2``: Swerling I detection
    with the counter-based uniform ``counter`` of ``key`` and, if detected, the noisy measurement
    (normals at ``counter + 1 .. + 3``) in ``z_ecef``, ``R_ecef``. Returns whether it was detected."""
    vis, rng_m, az, el, snr = look(radar, r_ecef, rcs_m2)
    if not vis or uniform(key, counter) >= detection_probability(snr, radar.pfa):
        return False
    c = counter + np.uint64(DRAW_NOISE - DRAW_DETECT)
    noise = (normal(key, c), normal(key, c + np.uint64(1)), normal(key, c + np.uint64(2)))
    measurement(radar, rng_m, az, el, snr, noise, z_ecef, R_ecef)
    return True


@nb.njit(cache=True, error_model="numpy")
def false_alarm_count(radar, u):
    """How many false alarms one scan of ``radar`` makes: a Poisson draw (inverse CDF, small means) of
    mean ``false_alarms_per_scan`` from the uniform ``u``, at most :data:`FALSE_ALARM_SLOTS`."""
    lam = radar.false_alarms_per_scan
    if lam <= 0.0:
        return 0
    k, p = 0, math.exp(-lam)
    c = p
    while u > c and k < FALSE_ALARM_SLOTS - 1:
        k += 1
        p *= lam / k
        c += p
    return k


@nb.njit(cache=True, error_model="numpy")
def draw_false_alarm(radar, key, slot_counter, z_ecef, R_ecef):
    """A false alarm uniform over ``radar``'s coverage (a face, azimuth and elevation in it, a range from
    the skip zone or 100 km to the reference range), from the draws of its slot, measured as a
    reference-SNR detection."""
    n_faces = radar.n_faces
    u_face = uniform(key, slot_counter + np.uint64(FA_FACE))
    face = radar.faces_az_rad[min(int(u_face * n_faces), n_faces - 1)]
    az = face + (2.0 * uniform(key, slot_counter + np.uint64(FA_AZ)) - 1.0) * radar.face_half_width_rad
    el = radar.min_elevation_rad + uniform(key, slot_counter + np.uint64(FA_EL)) * (
        radar.max_elevation_rad - radar.min_elevation_rad
    )
    rng_lo = max(radar.min_range_m, 100e3)
    rng_m = rng_lo + uniform(key, slot_counter + np.uint64(FA_RANGE)) * (radar.ref_range_m - rng_lo)
    measurement(radar, rng_m, az, el, radar.ref_snr, (0.0, 0.0, 0.0), z_ecef, R_ecef)
