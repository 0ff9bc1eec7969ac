"""Staged ballistic missiles: launch geometry, targeting on the rotating Earth, batched flight.

A missile class is a :class:`BallisticMissile` (SI values, built once from the catalogue and the
scenario). :func:`solve_launch` finds the launch azimuth, the end-of-boost pitch and the thrust
termination time that put the re-entry vehicle on an aim point; :func:`fly_threats` flies every
trial and object in one batch with per-trial dispersions, returning a :class:`ThreatBatch`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from domesim.core import ballistic as kernel
from domesim.core import frames
from domesim.core.timegrid import TimeGrid
from domesim.errors import TargetingError
from domesim.threats.batch import ThreatBatch, join
from domesim.threats.payload import Release, released_state, unpowered_params

_MAX_FLIGHT_S = 9000.0  # longer than any ballistic flight up to antipodal range, lofts included


@dataclass(frozen=True)
class BallisticMissile:
    """A staged ballistic missile class, SI units.

    Attributes
    ----------
    name : catalogue id.
    stage_burn_s : burn time of each stage, s.
    stage_delta_v_m_s : ideal (rocket-equation) delta-v of each stage, m/s.
    exhaust_velocity_m_s : effective exhaust velocity (Isp * g0) of each stage, m/s.
    vertical_rise_s : vertical flight after lift-off before the pitch-over, s.
    reentry_beta_kg_m2 : ballistic coefficient m / (Cd A) of the re-entry vehicle, kg/m2.
    """

    name: str
    stage_burn_s: tuple[float, ...]
    stage_delta_v_m_s: tuple[float, ...]
    exhaust_velocity_m_s: tuple[float, ...]
    vertical_rise_s: float
    reentry_beta_kg_m2: float
    pitch_local: bool = False  # pitch program from the local horizontal (orbital classes)
    pitch_exponent: float = 1.0  # shape of the pitch-over (domesim.core.ballistic): 1 linear, > 1 early

    @property
    def boost_time_s(self) -> float:
        return float(sum(self.stage_burn_s))

    def stage_table(self, thrust_scale: float = 1.0) -> np.ndarray:
        """(stages, 3) rows of (ve, k, end) for the kernel; ``thrust_scale`` scales ve (a dispersion)."""
        rows = []
        end = 0.0
        for tb, dv, ve in zip(
            self.stage_burn_s, self.stage_delta_v_m_s, self.exhaust_velocity_m_s, strict=True
        ):
            mass_ratio = math.exp(dv / ve)
            end += tb
            rows.append((ve * thrust_scale, (1.0 - 1.0 / mass_ratio) / tb, end))
        return np.array(rows)


@dataclass(frozen=True, kw_only=True)
class LaunchSolution:
    """Launch parameters that put the RV on its aim point (dispersions off)."""

    azimuth_rad: float  # launch azimuth, clockwise from north at the launch site
    theta_end_rad: float  # thrust elevation above the launch horizon at thrust termination
    t_cut_s: float  # thrust termination after lift-off, s
    range_m: float  # great-circle ground range launch -> aim
    miss_m: float  # residual miss distance of the solution
    apogee_m: float
    flight_time_s: float
    # the requested shape (:class:`Shape`) missed by this much, in the shape's display unit; 0 when met
    shape_error: float = 0.0
    # the values of the shape's quantity (display unit) the class can fly to this range, as far as the
    # solver's grid of pitches shows them; NaN where not surveyed
    shape_reach: tuple[float, float] = (math.nan, math.nan)
    t_impulse_s: float = 0.0  # de-orbit burn after launch (fractional-orbit weapons; 0: none)
    dv_impulse_m_s: float = 0.0  # its velocity change along the velocity (negative: retro)


def _launch_frame(lat_rad: float, lon_rad: float, azimuth_rad):
    """Pad position (ECEF), up and downrange unit vectors (ECEF) for one or many azimuths."""
    pad = frames.geodetic_to_ecef(lat_rad, lon_rad, 0.0)
    enu = frames.enu_matrix(lat_rad, lon_rad)
    az = np.asarray(azimuth_rad, dtype=np.float64)
    downrange = np.sin(az)[..., None] * enu[0] + np.cos(az)[..., None] * enu[1]
    return pad, enu[2], downrange


def pack_params(
    missile: BallisticMissile,
    *,
    t0_s,
    up_eci,
    downrange_eci,
    theta_end_rad,
    t_cut_s,
    thrust_scale=1.0,
    beta_kg_m2=None,
    t_impulse_s=0.0,
    dv_impulse_m_s=0.0,
) -> np.ndarray:
    """Kernel parameter records (:data:`domesim.core.ballistic.PARAMS`) of B flights of ``missile``,
    shape (B,); the arguments broadcast over B (``up_eci``, ``downrange_eci``: (..., 3) ECI at launch;
    ``thrust_scale`` scales the exhaust velocities; ``beta_kg_m2`` defaults to the class's)."""
    t0 = np.atleast_1d(np.asarray(t0_s, dtype=np.float64))
    b = np.broadcast_shapes(
        t0.shape,
        np.shape(theta_end_rad),
        np.shape(t_cut_s),
        np.shape(thrust_scale),
        np.shape(up_eci)[:-1],
        np.shape(downrange_eci)[:-1],
    )
    n = len(missile.stage_burn_s)
    if n > kernel.MAX_STAGES:
        raise TargetingError(f"{missile.name}: {n} stages; at most {kernel.MAX_STAGES} are supported")
    scale = np.asarray(thrust_scale, dtype=np.float64)[..., None]
    stages = np.zeros((3, kernel.MAX_STAGES))  # rows: exhaust velocity, mass-flow fraction, end of burn
    stages[:, :n] = missile.stage_table().T
    p = kernel.make_records(
        kernel.PARAMS,
        b,
        t0_s=t0,
        beta_kg_m2=missile.reentry_beta_kg_m2 if beta_kg_m2 is None else beta_kg_m2,
        t_vert_s=missile.vertical_rise_s,
        theta_end_rad=theta_end_rad,
        t_cut_s=t_cut_s,
        up_eci=up_eci,
        downrange_eci=downrange_eci,
        n_stages=n,
        t_impulse_s=t_impulse_s,
        dv_impulse_m_s=dv_impulse_m_s,
        pitch_local=missile.pitch_local,
        pitch_exponent=missile.pitch_exponent,
        stage_ve_m_s=stages[0] * scale,
        stage_k_per_s=stages[1],
        stage_end_s=stages[2],
    )
    return p.reshape(-1)


def fly_nominal(
    missile,
    lat_rad,
    lon_rad,
    azimuth,
    theta_end,
    t_cut,
    t_impulse=0.0,
    dv_impulse=0.0,
    max_flight_s=_MAX_FLIGHT_S,
    rotating=True,
):
    """Fly the nominal missile from a pad for arrays of (azimuth, theta_end, t_cut).

    Flights start at t = 0 with ECI = ECEF at t = 0: the dynamics do not depend on the epoch, so a
    solution found here holds for any launch time. Returns a dict of arrays (NaN where no impact):
    impact latitude/longitude (rad), time (s), ECI impact position, burnout ECI state and apogee (m).
    ``rotating=False`` flies over an Earth that does not turn (the pad does not move and the impact
    point is where the flight meets the ellipsoid in inertial space; the air still co-rotates with the
    Earth, which only touches re-entry), the convention of published conversions that leave the Earth's
    rotation out.
    """
    azimuth, theta_end, t_cut, t_impulse = np.broadcast_arrays(azimuth, theta_end, t_cut, t_impulse)
    pad, up, downrange = _launch_frame(lat_rad, lon_rad, azimuth.ravel())
    b = azimuth.size
    r0, v0 = frames.ecef_to_eci_state(pad, np.zeros(3), 0.0) if rotating else (pad, np.zeros(3))
    y0 = np.tile(np.concatenate([r0, v0]), (b, 1))
    params = pack_params(
        missile,
        t0_s=0.0,
        up_eci=up,
        downrange_eci=downrange,
        theta_end_rad=theta_end.ravel(),
        t_cut_s=t_cut.ravel(),
        t_impulse_s=t_impulse.ravel(),
        dv_impulse_m_s=dv_impulse,
    )
    t_out = np.arange(0.0, max_flight_s, 30.0)
    _, _, impact, burnout, status, t_imp, alt = kernel.allocate_and_fly(y0, params, t_out, era0=0.0)
    bad = status != kernel.STATUS_IMPACTED
    impact[bad] = np.nan
    t_imp[bad] = np.nan
    r_ecef = frames.eci_to_ecef(impact[:, :3], frames.OMEGA_EARTH_RAD_S * t_imp * rotating)
    lat, lon, _ = frames.ecef_to_geodetic(r_ecef)
    apogee = _apogee(alt)
    shape = azimuth.shape
    return {
        "lat": lat.reshape(shape),
        "lon": lon.reshape(shape),
        "t_impact": t_imp.reshape(shape),
        "r_impact_eci": impact[:, :3].reshape(shape + (3,)),
        "burnout": burnout.reshape(shape + (6,)),
        "apogee_m": apogee.reshape(shape),
    }


def _apogee(alt: np.ndarray) -> np.ndarray:
    """Highest geodetic height of each row of equally spaced samples (B, T): the vertex of the parabola
    through the highest sample and its neighbours, so that the apogee varies smoothly with the launch
    parameters (the targeting solver differentiates it) instead of stepping from sample to sample."""
    h = np.where(np.isfinite(alt), alt, -np.inf)
    k = np.argmax(h, axis=1)
    rows = np.arange(h.shape[0])
    top = h[rows, k]
    inner = (k > 0) & (k < h.shape[1] - 1)
    before = np.where(inner, h[rows, np.maximum(k - 1, 0)], -np.inf)
    after = np.where(inner, h[rows, np.minimum(k + 1, h.shape[1] - 1)], -np.inf)
    curvature = before - 2.0 * top + after
    fit = inner & np.isfinite(before) & np.isfinite(after) & (curvature < 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        vertex = top - (before - after) ** 2 / (8.0 * curvature)
    return np.where(fit, vertex, np.where(np.isfinite(top), top, np.nan))


def minimum_energy_angle(r1_m, r2_m, psi_rad):
    """Flight-path angle of the minimum-energy ellipse from radius r1 to radius r2 over range angle psi.

    The empty focus of the minimum-energy ellipse lies on the chord, and the velocity bisects the
    angle between the outward radial and the chord, so ``gamma = atan2(r2 sin psi, r1 - r2 cos psi) / 2``
    (for r1 = r2 this is the textbook ``(pi - psi) / 4``, design.md section 6).

    >>> import math
    >>> round(math.degrees(minimum_energy_angle(1.0, 1.0, math.pi / 2)), 6)
    22.5
    """
    return 0.5 * np.arctan2(r2_m * np.sin(psi_rad), r1_m - r2_m * np.cos(psi_rad))


def burnout_angle(flight):
    """Inertial flight-path angle at burnout (above the local horizontal), rad."""
    r_bo, v_bo = flight["burnout"][..., :3], flight["burnout"][..., 3:]
    rb = np.linalg.norm(r_bo, axis=-1)
    return np.arcsin(np.sum(r_bo * v_bo, axis=-1) / (rb * np.linalg.norm(v_bo, axis=-1)))


def loft_angle(flight):
    """Burnout flight-path angle above that of the minimum-energy ellipse to the same impact point, rad."""
    r_bo, r_imp = flight["burnout"][..., :3], flight["r_impact_eci"]
    rb = np.linalg.norm(r_bo, axis=-1)
    ri = np.linalg.norm(r_imp, axis=-1)
    psi = np.arccos(np.clip(np.sum(r_bo * r_imp, axis=-1) / (rb * ri), -1.0, 1.0))
    return burnout_angle(flight) - minimum_energy_angle(rb, ri, psi)


@dataclass(frozen=True)
class Shape:
    """What fixes a trajectory's shape besides its range: one quantity of the flight and its target.

    The targeting solver drives ``measure(flight) - target`` to zero; ``weight`` turns that residual into
    metres so that it counts alike with the miss distance (1 mrad of angle ~ 1 km of miss, 1 s of flight
    time ~ 1 km). ``key`` is the scenario key that asks for it; ``scale`` turns SI into the key's unit.
    """

    key: str
    target: float  # SI: rad, m or s
    measure: Callable[[dict], np.ndarray]
    weight: float  # metres per SI unit of residual
    scale: float  # display unit per SI unit
    tolerance: float  # a solution off by more than this (display unit) does not fly the shape

    def residual(self, flight) -> np.ndarray:
        return (self.measure(flight) - self.target) * self.weight

    def display(self, si) -> float:
        return float(np.asarray(si) * self.scale)


def loft(loft_rad: float = 0.0) -> Shape:
    """Burnout angle ``loft_rad`` above the minimum-energy angle (< 0: depressed); 0: minimum energy."""
    return Shape("loft_deg", loft_rad, loft_angle, 1e6, 180.0 / math.pi, 0.5)


def burnout_angle_of(angle_rad: float) -> Shape:
    """A burnout flight-path angle (inertial, above the local horizontal)."""
    return Shape("burnout_angle_deg", angle_rad, burnout_angle, 1e6, 180.0 / math.pi, 0.5)


def apogee_of(apogee_m: float) -> Shape:
    """An apogee height above the ellipsoid."""
    return Shape("apogee_km", apogee_m, lambda flight: flight["apogee_m"], 1.0, 1e-3, 5.0)


def flight_time_of(flight_time_s: float) -> Shape:
    """A flight time from lift-off to impact."""
    return Shape("flight_time_min", flight_time_s, lambda flight: flight["t_impact"], 1e3, 1.0 / 60.0, 0.1)


# The scenario keys that set a trajectory's shape, each with its Shape from the key's value (key's unit).
SHAPES: dict[str, Callable[[float], Shape]] = {
    "loft_deg": lambda deg: loft(math.radians(deg)),
    "burnout_angle_deg": lambda deg: burnout_angle_of(math.radians(deg)),
    "apogee_km": lambda km: apogee_of(km * 1e3),
    "flight_time_min": lambda minutes: flight_time_of(minutes * 60.0),
}


def initial_azimuth(lat1, lon1, lat2, lon2) -> float:
    """Great-circle initial azimuth from point 1 to point 2 (spherical), rad clockwise from north."""
    return float(initial_azimuths(lat1, lon1, lat2, lon2) % (2.0 * math.pi))


def initial_azimuths(lat1, lon1, lat2, lon2) -> np.ndarray:
    """:func:`initial_azimuth` over arrays of end points (NaN where an end point is NaN)."""
    dlon = lon2 - lon1
    y = np.sin(dlon) * np.cos(lat2)
    x = np.cos(lat1) * np.sin(lat2) - np.sin(lat1) * np.cos(lat2) * np.cos(dlon)
    return np.arctan2(y, x)


def solve_launch(
    missile: BallisticMissile,
    launch_lat_rad: float,
    launch_lon_rad: float,
    aim_lat_rad: float,
    aim_lon_rad: float,
    shape: Shape | None = None,
    tolerance_m: float = 5.0,
) -> LaunchSolution:
    """Find (azimuth, end-of-boost pitch, thrust termination) that hit the aim point with ``shape``.

    ``shape`` (:class:`Shape`) fixes the trajectory's shape: minimum energy by default (the burnout
    flight-path angle, inertial, equals that of the minimum-energy ellipse from the burnout point to the
    impact point, :func:`minimum_energy_angle`), or a loft or depression from it, a burnout angle, an
    apogee or a flight time. The range is set by the thrust termination time. Method: one batch over a
    grid of (pitch, burn time) along the great-circle azimuth, from pitches near the horizon to
    near-vertical, brackets the solution; a damped Newton iteration on (azimuth, pitch, burn) with a
    finite-difference Jacobian (one batch of four flights per step) then removes the miss on the
    rotating, oblate Earth, drag included. Where no pitch gives the shape at this range, the solution
    is the reachable one that needs the shortest burn, with ``shape_error`` and ``shape_reach`` saying
    how far off it is and what the class can fly there: callers treat that as an error.

    Raises
    ------
    TargetingError
        The aim point is beyond the class's reach, or the iteration does not converge.
    """
    shape = shape or loft(0.0)
    target_range = float(
        frames.great_circle_distance_m(launch_lat_rad, launch_lon_rad, aim_lat_rad, aim_lon_rad)
    )
    az0 = initial_azimuth(launch_lat_rad, launch_lon_rad, aim_lat_rad, aim_lon_rad)
    t_burn = missile.boost_time_s
    # pitches from 60 deg below the launch horizon to 1 deg short of vertical: depressed to near-vertical
    thetas = np.radians(np.concatenate([np.arange(-60.0, 84.0, 3.0), np.arange(84.0, 89.5, 1.0)]))
    cuts = np.linspace(missile.vertical_rise_s + 2.0, t_burn, 40)
    th_grid, cut_grid = np.meshgrid(thetas, cuts, indexing="ij")
    grid = fly_nominal(missile, launch_lat_rad, launch_lon_rad, az0, th_grid, cut_grid)
    ranges = np.nan_to_num(
        frames.great_circle_distance_m(launch_lat_rad, launch_lon_rad, grid["lat"], grid["lon"])
    )
    # A near-vertical shot falls behind the pad as the Earth turns under it: not a way to the aim point.
    heading = initial_azimuths(launch_lat_rad, launch_lon_rad, grid["lat"], grid["lon"])
    ranges[np.cos(heading - az0) < 0.0] = 0.0
    shape_res = shape.residual(grid)
    needed = np.full(thetas.size, np.nan)  # burn each pitch needs to reach the range
    residual = np.full(thetas.size, np.nan)  # shape residual there
    for i in range(thetas.size):
        above = np.nonzero(ranges[i] >= target_range)[0]
        if above.size and above[0] > 0:
            j = above[0]
            w = (target_range - ranges[i, j - 1]) / (ranges[i, j] - ranges[i, j - 1])
            needed[i] = cuts[j - 1] + w * (cuts[j] - cuts[j - 1])
            residual[i] = shape_res[i, j - 1] + w * (shape_res[i, j] - shape_res[i, j - 1])
    # Where the full burn's range passes the target range between two pitches, the curve of solutions
    # meets the full burn: the steepest (most lofted) trajectories a class can fly to this range lie
    # there, between grid pitches, so the survey adds those points.
    full = ranges[:, -1] - target_range
    edge = np.nonzero(full[:-1] * full[1:] < 0)[0]
    w_edge = full[edge] / (full[edge] - full[edge + 1])
    thetas = np.concatenate([thetas, thetas[edge] + w_edge * (thetas[edge + 1] - thetas[edge])])
    needed = np.concatenate([needed, np.full(edge.size, t_burn)])
    residual = np.concatenate(
        [residual, shape_res[edge, -1] + w_edge * (shape_res[edge + 1, -1] - shape_res[edge, -1])]
    )
    order = np.argsort(thetas, kind="stable")
    thetas, needed, residual = thetas[order], needed[order], residual[order]
    ok = np.isfinite(needed) & np.isfinite(residual)
    if not ok.any():
        raise TargetingError(
            f"{missile.name}: aim point at {target_range / 1e3:,.0f} km is beyond the class's reach "
            f"(maximum about {ranges.max() / 1e3:,.0f} km with a full {t_burn:.0f} s burn)"
        )
    idx = np.nonzero(ok)[0]
    reach_si = shape.target + residual[idx] / shape.weight  # the shape's quantity at each surveyed pitch
    reach = (shape.display(reach_si.min()), shape.display(reach_si.max()))
    # The pitch where the shape residual changes sign. If there is none (the class cannot fly the
    # requested shape to this range), or the solve from it fails near the edge of the reach, solve at
    # the pitch that needs the shortest burn (the most margin) and record the shape error.
    crossings = [i for i in idx[:-1] if ok[i + 1] and residual[i] * residual[i + 1] <= 0]
    common = {
        "launch": (launch_lat_rad, launch_lon_rad),
        "aim_point": (aim_lat_rad, aim_lon_rad),
        "az": az0,
        "shape": shape,
        "target_range": target_range,
        "tolerance_m": tolerance_m,
    }
    for i in crossings:
        w = residual[i] / (residual[i] - residual[i + 1])
        theta = thetas[i] + w * (thetas[i + 1] - thetas[i])
        t_cut = needed[i] + w * (needed[i + 1] - needed[i])
        try:
            solution = _newton_on_aim(
                missile, theta=float(theta), t_cut=float(t_cut), fix_theta=False, **common
            )
            return replace(solution, shape_reach=reach)
        except TargetingError:
            continue
    i = idx[np.argmin(needed[idx])]
    solution = _newton_on_aim(
        missile, theta=float(thetas[i]), t_cut=float(needed[i]), fix_theta=True, **common
    )
    return replace(solution, shape_reach=reach)


def _newton_on_aim(
    missile, *, launch, aim_point, az, theta, t_cut, shape, fix_theta, target_range, tolerance_m
):
    """Damped Newton on (azimuth, pitch, burn) -> (miss east, miss north, shape residual).

    ``launch``, ``aim_point``: (lat, lon), rad. With ``fix_theta`` the pitch is held and only (azimuth,
    burn) are solved for the miss.
    """
    lat0, lon0 = launch
    aim_lat, aim_lon = aim_point
    enu_aim = frames.enu_matrix(aim_lat, aim_lon)[:2]
    aim = frames.geodetic_to_ecef(aim_lat, aim_lon, 0.0)
    t_min, t_max = missile.vertical_rise_s + 1.0, missile.boost_time_s
    steps = np.array([1e-5, 1e-5, 0.01])  # finite-difference steps: rad, rad, s
    theta_max = math.radians(89.9)  # the pitch program is not defined beyond vertical

    def residuals(x):
        flight = fly_nominal(missile, lat0, lon0, x[:, 0], x[:, 1], x[:, 2])
        offset = frames.geodetic_to_ecef(flight["lat"], flight["lon"], 0.0) - aim
        flight["distance"] = np.linalg.norm(offset, axis=-1)  # unlike east/north, not zero at the antipode
        miss = offset @ enu_aim.T
        return np.hstack([miss, shape.residual(flight)[:, None]]), flight

    x = np.array([az, theta, t_cut])
    free = [0, 2] if fix_theta else [0, 1, 2]
    for _ in range(40):
        probes = np.tile(x, (4, 1))
        probes[1:, :] += np.diag(steps)
        if probes[2, 1] > theta_max:  # difference backwards at the vertical end
            probes[2, 1] = x[1] - steps[1]
        res, flight = residuals(probes)
        miss = float(flight["distance"][0])
        if not np.isfinite(res).all():
            break
        norm = float(np.linalg.norm(res[0, : 2 if fix_theta else 3]))
        if miss <= tolerance_m and (fix_theta or abs(res[0, 2]) < 10.0):
            return LaunchSolution(
                azimuth_rad=float(x[0] % (2 * math.pi)),
                theta_end_rad=float(x[1]),
                t_cut_s=float(x[2]),
                range_m=target_range,
                miss_m=miss,
                apogee_m=float(flight["apogee_m"][0]),
                flight_time_s=float(flight["t_impact"][0]),
                shape_error=shape.display(res[0, 2] / shape.weight),
            )
        rows = [0, 1] if fix_theta else [0, 1, 2]
        diffs = (res[1:] - res[0]) / steps[:, None]
        if probes[2, 1] < x[1]:
            diffs[1] = -diffs[1]
        jac = diffs.T[np.ix_(rows, free)]
        step = np.zeros(3)
        step[free] = np.linalg.lstsq(jac, -res[0, rows], rcond=None)[0]
        for _ in range(10):  # halve the step until the residual shrinks
            trial_x = x + step
            trial_x[1] = min(trial_x[1], theta_max)
            trial_x[2] = np.clip(trial_x[2], t_min, t_max)
            trial, _ = residuals(trial_x[None, :])
            if np.isfinite(trial).all() and np.linalg.norm(trial[0, rows]) < norm:
                break
            step = step / 2
        x = trial_x
    raise TargetingError(
        f"{missile.name}: targeting did not converge for a {target_range / 1e3:,.0f} km shot "
        f"(the aim point may be at the edge of the class's reach)"
    )


@dataclass(frozen=True, kw_only=True)
class ThreatObject:
    """One launched missile with its nominal launch solution and, optionally, a bus payload.

    Without ``releases`` the missile's single object is its RV (lethal from launch to impact). With
    them, the missile's own object is the bus (not lethal) and each release is an object of its own.
    """

    name: str
    missile: BallisticMissile
    launch_lat_rad: float
    launch_lon_rad: float
    aim_lat_rad: float
    aim_lon_rad: float
    launch_t_s: float
    solution: LaunchSolution
    azimuth_sigma_rad: float = 0.0
    pitch_sigma_rad: float = 0.0
    thrust_sigma_frac: float = 0.0
    beta_sigma_frac: float = 0.0
    releases: tuple[Release, ...] = ()
    rv_ir_factor: float = 1.0  # without releases: the factor on its RV's infrared brightness outside boost

    def objects(self) -> list[ObjectInfo]:
        """The simulated objects of this missile, in the order of the engine's object axis."""
        sol = self.solution

        def info(name: str, kind: str, lethal: bool, aim_lat: float, aim_lon: float, **seen) -> ObjectInfo:
            return ObjectInfo(
                name=name,
                kind=kind,
                lethal=lethal,
                threat=self,
                aim_lat_rad=aim_lat,
                aim_lon_rad=aim_lon,
                threat_class=self.missile.name,
                launch_t_s=self.launch_t_s,
                nominal_impact_t_s=self.launch_t_s + sol.flight_time_s,
                range_m=sol.range_m,
                apogee_m=sol.apogee_m,
                **seen,
            )

        if self.releases:
            main = info(f"{self.name} bus", "bus", False, self.aim_lat_rad, self.aim_lon_rad)
        else:
            rv_ir = self.rv_ir_factor
            main = info(self.name, "rv", True, self.aim_lat_rad, self.aim_lon_rad, ir_factor=rv_ir)
        return [main] + [
            info(
                r.name,
                r.kind,
                r.lethal,
                r.aim_lat_rad,
                r.aim_lon_rad,
                signature=r.signature,
                ir_factor=r.ir_factor,
                discriminable=r.discriminable,
            )
            for r in self.releases
        ]


@dataclass(frozen=True, kw_only=True)
class ObjectInfo:
    """What one simulated object is: its name, kind and whether it carries a warhead."""

    name: str
    kind: str  # "rv", "bus", a penetration aid's signature class, "hgv", "cruise"
    lethal: bool
    threat: object  # the missile (or glide vehicle, cruise missile) it belongs to
    aim_lat_rad: float
    aim_lon_rad: float
    threat_class: str  # catalogue id of the class
    launch_t_s: float
    nominal_impact_t_s: float
    range_m: float
    apogee_m: float
    # how the sensors see it (countermeasures, build/countermeasures.py): the signature class of its radar
    # cross-sections and infrared brightness ("": its kind), a factor on its infrared brightness outside
    # boost (a cooled shroud), and whether the battle manager can tell it from an RV (anti-simulation)
    signature: str = ""
    ir_factor: float = 1.0
    discriminable: bool = True

    @property
    def seen_as(self) -> str:
        """The signature class the sensors see: its ``signature``, else its kind."""
        return self.signature or self.kind


def nominal_states(
    missile: BallisticMissile, lat_rad: float, lon_rad: float, solution: LaunchSolution, t_after_launch_s
) -> np.ndarray:
    """ECI states (K, 6) of the nominal flight at times after a launch at t = 0 (ECI = ECEF at t = 0)."""
    pad, up, downrange = _launch_frame(lat_rad, lon_rad, solution.azimuth_rad)
    r0, v0 = frames.ecef_to_eci_state(pad, np.zeros(3), 0.0)
    params = pack_params(
        missile,
        t0_s=0.0,
        up_eci=up,
        downrange_eci=downrange,
        theta_end_rad=solution.theta_end_rad,
        t_cut_s=solution.t_cut_s,
        t_impulse_s=solution.t_impulse_s,
        dv_impulse_m_s=solution.dv_impulse_m_s,
    )
    t_out = np.sort(np.atleast_1d(np.asarray(t_after_launch_s, dtype=np.float64)))
    state, *_ = kernel.allocate_and_fly(np.concatenate([r0, v0])[None, :], params, t_out)
    return state[0]


def fly_threats(
    objects: list[ThreatObject],
    grid: TimeGrid,
    rng: np.random.Generator | None,
    trials: int,
    rtol: float = 1e-8,
    atol: float = 1e-3,
) -> ThreatBatch:
    """Fly every object of every trial on the grid, drawing dispersions from ``rng``.

    The dispersion draws are (trials, objects) arrays drawn in a fixed order, so a trial's
    trajectories do not depend on how trials are grouped into chunks.
    """
    n = len(objects)
    t_s = grid.t_s
    y0 = np.empty((trials, n, 6))
    params = np.empty((trials, n), dtype=kernel.PARAMS)
    era0 = frames.earth_rotation_angle(0.0, grid.epoch_jd)
    shape = (trials, n)
    if rng is not None:
        z_az, z_pitch, z_thrust, z_beta = (rng.standard_normal(shape) for _ in range(4))
    else:
        z_az = z_pitch = z_thrust = z_beta = np.zeros(shape)
    for j, obj in enumerate(objects):
        sol = obj.solution
        azimuth = sol.azimuth_rad + obj.azimuth_sigma_rad * z_az[:, j]
        pad, up, downrange = _launch_frame(obj.launch_lat_rad, obj.launch_lon_rad, azimuth)
        era = era0 + frames.OMEGA_EARTH_RAD_S * obj.launch_t_s
        r0, v0 = frames.ecef_to_eci_state(pad, np.zeros(3), era)
        y0[:, j, :3], y0[:, j, 3:] = r0, v0
        rot = frames.rotation_z(era)
        beta = obj.missile.reentry_beta_kg_m2 * np.exp(obj.beta_sigma_frac * z_beta[:, j])
        params[:, j] = pack_params(
            obj.missile,
            t0_s=np.full(trials, obj.launch_t_s),
            up_eci=np.broadcast_to(rot @ up, (trials, 3)),
            downrange_eci=np.sum(
                downrange[:, None, :] * rot[None], axis=-1
            ),  # row by row: BLAS rounds by size
            theta_end_rad=sol.theta_end_rad + obj.pitch_sigma_rad * z_pitch[:, j],
            t_cut_s=np.full(trials, sol.t_cut_s),
            thrust_scale=1.0 + obj.thrust_sigma_frac * z_thrust[:, j],
            beta_kg_m2=beta,
            t_impulse_s=sol.t_impulse_s,
            dv_impulse_m_s=sol.dv_impulse_m_s,
        )
    flat_y0, flat_params = y0.reshape(-1, 6), params.reshape(-1)
    state, phase, impact, _, status, t_imp, alt = kernel.allocate_and_fly(
        flat_y0, flat_params, t_s, rtol, atol, era0=float(era0)
    )
    main = _batch(t_s, state, phase, alt, impact, status, t_imp, era0, trials, n)
    if not any(obj.releases for obj in objects):
        return main
    return _with_releases(objects, main, flat_y0, flat_params, t_s, era0, rng, trials, rtol, atol)


def _batch(t_s, state, phase, alt, impact, status, t_imp, era0, trials, n) -> ThreatBatch:
    """Shape the kernel's flat (trials * n) outputs into a ThreatBatch."""
    state = state.reshape(trials, n, t_s.size, 6)
    impact_era = era0 + frames.OMEGA_EARTH_RAD_S * np.nan_to_num(t_imp)
    lat_i, lon_i, _ = frames.ecef_to_geodetic(frames.eci_to_ecef(impact[:, :3], impact_era))
    shape = (trials, n)
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


def _with_releases(objects, main, flat_y0, flat_params, t_s, era0, rng, trials, rtol, atol) -> ThreatBatch:
    """Fly the objects released by buses and interleave them after their bus on the object axis."""
    n = len(objects)
    jobs = [(j, rel) for j, obj in enumerate(objects) for rel in obj.releases]
    t_release = np.array([objects[j].launch_t_s + rel.t_after_launch_s for j, rel in jobs])
    times = np.unique(t_release)
    # Each bus's ECI state at every release time (same launches and dispersions as the main flight).
    bus_state, *_ = kernel.allocate_and_fly(flat_y0, flat_params, times, rtol, atol)
    bus_state = bus_state.reshape(trials, n, times.size, 6)
    k = len(jobs)
    spread = rng.standard_normal((trials, k, 3)) if rng is not None else np.zeros((trials, k, 3))
    y0 = np.empty((trials, k, 6))
    for i, (j, rel) in enumerate(jobs):
        state = bus_state[:, j, np.searchsorted(times, t_release[i])]
        y0[:, i] = released_state(state, np.asarray(rel.dv_local_m_s) + rel.spread_m_s * spread[:, i])
    params = unpowered_params(
        np.tile(t_release, trials), np.tile([rel.beta_kg_m2 for _, rel in jobs], trials)
    )
    state, phase, impact, _, status, t_imp, alt = kernel.allocate_and_fly(
        y0.reshape(-1, 6), params, t_s, rtol, atol, era0=float(era0)
    )
    released = _batch(t_s, state, phase, alt, impact, status, t_imp, era0, trials, k)
    # A bus between burnout and its last release is in the post-boost phase.
    for j, obj in enumerate(objects):
        if obj.releases:
            last = obj.launch_t_s + max(rel.t_after_launch_s for rel in obj.releases)
            burnout = obj.launch_t_s + obj.solution.t_cut_s
            window = (t_s > burnout) & (t_s <= last)
            main.phase[:, j, window] = np.where(
                main.phase[:, j, window] == kernel.PHASE_IMPACTED,
                kernel.PHASE_IMPACTED,
                kernel.PHASE_POSTBOOST,
            )
    # Object axis: each missile's own object, then its releases (joined: main 0..n-1, released n..n+k-1).
    columns = []
    for j in range(n):
        columns.append(j)
        columns += [n + i for i, (owner, _) in enumerate(jobs) if owner == j]
    return join([main, released], np.array(columns))
