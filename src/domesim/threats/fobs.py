"""Fractional orbital bombardment: a booster puts the warhead into a low orbit, it flies part of a
revolution (either way round the Earth: over the South Pole for a southern approach), a de-orbit burn
lowers its perigee into the atmosphere, and it re-enters onto the aim point.

The flight is the ballistic kernel's (staged boost, J2, drag) with one impulsive retro burn; this
module only finds the launch parameters: the end-of-boost pitch and burn that leave the vehicle in
horizontal flight with the class's orbit apogee, then the azimuth and de-orbit time that put the
re-entry on the aim point.
"""

from __future__ import annotations

import math

import numpy as np

from domesim.core import frames
from domesim.core.constants import GM_EARTH_M3_S2, R_EARTH_EQ_M
from domesim.errors import TargetingError
from domesim.threats.ballistic import BallisticMissile, LaunchSolution, fly_nominal, initial_azimuth

_ORBIT_FLIGHT_S = 12000.0  # long enough for 1.5 revolutions in low orbit plus re-entry


def _insertion_residuals(missile, lat, lon, az, x, apogee_alt_m):
    """Residuals of pitch/burn pairs x (K, 2): burnout flight-path angle, and the burnout speed's excess
    over the perigee speed of an orbit from the burnout radius to the apogee radius (which makes the
    burnout point the perigee); also the perigee altitude, m."""
    flight = fly_nominal(missile, lat, lon, az, x[:, 0], x[:, 1], max_flight_s=60.0 + missile.boost_time_s)
    r, v = flight["burnout"][:, :3], flight["burnout"][:, 3:]
    rn, vn = np.linalg.norm(r, axis=-1), np.linalg.norm(v, axis=-1)
    gamma = np.arcsin(np.sum(r * v, axis=-1) / (rn * vn))
    r_apogee = R_EARTH_EQ_M + apogee_alt_m
    v_perigee = np.sqrt(GM_EARTH_M3_S2 * (2.0 / rn - 2.0 / (rn + r_apogee)))
    return np.column_stack([gamma, vn / v_perigee - 1.0]), rn - R_EARTH_EQ_M


def solve_insertion(missile: BallisticMissile, lat: float, lon: float, az: float, apogee_alt_m: float):
    """Pitch and burn that leave it in horizontal flight with the given apogee: (theta, t_cut, perigee_m)."""
    x = np.array([math.radians(-3.0), missile.boost_time_s - 5.0])
    steps = np.array([1e-5, 1e-3])
    for _ in range(40):
        probes = np.vstack([x, x + [steps[0], 0.0], x + [0.0, steps[1]]])
        res, alt = _insertion_residuals(missile, lat, lon, az, probes, apogee_alt_m)
        if not np.isfinite(res).all():
            break
        if abs(res[0, 0]) < 1e-6 and abs(res[0, 1]) < 1e-6:
            return float(x[0]), float(x[1]), float(alt[0])
        jac = ((res[1:] - res[0]) / steps[:, None]).T
        try:
            step = np.linalg.solve(jac, -res[0])
        except np.linalg.LinAlgError:  # the miss does not change with azimuth or time here: no way on
            break
        x = x + np.clip(step, [-0.05, -10.0], [0.05, 10.0])
        x[1] = min(x[1], missile.boost_time_s)
    raise TargetingError(
        f"{missile.name}: the booster cannot reach an orbit with a {apogee_alt_m / 1e3:.0f} km "
        "apogee (more delta-v, or a lower orbit, is needed)"
    )


