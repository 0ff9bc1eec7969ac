"""Hypersonic boost-glide vehicles (HGV): rocket boost, pull-up, guided equilibrium glide, terminal dive.

A glider class is a :class:`GlideVehicle` (SI values, built once from the catalogue's ``glide.toml``).
:func:`solve_glide` chooses the booster's end-of-boost pitch (a shallow burnout flight-path angle) and the
launch azimuth for an aim point and checks by a nominal flight that the glide reaches it;
:func:`fly_gliders` flies every trial and object in one batch (booster: :mod:`domesim.core.ballistic`,
glider: :mod:`domesim.core.glide`) with per-trial dispersions, returning a :class:`ThreatBatch`.

The glider's guidance closes on the aim point by itself (range by the equilibrium-glide range equation,
cross-range by bank, proportional navigation in the dive), so the launch solution does not need to be
exact: the booster only has to put the glider in the glide band with a shallow flight-path angle.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from domesim.core import ballistic as boost_kernel
from domesim.core import frames
from domesim.core import glide as glide_kernel
from domesim.core.constants import R_EARTH_MEAN_M
from domesim.core.timegrid import TimeGrid
from domesim.errors import ParameterError, TargetingError
from domesim.threats.ballistic import (
    BallisticMissile,
    ObjectInfo,
    _launch_frame,
    initial_azimuth,
    pack_params,
)
from domesim.threats.batch import ThreatBatch

_MAX_FLIGHT_S = 7200.0  # longer than any glide to half-way round the Earth
_REACH_PROBE_M = 19_000e3  # an aim point this far along the launch azimuth: the glide flies to exhaustion
_BOOST_PAD_S = 1.0  # the booster is integrated to (latest burnout + this), whatever the batch: see _fly
_THETA_GRID_RAD = np.radians(np.arange(-89.0, 80.0, 2.0))
_AERO_LIMIT_M = 200e3  # no aerodynamic glide above this height (air density < 1e-10 of sea level)
_MISS_TOLERANCE_M = 100.0  # the guidance closes on the aim point: nominal misses are centimetres
_CHECK_STEP_S = 2.0  # output step of the nominal flights that check the glide band

# Parameters of a catalogue entry of the glide family: catalogue key -> GlideVehicle field.
_KEYS = {
    "stage_burn_s": "stage_burn_s",
    "stage_delta_v_km_s": "stage_delta_v_m_s",
    "exhaust_velocity_km_s": "exhaust_velocity_m_s",
    "vertical_rise_s": "vertical_rise_s",
    "beta_kg_m2": "beta_kg_m2",
    "lift_to_drag": "lift_to_drag",
    "glide_alt_min_km": "glide_alt_min_m",
    "glide_alt_max_km": "glide_alt_max_m",
    "max_bank_deg": "max_bank_rad",
    "dive_range_factor": "dive_range_factor",
    "glide_end_speed_km_s": "glide_end_speed_m_s",
    "burnout_gamma_deg": "burnout_gamma_rad",
}
_STAGE_KEYS = ("stage_burn_s", "stage_delta_v_km_s", "exhaust_velocity_km_s")


@dataclass(frozen=True, kw_only=True)
class GlideVehicle:
    """A boost-glide class, SI units. Construction checks every value (:class:`ParameterError` naming
    the catalogue key).

    Attributes
    ----------
    name : catalogue id.
    stage_burn_s, stage_delta_v_m_s, exhaust_velocity_m_s : per booster stage: burn time (s), ideal
        delta-v (m/s), effective exhaust velocity (m/s), as in
        :class:`~domesim.threats.ballistic.BallisticMissile`.
    vertical_rise_s : vertical flight after lift-off before the pitch-over, s.
    beta_kg_m2 : ballistic coefficient m / (C_D S) of the glider, kg/m2.
    lift_to_drag : largest lift-to-drag ratio of the glider.
    glide_alt_min_m, glide_alt_max_m : glide altitude band, m above the ellipsoid.
    max_bank_rad : largest bank angle in the glide, rad.
    dive_range_factor : the terminal dive starts at a ground distance of this many times the altitude.
    glide_end_speed_m_s : planned speed at the end of the glide (the range plan spends the energy above it).
    burnout_gamma_rad : flight-path angle (relative to the air) at burnout; the booster's pitch gives it.
    """

    name: str
    stage_burn_s: tuple[float, ...]
    stage_delta_v_m_s: tuple[float, ...]
    exhaust_velocity_m_s: tuple[float, ...]
    vertical_rise_s: float
    beta_kg_m2: float
    lift_to_drag: float
    glide_alt_min_m: float
    glide_alt_max_m: float
    max_bank_rad: float
    dive_range_factor: float
    glide_end_speed_m_s: float
    burnout_gamma_rad: float

    def __post_init__(self) -> None:
        n = len(self.stage_burn_s)
        if not (len(self.stage_delta_v_m_s) == len(self.exhaust_velocity_m_s) == n):
            self._fail(
                "stage_burn_s",
                "stage_burn_s, stage_delta_v_km_s and exhaust_velocity_km_s must have one value per stage "
                "(the same length)",
            )
        if not 1 <= n <= boost_kernel.MAX_STAGES:
            self._fail("stage_burn_s", f"must list 1 to {boost_kernel.MAX_STAGES} stages (got {n})")
        for key, values, scale in (
            ("stage_burn_s", self.stage_burn_s, 1.0),
            ("stage_delta_v_km_s", self.stage_delta_v_m_s, 1e3),
            ("exhaust_velocity_km_s", self.exhaust_velocity_m_s, 1e3),
        ):
            for v in values:
                if not (math.isfinite(v) and v > 0.0):
                    self._fail(key, f"must be > 0 for every stage (got {v / scale:g})")
        if not (math.isfinite(self.vertical_rise_s) and 0.0 <= self.vertical_rise_s < sum(self.stage_burn_s)):
            self._fail(
                "vertical_rise_s",
                f"must be >= 0 and shorter than the boost ({sum(self.stage_burn_s):g} s) "
                f"(got {self.vertical_rise_s:g})",
            )
        self._positive("beta_kg_m2", self.beta_kg_m2)
        self._positive("lift_to_drag", self.lift_to_drag)
        self._positive("dive_range_factor", self.dive_range_factor)
        self._positive("glide_end_speed_km_s", self.glide_end_speed_m_s, 1e3)
        lo, hi = self.glide_alt_min_m, self.glide_alt_max_m
        if not (math.isfinite(lo) and math.isfinite(hi) and 0.0 < lo < hi):
            self._fail(
                "glide_alt_min_km",
                "must be above the ground and below glide_alt_max_km "
                f"(got glide_alt_min_km = {lo / 1e3:g}, glide_alt_max_km = {hi / 1e3:g})",
            )
        if hi > _AERO_LIMIT_M:
            self._fail(
                "glide_alt_max_km",
                f"must be at most {_AERO_LIMIT_M / 1e3:g} km: no aerodynamic glide above (got {hi / 1e3:g})",
            )
        if not (math.isfinite(self.max_bank_rad) and 0.0 < self.max_bank_rad < 0.5 * math.pi):
            self._fail(
                "max_bank_deg", f"must be between 0 and 90 deg (got {math.degrees(self.max_bank_rad):g})"
            )
        if not (math.isfinite(self.burnout_gamma_rad) and abs(self.burnout_gamma_rad) < math.radians(30.0)):
            self._fail(
                "burnout_gamma_deg",
                f"must be a shallow angle, within +-30 deg (got {math.degrees(self.burnout_gamma_rad):g})",
            )

    def _fail(self, key: str, message: str) -> None:
        raise ParameterError(f"glide class {self.name!r}: {key} {message}")

    def _positive(self, key: str, value: float, scale: float = 1.0) -> None:
        if not (math.isfinite(value) and value > 0.0):
            self._fail(key, f"must be > 0 (got {value / scale:g})")

    @classmethod
    def from_params(cls, name: str, p: Mapping[str, Any]) -> GlideVehicle:
        """Build from the SI values of a catalogue entry's keys (the loader converts ``_km`` to m,
        ``_deg`` to rad, ``_km_s`` to m/s and keeps the key names). Other keys (``range_km``, notes) are
        ignored.

        >>> p = {"stage_burn_s": [60.0, 50.0], "stage_delta_v_km_s": [2600.0, 2600.0],
        ...      "exhaust_velocity_km_s": [2600.0, 2600.0], "vertical_rise_s": 6.0, "beta_kg_m2": 6000.0,
        ...      "lift_to_drag": 3.0, "glide_alt_min_km": 30e3, "glide_alt_max_km": 100e3,
        ...      "max_bank_deg": 1.0, "dive_range_factor": 2.0, "glide_end_speed_km_s": 1700.0,
        ...      "burnout_gamma_deg": 0.0}
        >>> GlideVehicle.from_params("demo", p).glide_alt_min_m
        30000.0
        >>> GlideVehicle.from_params("demo", {**p, "glide_alt_min_km": -1e3})
        Traceback (most recent call last):
        ...
        domesim.errors.ParameterError: glide class 'demo': glide_alt_min_km must be above the ground and \
