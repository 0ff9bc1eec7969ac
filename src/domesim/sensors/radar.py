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
maximum (twice the reference range). Measurement noise in range and angles scales as
``1 / sqrt(SNR / SNR_ref)`` from the class's values at the reference SNR (Skolnik eq. 6.3 and 6.4 in
form), and the measurement is handed to trackers as a Cartesian position with the converted
covariance (first-order conversion of range, azimuth, elevation; Bar-Shalom et al. 2001, section 10.6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

from domesim.core import frames

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


@dataclass(frozen=True)
class RadarClass:
    """A radar class, SI units."""

    name: str
    band: str
    ref_range_m: float  # Pd = 1/2 per look against ref_rcs
    ref_rcs_m2: float
    pfa: float
    min_elevation_rad: float
    max_elevation_rad: float
    faces_az_rad: tuple[float, ...]
    face_half_width_rad: float
    min_range_m: float
    revisit_s: float
    range_sigma_m: float
    angle_sigma_rad: float
    false_alarms_per_scan: float
    p_discriminate: float  # telling an RV from a decoy in midcourse, once tracked


@dataclass(frozen=True)
class Radar:
    """A radar class at a site."""

    name: str
    cls: RadarClass
    lat_rad: float
    lon_rad: float
    alt_m: float

    @property
    def r_ecef(self) -> np.ndarray:
        return frames.geodetic_to_ecef(self.lat_rad, self.lon_rad, self.alt_m)

    def params(self) -> np.ndarray:
        """The kernel's parameter row (see :data:`PARAM_COLUMNS`)."""
        c = self.cls
        east, north, up = frames.enu_matrix(self.lat_rad, self.lon_rad)
        return np.array(
            [
                *self.r_ecef,
                *east,
                *north,
                *up,
                c.ref_range_m,
                c.ref_rcs_m2,
                reference_snr(c.pfa),
                c.pfa,
                c.min_elevation_rad,
                c.max_elevation_rad,
                c.face_half_width_rad,
                c.min_range_m,
                c.range_sigma_m,
                c.angle_sigma_rad,
            ]
        )


# Indices of Radar.params(): site (0-2), east (3-5), north (6-8), up (9-11), then these.
P_REF_RANGE, P_REF_RCS, P_REF_SNR, P_PFA, P_MIN_EL, P_MAX_EL, P_HALF_WIDTH, P_MIN_RANGE = range(12, 20)
P_RANGE_SIGMA, P_ANGLE_SIGMA = 20, 21


@nb.njit(cache=True, error_model="numpy")
def look(params, faces, r_ecef, rcs_m2):
    """Geometry and SNR of one look at an object; returns (visible, range, az, el, snr)."""
    d0, d1, d2 = r_ecef[0] - params[0], r_ecef[1] - params[1], r_ecef[2] - params[2]
    e = d0 * params[3] + d1 * params[4] + d2 * params[5]
    n = d0 * params[6] + d1 * params[7] + d2 * params[8]
    u = d0 * params[9] + d1 * params[10] + d2 * params[11]
    rng = math.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
    if not rng > 0.0:
        return False, 0.0, 0.0, 0.0, 0.0
    el = math.asin(max(-1.0, min(1.0, u / rng)))
    az = math.atan2(e, n)
    if (
        el < params[P_MIN_EL]
        or el > params[P_MAX_EL]
        or rng < params[P_MIN_RANGE]
        or rng > 2.0 * params[P_REF_RANGE]
    ):
        return False, rng, az, el, 0.0
    in_face = False
    for f in faces:
        off = (az - f + math.pi) % (2.0 * math.pi) - math.pi
        in_face = in_face or abs(off) <= params[P_HALF_WIDTH]
    if not in_face:
        return False, rng, az, el, 0.0
    snr = params[P_REF_SNR] * (rcs_m2 / params[P_REF_RCS]) * (params[P_REF_RANGE] / rng) ** 4
    return True, rng, az, el, snr


@nb.njit(cache=True, error_model="numpy")
def detection_probability(snr, pfa):
    """Swerling I, one look: Pd = Pfa^(1 / (1 + SNR))."""
    return pfa ** (1.0 / (1.0 + snr))


@nb.njit(cache=True, error_model="numpy")
def measurement(params, rng, az, el, snr, n_range, n_az, n_el, z_ecef, R_ecef):
    """Noisy position (ECEF) from true range/az/el plus unit normals, and its converted covariance."""
    scale = math.sqrt(params[P_REF_SNR] / max(snr, 1e-9))
    s_r = params[P_RANGE_SIGMA] * scale
    s_a = params[P_ANGLE_SIGMA] * scale
    r_m = rng + s_r * n_range
    a_m = az + s_a * n_az / max(math.cos(el), 1e-3)  # the azimuth error shrinks towards the zenith
    e_m = el + s_a * n_el
    ce, se, ca, sa = math.cos(e_m), math.sin(e_m), math.cos(a_m), math.sin(a_m)
    # local east/north/up components of the measured point and of the unit vectors along r, az, el
    los = (ce * sa, ce * ca, se)
    d_az = (ca, -sa, 0.0)  # direction of increasing azimuth (horizontal)
    d_el = (-se * sa, -se * ca, ce)
    for i in range(3):
        z_ecef[i] = params[i] + r_m * (
            los[0] * params[3 + i] + los[1] * params[6 + i] + los[2] * params[9 + i]
        )
    # covariance: s_r^2 along the line of sight, (r s_a)^2 across it (azimuth error scaled by cos el)
    axes = np.empty((3, 3))
    sig = (s_r, r_m * s_a, r_m * s_a)
    for k, vec in enumerate((los, d_az, d_el)):
        for i in range(3):
            axes[k, i] = vec[0] * params[3 + i] + vec[1] * params[6 + i] + vec[2] * params[9 + i]
    for i in range(3):
        for j in range(3):
            R_ecef[i, j] = (
                sig[0] ** 2 * axes[0, i] * axes[0, j]
                + sig[1] ** 2 * axes[1, i] * axes[1, j]
                + sig[2] ** 2 * axes[2, i] * axes[2, j]
            )