def solve_fobs(
    missile: BallisticMissile,
    apogee_alt_m: float,
    min_perigee_alt_m: float,
    deorbit_dv_m_s: float,
    launch_lat: float,
    launch_lon: float,
    aim_lat: float,
    aim_lon: float,
    long_way: bool,
    tolerance_m: float = 5.0,
) -> LaunchSolution:
    """Launch azimuth, boost and de-orbit time that put a fractional-orbit warhead on the aim point.

    ``long_way`` flies the far way round (e.g. over the South Pole for a launch north of the target).
    The insertion depends on the azimuth (the Earth's rotation adds to or takes from the orbital
    speed), so insertion and aiming are solved in turn until the azimuth settles.
    """
    az = (initial_azimuth(launch_lat, launch_lon, aim_lat, aim_lon) + (math.pi if long_way else 0.0)) % (
        2 * math.pi
    )
    t_d = None
    for _ in range(6):
        theta, t_cut, perigee = solve_insertion(missile, launch_lat, launch_lon, az, apogee_alt_m)
        if perigee < min_perigee_alt_m:
            raise TargetingError(
                f"{missile.name}: insertion perigee {perigee / 1e3:.0f} km is below "
                f"{min_perigee_alt_m / 1e3:.0f} km: the orbit would decay during the partial revolution"
            )
        solution = _aim(
            missile,
            theta=theta,
            t_cut=t_cut,
            deorbit_dv_m_s=deorbit_dv_m_s,
            launch=(launch_lat, launch_lon),
            aim_point=(aim_lat, aim_lon),
            az=az,
            t_d=t_d,
            tolerance_m=tolerance_m,
        )
        settled = abs(math.remainder(solution.azimuth_rad - az, 2 * math.pi)) < 1e-6
        az, t_d = solution.azimuth_rad, solution.t_impulse_s
        if settled:
            return solution
    raise TargetingError(f"{missile.name}: fractional-orbit targeting did not settle for this aim point")


def _aim(missile, *, theta, t_cut, deorbit_dv_m_s, launch, aim_point, az, t_d, tolerance_m):
    """Newton on (azimuth, de-orbit time) for a given insertion; a scan of de-orbit times starts it.

    ``launch`` and ``aim_point``: (lat, lon), rad.
    """
    launch_lat, launch_lon = launch
    aim_lat, aim_lon = aim_point
    enu = frames.enu_matrix(aim_lat, aim_lon)[:2]
    aim = frames.geodetic_to_ecef(aim_lat, aim_lon, 0.0)

    def miss(azs, t_ds):
        """East/north miss at the aim point (Newton's residual) and the full distance (which, unlike the
        east/north pair, does not vanish at the aim point's antipode)."""
        f = fly_nominal(
            missile, launch_lat, launch_lon, azs, theta, t_cut, t_ds, -deorbit_dv_m_s, _ORBIT_FLIGHT_S
        )
        d = frames.geodetic_to_ecef(f["lat"], f["lon"], 0.0) - aim
        f["distance"] = np.linalg.norm(d, axis=-1)
        return d @ enu.T, f

    if t_d is None:  # scan de-orbit times over 1.5 revolutions along this plane; start from the closest
        t_scan = np.arange(t_cut + 60.0, t_cut + 8000.0, 20.0)
        _, scan = miss(np.full(t_scan.size, az), t_scan)
        if not np.isfinite(scan["distance"]).any():
            raise TargetingError(f"{missile.name}: no de-orbit time brings the warhead down")
        t_d = float(t_scan[np.nanargmin(scan["distance"])])
    x = np.array([az, t_d])
    steps = np.array([1e-5, 0.05])
    for _ in range(40):
        res, flight = miss(np.array([x[0], x[0] + steps[0], x[0]]), np.array([x[1], x[1], x[1] + steps[1]]))
        if not np.isfinite(res).all():
            break
        norm = float(np.hypot(*res[0]))
        if flight["distance"][0] <= tolerance_m:
            range_m = float(frames.great_circle_distance_m(launch_lat, launch_lon, aim_lat, aim_lon))
            return LaunchSolution(
                azimuth_rad=float(x[0] % (2 * math.pi)),
                theta_end_rad=theta,
                t_cut_s=t_cut,
                range_m=range_m,
                miss_m=float(flight["distance"][0]),
                apogee_m=float(flight["apogee_m"][0]),
                flight_time_s=float(flight["t_impact"][0]),
                t_impulse_s=float(x[1]),
                dv_impulse_m_s=-deorbit_dv_m_s,
            )
        jac = ((res[1:] - res[0]) / steps[:, None]).T
        try:
            step = np.linalg.solve(jac, -res[0])
        except np.linalg.LinAlgError:  # the miss does not change with azimuth or time here: no way on
            break
        for _ in range(10):
            trial, _ = miss(np.array([x[0] + step[0]]), np.array([x[1] + step[1]]))
            if np.isfinite(trial).all() and np.hypot(*trial[0]) < norm:
                break
            step = step / 2
        x = x + step
    raise TargetingError(f"{missile.name}: fractional-orbit targeting did not converge for this aim point")