below glide_alt_max_km (got glide_alt_min_km = -1, glide_alt_max_km = 100)
        """
        missing = [key for key in _KEYS if key not in p]
        if missing:
            raise ParameterError(f"glide class {name!r}: missing parameter(s) {', '.join(missing)}")
        values: dict[str, Any] = {}
        for key, attr in _KEYS.items():
            value = p[key]
            try:
                if key in _STAGE_KEYS:
                    values[attr] = tuple(float(v) for v in value)
                else:
                    values[attr] = float(value)
            except (TypeError, ValueError):
                kind = "a list of numbers" if key in _STAGE_KEYS else "a number"
                raise ParameterError(f"glide class {name!r}: {key} must be {kind} (got {value!r})") from None
        return cls(name=name, **values)

    @property
    def boost_time_s(self) -> float:
        return float(sum(self.stage_burn_s))

    @property
    def booster(self) -> BallisticMissile:
        """The booster as a ballistic missile class (no drag after burnout: the glider takes over)."""
        return BallisticMissile(
            self.name,
            self.stage_burn_s,
            self.stage_delta_v_m_s,
            self.exhaust_velocity_m_s,
            self.vertical_rise_s,
            0.0,
        )


@dataclass(frozen=True, kw_only=True)
class GlideSolution:
    """Launch parameters of a glider and its nominal flight (dispersions off)."""

    azimuth_rad: float  # launch azimuth, clockwise from north at the launch site
    theta_end_rad: float  # thrust elevation above the launch horizon at burnout
    t_cut_s: float  # burnout after lift-off (the full burn), s
    range_m: float  # great-circle ground range launch -> aim (IUGG mean sphere)
    miss_m: float  # miss distance of the nominal flight
    flight_time_s: float  # lift-off to impact
    dive_time_s: float  # lift-off to the start of the terminal dive
    burnout_alt_m: float
    burnout_speed_m_s: float  # relative to the Earth
    burnout_gamma_rad: float  # flight-path angle relative to the Earth
    reach_m: float  # ground range of a glide flown to exhaustion along the launch azimuth (no dive)


@dataclass(frozen=True, kw_only=True)
class GlideObject:
    """One launched glide vehicle with its nominal solution and dispersion sigmas (one per trial draw).

    ``azimuth_sigma_rad``, ``pitch_sigma_rad``, ``thrust_sigma_frac``: booster launch azimuth, end pitch and
    exhaust velocity (as :class:`~domesim.threats.ballistic.ThreatObject`); ``ld_sigma_frac``,
    ``beta_sigma_frac``: log-normal spread of the glider's L/D and ballistic coefficient (unknown to its
    guidance); ``aim_sigma_m``: per-axis (east, north) error of the point the guidance steers to.
    """

    name: str
    vehicle: GlideVehicle
    launch_lat_rad: float
    launch_lon_rad: float
    aim_lat_rad: float
    aim_lon_rad: float
    launch_t_s: float
    solution: GlideSolution
    azimuth_sigma_rad: float = 0.0
    pitch_sigma_rad: float = 0.0
    thrust_sigma_frac: float = 0.0
    ld_sigma_frac: float = 0.0
    beta_sigma_frac: float = 0.0
    aim_sigma_m: float = 0.0

    def objects(self) -> list[ObjectInfo]:
        """The one simulated object of a glide vehicle (the glider; its booster is not tracked apart)."""
        sol = self.solution
        return [
            ObjectInfo(
                name=self.name,
                kind="hgv",
                lethal=True,
                threat=self,
                aim_lat_rad=self.aim_lat_rad,
                aim_lon_rad=self.aim_lon_rad,
                threat_class=self.vehicle.name,
                launch_t_s=self.launch_t_s,
                nominal_impact_t_s=self.launch_t_s + sol.flight_time_s,
                range_m=sol.range_m,
                apogee_m=sol.burnout_alt_m,
            )
        ]


def _pack(
    vehicle, lat, lon, *, launch_t, azimuth, theta_end, thrust_scale, era0, aim_ecef, ld_scale, beta_scale
):
    """Booster start states and parameter records, and glider parameter records, for n flights of one class.

    ``azimuth``, ``theta_end``, ``thrust_scale``, ``ld_scale``, ``beta_scale``: (n,); ``aim_ecef``: (n, 3).
    """
    azimuth = np.atleast_1d(np.asarray(azimuth, dtype=np.float64))
    n = azimuth.size
    pad, up, downrange = _launch_frame(lat, lon, azimuth)
    era = era0 + frames.OMEGA_EARTH_RAD_S * launch_t
    r0, v0 = frames.ecef_to_eci_state(pad, np.zeros(3), era)
    y0 = np.tile(np.concatenate([r0, v0]), (n, 1))
    rot = frames.rotation_z(era)
    p_boost = pack_params(
        vehicle.booster,
        t0_s=np.full(n, launch_t),
        up_eci=np.broadcast_to(rot @ up, (n, 3)),
        downrange_eci=np.sum(
            downrange[:, None, :] * rot[None, :, :], axis=-1
        ),  # row by row: same bits for any n
        theta_end_rad=np.broadcast_to(theta_end, (n,)),
        t_cut_s=np.full(n, vehicle.boost_time_s),
        thrust_scale=np.broadcast_to(thrust_scale, (n,)),
        beta_kg_m2=0.0,
    )
    p_glide = boost_kernel.make_records(
        glide_kernel.PARAMS,
        n,
        t0_s=launch_t + vehicle.boost_time_s,
        beta_kg_m2=vehicle.beta_kg_m2 * beta_scale,
        ld_max=vehicle.lift_to_drag * ld_scale,
        h_min_m=vehicle.glide_alt_min_m,
        h_max_m=vehicle.glide_alt_max_m,
        bank_max_rad=vehicle.max_bank_rad,
        dive_k=vehicle.dive_range_factor,
        v_end_m_s=vehicle.glide_end_speed_m_s,
        aim_ecef=aim_ecef,
        mode0=glide_kernel.MODE_PULLUP,
    )
    return y0, p_boost, p_glide


def _fly(y0_boost, p_boost, p_glide, t_out, era0, rtol, atol):
    """Boost then glide, every flight in one batch each; returns (state ECEF, alt, phase, impact ECI,
    status, t_impact, t_dive, burnout ECI).

    The booster is integrated from lift-off to (latest burnout in the batch + 1 s): its step sequence up
    to each burnout then depends only on the flight itself (steps are clipped at the burnout event, never
    at the end of the integration), so a batch equals its flights run one at a time, bit for bit.
    """
    t_out = np.asarray(t_out, dtype=np.float64)
    t_bo = p_glide["t0_s"]
    t_last = float(np.max(t_bo)) + _BOOST_PAD_S
    m = int(np.searchsorted(t_out, t_last, side="left"))
    t_boost = np.append(t_out[:m], t_last)
    boost = boost_kernel.allocate_and_fly(y0_boost, p_boost, t_boost, rtol, atol, era0=era0)
    b_state, b_phase, _, burnout, _, _, b_alt = boost
    glide = glide_kernel.allocate_and_glide(burnout, p_glide, t_out, rtol, atol, era0=era0)
    state, alt, phase = glide.state, glide.alt_m, glide.phase
    in_boost = t_out[None, :m] < t_bo[:, None]
    state[:, :m][in_boost] = b_state[:, :m][in_boost]
    alt[:, :m][in_boost] = b_alt[:, :m][in_boost]
    phase[:, :m][in_boost] = b_phase[:, :m][in_boost]
    return state, alt, phase, glide.impact_state_eci, glide.status, glide.t_impact_s, glide.t_dive_s, burnout


def _impact_geodetic(impact_eci, t_impact, era0):
    era = era0 + frames.OMEGA_EARTH_RAD_S * np.nan_to_num(t_impact)
    lat, lon, _ = frames.ecef_to_geodetic(frames.eci_to_ecef(impact_eci[..., :3], era))
    return lat, lon


def _burnout_relative(burnout_eci, t_bo):
    """Altitude (m), speed and flight-path angle relative to the Earth at burnout, from ECI states at t_bo."""
    r, v = frames.eci_to_ecef_state(
        burnout_eci[..., :3], burnout_eci[..., 3:], frames.OMEGA_EARTH_RAD_S * t_bo
    )
    _, _, alt = frames.ecef_to_geodetic(r)
    speed = np.linalg.norm(v, axis=-1)
    gamma = np.arcsin(np.clip(np.sum(r * v, axis=-1) / (np.linalg.norm(r, axis=-1) * speed), -1.0, 1.0))
    return alt, speed, gamma


def _boost_pitch(vehicle: GlideVehicle, lat: float, lon: float, azimuth: float) -> float:
    """End-of-boost pitch giving the class's burnout flight-path angle: a grid of full-burn booster flights
    in one batch brackets it, two finer grids refine it (the angle rises monotonically with the pitch)."""
    t_bo = vehicle.boost_time_s
    t_out = np.array([t_bo + _BOOST_PAD_S])
    aim = np.zeros((1, 3))
    thetas = _THETA_GRID_RAD
    gamma = np.empty(0)
    for _ in range(3):
        n = thetas.size
        y0, pb, pg = _pack(
            vehicle,
            lat,
            lon,
            launch_t=0.0,
            azimuth=np.full(n, azimuth),
            theta_end=thetas,
            thrust_scale=1.0,
            era0=0.0,
            aim_ecef=aim,
            ld_scale=1.0,
            beta_scale=1.0,
        )
        burnout = boost_kernel.allocate_and_fly(y0, pb, t_out, era0=0.0)[3]
        _, _, gamma = _burnout_relative(burnout, t_bo)
        above = np.nonzero(gamma >= vehicle.burnout_gamma_rad)[0]
        if above.size == 0 or above[0] == 0:
            raise ParameterError(
                f"glide class {vehicle.name!r}: burnout_gamma_deg = "
                f"{math.degrees(vehicle.burnout_gamma_rad):g} is outside what the booster's pitch program "
                f"gives ({math.degrees(np.nanmin(gamma)):.1f} to {math.degrees(np.nanmax(gamma)):.1f} deg): "
                "change burnout_gamma_deg or the stages"
            )
        j = above[0]
        lo, hi = thetas[j - 1], thetas[j]
        thetas = np.linspace(lo, hi, 9)
    w = (vehicle.burnout_gamma_rad - gamma[j - 1]) / (gamma[j] - gamma[j - 1])
    return float(lo + w * (hi - lo))


def _destination(lat: float, lon: float, azimuth: float, distance_m: float) -> tuple[float, float]:
    """Point at ``distance_m`` along the great circle (IUGG mean sphere) leaving (lat, lon) at ``azimuth``."""
    s = distance_m / R_EARTH_MEAN_M
    lat2 = math.asin(math.sin(lat) * math.cos(s) + math.cos(lat) * math.sin(s) * math.cos(azimuth))
    lon2 = lon + math.atan2(
        math.sin(azimuth) * math.sin(s) * math.cos(lat), math.cos(s) - math.sin(lat) * math.sin(lat2)
    )
    return lat2, (lon2 + math.pi) % (2.0 * math.pi) - math.pi


def glide_band_exits(vehicle: GlideVehicle, alt_m: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Index of the first output at which each glide is below its band, or -1: shape (B,).

    The glide is the ``PHASE_MIDCOURSE`` part of a flight from the first time it is at or below
    ``glide_alt_max`` (a glider released above the band coasts down to it first). ``alt_m`` and ``phase``:
    (B, T) on an output grid.
    """
    glide = phase == boost_kernel.PHASE_MIDCOURSE
    entered = np.maximum.accumulate(glide & (alt_m <= vehicle.glide_alt_max_m), axis=1)
    below = glide & entered & (alt_m < vehicle.glide_alt_min_m)
    return np.where(below.any(axis=1), np.argmax(below, axis=1), -1)


