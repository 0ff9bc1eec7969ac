"""Post-boost vehicle payloads: re-entry vehicles released to separate aim points, and penetration aids.

After burnout the bus (post-boost vehicle) releases its RVs one by one, ``release_interval_s`` apart;
each RV gets the small velocity change that puts it on its own aim point (solved here once, on the
nominal flight). Each decoy is released with an RV and the same velocity change plus a small random
scatter, so it shares that RV's midcourse path in vacuum and separates from it in the atmosphere,
where its lower ballistic coefficient slows it (drag ~ 1 / beta).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from domesim.core import ballistic as kernel
from domesim.core import frames
from domesim.errors import TargetingError


@dataclass(frozen=True)
class Release:
    """One object released by a bus: an RV (lethal) or a penetration aid."""

    name: str
    kind: str  # "rv", or the penetration aid's signature class ("light_decoy", "balloon", "debris")
    lethal: bool
    t_after_launch_s: float
    dv_local_m_s: tuple[float, float, float]  # along the bus velocity, across its orbit plane, completing
    beta_kg_m2: float
    spread_m_s: float = 0.0  # 1-sigma per-trial velocity scatter (decoys)
    aim_lat_rad: float = math.nan  # the aim point of the RV (a decoy: of the RV it accompanies)
    aim_lon_rad: float = math.nan
    # how the sensors see it (build/countermeasures.py): the signature class whose radar cross-sections
    # and infrared brightness it has ("": its kind), a factor on its infrared brightness outside boost,
    # and whether the battle manager can tell it from the RVs at all (a decoy of an anti-simulation RV)
    signature: str = ""
    ir_factor: float = 1.0
    discriminable: bool = True


def local_axes(r_eci: np.ndarray, v_eci: np.ndarray) -> np.ndarray:
    """Rows: unit vectors along v, along r x v (cross-track), and completing the set; shape (..., 3, 3)."""
    along = v_eci / np.linalg.norm(v_eci, axis=-1, keepdims=True)
    cross = np.cross(r_eci, v_eci)
    cross = cross / np.linalg.norm(cross, axis=-1, keepdims=True)
    return np.stack([along, cross, np.cross(along, cross)], axis=-2)


def released_state(bus_state_eci: np.ndarray, dv_local_m_s) -> np.ndarray:
    """State (..., 6) of an object released from a bus state (..., 6) with a local velocity change."""
    axes = local_axes(bus_state_eci[..., :3], bus_state_eci[..., 3:])
    dv = np.einsum("...i,...ij->...j", np.asarray(dv_local_m_s, dtype=np.float64), axes)
    out = np.array(bus_state_eci, dtype=np.float64, copy=True)
    out[..., 3:] += dv
    return out


def unpowered_params(t0_s, beta_kg_m2) -> np.ndarray:
    """Kernel parameter records (:data:`domesim.core.ballistic.PARAMS`) of released (unpowered) objects."""
    t0 = np.atleast_1d(np.asarray(t0_s, dtype=np.float64))
    return kernel.make_records(kernel.PARAMS, t0.shape, t0_s=t0, beta_kg_m2=beta_kg_m2)


def solve_release_dv(
    bus_state_eci: np.ndarray,
    t_release_s: float,
    aim_lat_rad: float,
    aim_lon_rad: float,
    beta_kg_m2: float,
    name: str,
    tolerance_m: float = 5.0,
) -> tuple[float, float, float]:
    """Velocity change (along, cross, 0) that puts an object released at ``t_release_s`` on the aim point.

    The bus state is in the ECI frame that coincides with ECEF at t = 0 (as in the targeting solver).
    Damped Newton on (along, cross) with a finite-difference Jacobian, one batch of three flights
    per step. Raises :class:`TargetingError` when the aim point is out of the bus's reach.
    """
    enu = frames.enu_matrix(aim_lat_rad, aim_lon_rad)[:2]
    aim = frames.geodetic_to_ecef(aim_lat_rad, aim_lon_rad, 0.0)
    t_out = np.array([t_release_s + 6000.0])

    def miss(dvs: np.ndarray) -> np.ndarray:
        y0 = released_state(
            np.broadcast_to(bus_state_eci, (len(dvs), 6)), np.column_stack([dvs, np.zeros(len(dvs))])
        )
        params = unpowered_params(np.full(len(dvs), t_release_s), beta_kg_m2)
        _, _, impact, _, status, t_imp = kernel.allocate_and_fly(y0, params, t_out)
        r_ecef = frames.eci_to_ecef(impact[:, :3], frames.OMEGA_EARTH_RAD_S * t_imp)
        lat, lon, _ = frames.ecef_to_geodetic(r_ecef)
        offset = frames.geodetic_to_ecef(lat, lon, 0.0) - aim
        # east/north drive Newton; the full distance (not zero at the antipode) decides convergence
        out = np.column_stack([offset @ enu.T, np.linalg.norm(offset, axis=-1)])
        out[status != kernel.STATUS_IMPACTED] = np.nan
        return out

    dv = np.zeros(2)
    step_fd = 0.01  # m/s
    for _ in range(30):
        res = miss(np.array([dv, dv + [step_fd, 0.0], dv + [0.0, step_fd]]))
        if not np.isfinite(res).all():
            break
        norm = float(np.hypot(*res[0, :2]))
        if res[0, 2] <= tolerance_m:
            return float(dv[0]), float(dv[1]), 0.0
        jac = np.column_stack([(res[1, :2] - res[0, :2]) / step_fd, (res[2, :2] - res[0, :2]) / step_fd])
        step = np.linalg.solve(jac, -res[0, :2])
        for _ in range(10):
            trial = miss((dv + step)[None, :])
            if np.isfinite(trial).all() and np.hypot(*trial[0, :2]) < norm:
                break
            step = step / 2
        dv = dv + step
        if np.hypot(*dv) > 2000.0:
            break
    raise TargetingError(
        f"{name}: no release velocity change of the bus puts it on its aim point "
        f"({math.degrees(aim_lat_rad):.2f}, {math.degrees(aim_lon_rad):.2f}); "
        "aim points of one missile's RVs must lie near each other"
    )