def solve_glide(
    vehicle: GlideVehicle,
    launch_lat_rad: float,
    launch_lon_rad: float,
    aim_lat_rad: float,
    aim_lon_rad: float,
    azimuth_offset_rad: float = 0.0,
    tolerance_m: float = _MISS_TOLERANCE_M,
) -> GlideSolution:
    """Launch azimuth and booster pitch for an aim point, checked by a nominal flight.

    The booster burns fully; its end pitch is chosen (:func:`_boost_pitch`) so the burnout flight-path
    angle equals the class's ``burnout_gamma_deg``, and the burnout altitude must lie in the glide band.
    The launch azimuth is the great-circle azimuth to the aim point plus ``azimuth_offset_rad`` (a dog-leg
    the glider then removes by cross-range steering). A nominal flight (the glider's guidance steering
    to the aim point) and a flight to exhaustion along the launch azimuth (the reach) run in one batch.

    Raises
    ------
    ParameterError
        The class's booster cannot put the glider in its glide band at ``burnout_gamma_deg``.
    TargetingError
        The nominal flight misses the aim point by more than ``tolerance_m``: beyond the class's reach
        (the message gives the range and the reach), or too close for the glide to lose its energy.
    """
    target_range = float(
        frames.great_circle_distance_m(launch_lat_rad, launch_lon_rad, aim_lat_rad, aim_lon_rad)
    )
    azimuth = (
        initial_azimuth(launch_lat_rad, launch_lon_rad, aim_lat_rad, aim_lon_rad) + azimuth_offset_rad
    ) % (2.0 * math.pi)
    theta = _boost_pitch(vehicle, launch_lat_rad, launch_lon_rad, azimuth)
    probe = _destination(launch_lat_rad, launch_lon_rad, azimuth, _REACH_PROBE_M)
    aims = frames.geodetic_to_ecef(np.array([aim_lat_rad, probe[0]]), np.array([aim_lon_rad, probe[1]]), 0.0)
    y0, pb, pg = _pack(
        vehicle,
        launch_lat_rad,
        launch_lon_rad,
        launch_t=0.0,
        azimuth=np.full(2, azimuth),
        theta_end=theta,
        thrust_scale=1.0,
        era0=0.0,
        aim_ecef=aims,
        ld_scale=1.0,
        beta_scale=1.0,
    )
    t_out = np.arange(0.0, _MAX_FLIGHT_S + 1.0, _CHECK_STEP_S)
    state, alt, phase, impact, status, t_imp, t_dive, burnout = _fly(y0, pb, pg, t_out, 0.0, 1e-8, 1e-3)
    bo_alt, bo_speed, bo_gamma = _burnout_relative(burnout[0], vehicle.boost_time_s)
    if not bo_alt >= vehicle.glide_alt_min_m:
        raise ParameterError(
            f"glide class {vehicle.name!r}: the booster puts the glider at {bo_alt / 1e3:.0f} km at burnout "
            f"(burnout_gamma_deg = {math.degrees(vehicle.burnout_gamma_rad):g}), below glide_alt_min_km "
            f"({vehicle.glide_alt_min_m / 1e3:g} km): change the stages or burnout_gamma_deg"
        )
    below = glide_band_exits(vehicle, alt, phase)
    reach = math.inf
    if below[1] >= 0:  # the exhausted glide leaves its band: the last aim point it could dive onto
        lat_x, lon_x, _ = frames.ecef_to_geodetic(state[1, below[1], :3])
        reach = float(frames.great_circle_distance_m(launch_lat_rad, launch_lon_rad, lat_x, lon_x))
        reach += vehicle.dive_range_factor * vehicle.glide_alt_min_m
    lat, lon = _impact_geodetic(impact, t_imp, 0.0)
    miss = math.inf
    if status[0] == boost_kernel.STATUS_IMPACTED:
        miss = float(np.linalg.norm(frames.geodetic_to_ecef(lat[0], lon[0], 0.0) - aims[0]))
    if target_range > reach:
        raise TargetingError(
            f"{vehicle.name}: aim point at {target_range / 1e3:,.0f} km is beyond the class's reach "
            f"(its glide stays in the glide band to about {reach / 1e3:,.0f} km along this azimuth)"
        )
    if below[0] >= 0:
        lat_x, lon_x, _ = frames.ecef_to_geodetic(state[0, below[0], :3])
        where = float(frames.great_circle_distance_m(launch_lat_rad, launch_lon_rad, lat_x, lon_x))
        raise TargetingError(
            f"{vehicle.name}: for the aim point at {target_range / 1e3:,.0f} km the nominal glide drops "
            f"below glide_alt_min_km ({vehicle.glide_alt_min_m / 1e3:g} km) {where / 1e3:,.0f} km from the "
            f"launch point (reach about {reach / 1e3:,.0f} km): the aim point is too close for the glide "
            "to lose its energy inside the band"
        )
    if miss > tolerance_m:
        raise TargetingError(
            f"{vehicle.name}: the nominal glide misses the aim point at {target_range / 1e3:,.0f} km by "
            f"{miss / 1e3:,.1f} km (reach about {reach / 1e3:,.0f} km): the aim point is too close for "
            "the glide to lose its energy"
        )
    return GlideSolution(
        azimuth_rad=float(azimuth),
        theta_end_rad=theta,
        t_cut_s=vehicle.boost_time_s,
        range_m=target_range,
        miss_m=miss,
        flight_time_s=float(t_imp[0]),
        dive_time_s=float(t_dive[0]),
        burnout_alt_m=float(bo_alt),
        burnout_speed_m_s=float(bo_speed),
        burnout_gamma_rad=float(bo_gamma),
        reach_m=reach,
    )


def fly_gliders(
    objects: list[GlideObject],
    grid: TimeGrid,
    rng: np.random.Generator | None,
    trials: int,
    rtol: float = 1e-8,
    atol: float = 1e-3,
) -> ThreatBatch:
    """Fly every glider of every trial on the grid (boost, then glide), drawing dispersions from ``rng``.

    The dispersion draws are (trials, objects) arrays drawn in a fixed order (azimuth, pitch, thrust,
    L/D, beta, aim east, aim north), so a trial's trajectories do not depend on how trials are grouped
    into chunks; with ``rng=None`` every trial is the nominal flight.
    """
    n = len(objects)
    t_s = grid.t_s
    era0 = float(frames.earth_rotation_angle(0.0, grid.epoch_jd))
    shape = (trials, n)
    if n == 0 or trials == 0:
        nan = np.full(shape, np.nan)
        return ThreatBatch(
            t_s=t_s,
            r_ecef=np.full(shape + (t_s.size, 3), np.nan),
            v_ecef=np.full(shape + (t_s.size, 3), np.nan),
            alt_m=np.full(shape + (t_s.size,), np.nan),
            phase=np.zeros(shape + (t_s.size,), dtype=np.int8),
            impact_t_s=nan,
            impact_lat_rad=nan.copy(),
            impact_lon_rad=nan.copy(),
            status=np.zeros(shape, dtype=np.int8),
        )
    names = ("az", "pitch", "thrust", "ld", "beta", "east", "north")
    if rng is not None:
        z = {name: rng.standard_normal(shape) for name in names}
    else:
        z = {name: np.zeros(shape) for name in names}
    y0 = np.empty((trials, n, 6))
    p_boost = np.empty((trials, n), dtype=boost_kernel.PARAMS)
    p_glide = np.empty((trials, n), dtype=glide_kernel.PARAMS)
    for j, obj in enumerate(objects):
        sol = obj.solution
        enu = frames.enu_matrix(obj.aim_lat_rad, obj.aim_lon_rad)
        aim = frames.geodetic_to_ecef(obj.aim_lat_rad, obj.aim_lon_rad, 0.0) + obj.aim_sigma_m * (
            z["east"][:, j, None] * enu[0] + z["north"][:, j, None] * enu[1]
        )
        y0[:, j], p_boost[:, j], p_glide[:, j] = _pack(
            obj.vehicle,
            obj.launch_lat_rad,
            obj.launch_lon_rad,
            launch_t=obj.launch_t_s,
            azimuth=sol.azimuth_rad + obj.azimuth_sigma_rad * z["az"][:, j],
            theta_end=sol.theta_end_rad + obj.pitch_sigma_rad * z["pitch"][:, j],
            thrust_scale=1.0 + obj.thrust_sigma_frac * z["thrust"][:, j],
            era0=era0,
            aim_ecef=aim,
            ld_scale=np.exp(obj.ld_sigma_frac * z["ld"][:, j]),
            beta_scale=np.exp(obj.beta_sigma_frac * z["beta"][:, j]),
        )
    state, alt, phase, impact, status, t_imp, _, _ = _fly(
        y0.reshape(-1, 6),
        p_boost.reshape(-1),
        p_glide.reshape(-1),
        t_s,
        era0,
        rtol,
        atol,
    )
    state = state.reshape(trials, n, t_s.size, 6)
    lat_i, lon_i = _impact_geodetic(impact, t_imp, era0)
    return ThreatBatch(
        t_s=t_s,
        r_ecef=state[..., :3],
        v_ecef=state[..., 3:],
        alt_m=alt.reshape(trials, n, -1),
        phase=phase.reshape(trials, n, -1),
        impact_t_s=t_imp.reshape(shape),
        impact_lat_rad=lat_i.reshape(shape),
        impact_lon_rad=lon_i.reshape(shape),
        status=status.reshape(shape),
    )
