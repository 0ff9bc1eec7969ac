"""Glide integration: domesim's batched numba glider against per-trajectory ``solve_ivp``, same guidance.

Set-up:

- Vehicle: the catalogue's ``hgv_regional`` (data/glide.toml), launched from 40 N 120 E towards an aim point
  1,800 km away at azimuth 60 deg, with a 15 deg launch-azimuth dog-leg the glider steers out by bank.
- Monte Carlo, fixed seed: booster azimuth 0.2 deg, pitch 0.2 deg, thrust 1 %, glider L/D 5 % and beta 10 %
  (log-normal), aim error 200 m per axis. Member 0 is the nominal flight. The boosts are flown once by
  domesim's booster kernel; every candidate then flies the same gliders from the same burnout states.
- Work: one glide from burnout to the ground (pull-up, guided equilibrium glide with cross-range steering,
  proportional-navigation dive), rotating Earth, J2, drag and lift against the co-rotating air.
- Peer: the kernel's dynamics and guidance written in plain Python floats (the style of bench_ballistic's
  peer), integrated by ``solve_ivp(method="RK45", rtol=1e-8, atol=1e-3)``, one call per guidance mode with
  terminal events at the mode changes (end of the pull-up, start of the dive) and at the ground.
  domesim: ``allocate_and_glide`` over all members, the same Dormand-Prince 5(4) pair at the same
  tolerances, events located by bisection; outputs at t = 0 and at the end (the impact comes from the
  event). A third row times the whole generator, ``fly_gliders``: boost and glide of every member with
  states on a 2 s grid, as the engine consumes them.
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources

import numpy as np
from scipy.integrate import solve_ivp

import harness
from domesim.core import ballistic as bal
from domesim.core import frames
from domesim.core import glide as gk
from domesim.core.constants import (
    E2_EARTH,
    GM_EARTH_M3_S2,
    J2_EARTH,
    OMEGA_EARTH_RAD_S,
    R_EARTH_EQ_M,
    RHO0_KG_M3,
    SCALE_HEIGHT_M,
)
from domesim.core.timegrid import TimeGrid
from domesim.core.units import to_si
from domesim.threats import glide as tg

LAT_DEG, LON_DEG, AIM_AZ_DEG, RANGE_KM, DOGLEG_DEG = 40.0, 120.0, 60.0, 1800.0, 15.0
SIGMAS = dict(
    azimuth_sigma_rad=math.radians(0.2),
    pitch_sigma_rad=math.radians(0.2),
    thrust_sigma_frac=0.01,
    ld_sigma_frac=0.05,
    beta_sigma_frac=0.10,
    aim_sigma_m=200.0,
)
SEED = 20261123
N_MEMBERS, N_PEER = 2_000, 10
T_END_S = 1500.0  # after every member's impact
RTOL, ATOL = 1e-8, 1e-3
REF_RTOL, REF_ATOL = 1e-12, 1e-9
EPOCH = "2026-01-01T00:00:00Z"

_B_OVER_A = math.sqrt(1.0 - E2_EARTH)
_J2_K = 1.5 * J2_EARTH * R_EARTH_EQ_M**2


def _sci(x: float) -> str:
    return f"{x:.0e}".replace("e-0", "e-")


def _vehicle() -> tg.GlideVehicle:
    """``hgv_regional`` from data/glide.toml, SI (read directly: the catalogue loader lists its files)."""
    entry = tomllib.loads((resources.files("domesim") / "data" / "glide.toml").read_text())["threat"][
        "hgv_regional"
    ]
    p = {}
    for key, item in entry.items():
        if isinstance(item, dict) and "value" in item:
            v = item["value"]
            p[key] = [to_si(key, x) for x in v] if isinstance(v, list) else to_si(key, v)
    return tg.GlideVehicle.from_params("hgv_regional", p)


def members(n: int):
    """Burnout states (n, 6) ECI at the common burnout time, glider parameter records (n,), the
    generator's object list and grid. Member 0 is the nominal."""
    vehicle = _vehicle()
    lat, lon = math.radians(LAT_DEG), math.radians(LON_DEG)
    aim = tg._destination(lat, lon, math.radians(AIM_AZ_DEG), RANGE_KM * 1e3)
    sol = tg.solve_glide(vehicle, lat, lon, aim[0], aim[1], math.radians(DOGLEG_DEG))
    obj = tg.GlideObject(
        name="hgv",
        vehicle=vehicle,
        launch_lat_rad=lat,
        launch_lon_rad=lon,
        aim_lat_rad=aim[0],
        aim_lon_rad=aim[1],
        launch_t_s=0.0,
        solution=sol,
        **SIGMAS,
    )
    rng = np.random.default_rng(SEED)
    z = {name: rng.standard_normal(n) for name in ("az", "pitch", "thrust", "ld", "beta", "east", "north")}
    for v in z.values():
        v[0] = 0.0
    enu = frames.enu_matrix(aim[0], aim[1])
    aim_ecef = frames.geodetic_to_ecef(aim[0], aim[1], 0.0) + SIGMAS["aim_sigma_m"] * (
        z["east"][:, None] * enu[0] + z["north"][:, None] * enu[1]
    )
    y0, pb, pg = tg._pack(
        vehicle,
        lat,
        lon,
        launch_t=0.0,
        azimuth=sol.azimuth_rad + SIGMAS["azimuth_sigma_rad"] * z["az"],
        theta_end=sol.theta_end_rad + SIGMAS["pitch_sigma_rad"] * z["pitch"],
        thrust_scale=1.0 + SIGMAS["thrust_sigma_frac"] * z["thrust"],
        era0=0.0,
        aim_ecef=aim_ecef,
        ld_scale=np.exp(SIGMAS["ld_sigma_frac"] * z["ld"]),
        beta_scale=np.exp(SIGMAS["beta_sigma_frac"] * z["beta"]),
    )
    burnout = bal.allocate_and_fly(y0, pb, np.array([vehicle.boost_time_s + 1.0]), era0=0.0)[3]
    return burnout, pg, obj, TimeGrid(EPOCH, 2.0, T_END_S)


# ---- peer: the kernel's dynamics and guidance in plain Python, as a solve_ivp user would write it --------


def altitude(x: float, y: float, z: float) -> float:
    r = math.sqrt(x * x + y * y + z * z)
    return r - R_EARTH_EQ_M * _B_OVER_A / math.sqrt(1.0 - E2_EARTH * (1.0 - (z / r) ** 2))


def _aim(p, t: float):
    c, s = math.cos(OMEGA_EARTH_RAD_S * t), math.sin(OMEGA_EARTH_RAD_S * t)  # ERA = 0 at t = 0
    ax, ay, az = p["aim_ecef"][0], p["aim_ecef"][1], p["aim_ecef"][2]
    return c * ax - s * ay, s * ax + c * ay, az


def _togo(x, y, z, p, t):
    ax, ay, az = _aim(p, t)
    cross = math.sqrt((y * az - z * ay) ** 2 + (z * ax - x * az) ** 2 + (x * ay - y * ax) ** 2)
    return math.sqrt(ax * ax + ay * ay + az * az) * math.atan2(cross, x * ax + y * ay + z * az)


def rhs(t: float, s: np.ndarray, p, mode: int) -> np.ndarray:
    x, y, z, vx, vy, vz = s.tolist()
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    mu_r3 = GM_EARTH_M3_S2 / (r2 * r)
    k = _J2_K / r2
    z2r2 = z * z / r2
    gxy = -mu_r3 * (1.0 + k * (1.0 - 5.0 * z2r2))
    gx, gy, gz = gxy * x, gxy * y, -mu_r3 * (1.0 + k * (3.0 - 5.0 * z2r2)) * z
    ax, ay, az = gx, gy, gz
    h = altitude(x, y, z)
    vrx, vry, vrz = vx + OMEGA_EARTH_RAD_S * y, vy - OMEGA_EARTH_RAD_S * x, vz
    v = math.sqrt(vrx * vrx + vry * vry + vrz * vrz)
    drag = 0.5 * RHO0_KG_M3 * math.exp(-h / SCALE_HEIGHT_M) * v * v / p["beta_kg_m2"]
    ex, ey, ez = vrx / v, vry / v, vrz / v
    ax, ay, az = ax - drag * ex, ay - drag * ey, az - drag * ez
    l_max = p["ld_max"] * drag
    if mode == gk.MODE_DIVE:
        tx, ty, tz = _aim(p, t)
        rx, ry, rz = tx - x, ty - y, tz - z
        rn2 = rx * rx + ry * ry + rz * rz
        ox, oy, oz = (-ry * vrz + rz * vry) / rn2, (-rz * vrx + rx * vrz) / rn2, (-rx * vry + ry * vrx) / rn2
        lx = gk.N_PN * (oy * vrz - oz * vry)
        ly = gk.N_PN * (oz * vrx - ox * vrz)
        lz = gk.N_PN * (ox * vry - oy * vrx)
        g_along = gx * ex + gy * ey + gz * ez
        lx, ly, lz = lx - (gx - g_along * ex), ly - (gy - g_along * ey), lz - (gz - g_along * ez)
        along = lx * ex + ly * ey + lz * ez
        lx, ly, lz = lx - along * ex, ly - along * ey, lz - along * ez
        mag = math.sqrt(lx * lx + ly * ly + lz * lz)
        f = min(1.0, l_max / mag) if mag > 0.0 else 0.0
        return np.array([vx, vy, vz, ax + f * lx, ay + f * ly, az + f * lz])
    ux, uy, uz = x / r, y / r, z / r
    sin_g = ux * ex + uy * ey + uz * ez
    cos_g = math.sqrt(1.0 - sin_g * sin_g)
    l0x, l0y, l0z = (ux - sin_g * ex) / cos_g, (uy - sin_g * ey) / cos_g, (uz - sin_g * ez) / cos_g
    sx, sy, sz = ey * l0z - ez * l0y, ez * l0x - ex * l0z, ex * l0y - ey * l0x
    if mode == gk.MODE_PULLUP:
        lv, ll = l_max, 0.0
    else:
        h_dot = vx * ux + vy * uy + vz * uz
        gm_r = GM_EARTH_M3_S2 / r
        g_eff = gm_r / r - max(0.0, vx * vx + vy * vy + vz * vz - h_dot * h_dot) / r
        s_go = _togo(x, y, z, p, t) - p["dive_k"] * h
        q0 = min(v * v / gm_r, 0.98)
        qf = p["v_end_m_s"] ** 2 / gm_r
        ld_plan = gk.LD_PLAN_FRAC * p["ld_max"]
        ld_cmd = ld_plan
        if q0 > qf:
            ld_cmd = min(max(s_go / (0.5 * r * math.log((1.0 - qf) / (1.0 - q0))), 0.0), ld_plan)
        margin = min(gk.BAND_MARGIN_M, 0.25 * (p["h_max_m"] - p["h_min_m"]))
        arg = RHO0_KG_M3 * ld_cmd * v * v / (2.0 * p["beta_kg_m2"] * max(g_eff, 1e-3))
        h_ref = SCALE_HEIGHT_M * math.log(arg) if arg > 0.0 else -math.inf
        h_ref = min(max(h_ref, p["h_min_m"] + margin), p["h_max_m"] - margin)
        a_up = g_eff + gk.K_H_S2 * (h_ref - h) - gk.K_HDOT_S * h_dot
        lv = max((a_up + drag * sin_g) / cos_g, 0.0)
        tx, ty, tz = _aim(p, t)
        t_up = tx * ux + ty * uy + tz * uz
        dx, dy, dz = tx - t_up * ux, ty - t_up * uy, tz - t_up * uz
        d_psi = math.atan2(
            dx * sx + dy * sy + dz * sz,
            dx * (ex - sin_g * ux) + dy * (ey - sin_g * uy) + dz * (ez - sin_g * uz),
        )
        ll_max = lv * math.tan(p["bank_max_rad"])
        ll = min(max(gk.K_PSI_S * v * d_psi, -ll_max), ll_max)
        mag = math.hypot(lv, ll)
        if mag > l_max:
            lv, ll = lv * l_max / mag, ll * l_max / mag
    return np.array([vx, vy, vz, ax + lv * l0x + ll * sx, ay + lv * l0y + ll * sy, az + lv * l0z + ll * sz])


def ground(t, s, p, mode):
    return altitude(s[0], s[1], s[2])


def pullup_end(t, s, p, mode):  # the flight-path angle relative to the air climbs through 0
    x, y, z, vx, vy, vz = s.tolist()
    return x * (vx + OMEGA_EARTH_RAD_S * y) + y * (vy - OMEGA_EARTH_RAD_S * x) + z * vz


def dive_start(t, s, p, mode):  # the ground distance to go falls below k * altitude
    return p["dive_k"] * altitude(s[0], s[1], s[2]) - _togo(s[0], s[1], s[2], p, t)


for _event, _direction in ((ground, -1.0), (pullup_end, 1.0), (dive_start, 1.0)):
    _event.terminal = True
    _event.direction = _direction


def peer(y0, p, t0: float, method: str = "RK45", rtol=RTOL, atol=ATOL):
    """Glide from ``y0`` at ``t0`` to the ground; returns (impact time, impact state, f-evals)."""
    mode, t, y, nfev = gk.MODE_PULLUP, t0, np.asarray(y0, dtype=float), 0
    while True:
        events = {gk.MODE_PULLUP: [ground, pullup_end, dive_start], gk.MODE_GLIDE: [ground, dive_start]}.get(
            mode, [ground]
        )
        sol = solve_ivp(
            rhs, (t, t0 + T_END_S), y, method=method, rtol=rtol, atol=atol, events=events, args=(p, mode)
        )
        nfev += sol.nfev
        fired = [i for i, te in enumerate(sol.t_events) if te.size]
        if not fired:
            return math.nan, np.full(6, math.nan), nfev
        i = min(fired, key=lambda i: sol.t_events[i][0])
        t, y = sol.t_events[i][0], sol.y_events[i][0]
        if events[i] is ground:
            return t, y, nfev
        mode = gk.MODE_DIVE if events[i] is dive_start else gk.MODE_GLIDE


# ---- domesim ----------------------------------------------------------------------------------------------


def domesim_glide(burnout, pg):
    t0 = pg[0]["t0_s"]
    return gk.allocate_and_glide(burnout, pg, np.array([t0, t0 + T_END_S]), RTOL, ATOL, era0=0.0)


def _lat_lon(r_eci, t):
    lat, lon, _ = frames.ecef_to_geodetic(frames.eci_to_ecef(r_eci, OMEGA_EARTH_RAD_S * np.asarray(t)))
    return lat, lon


def accuracy_check(burnout, pg, dom, peers, obj) -> None:
    """Impact errors of the nominal member against the peer's equations at DOP853 rtol 1e-12, and the
    timed members flown by both."""
    t_ref, y_ref, _ = peer(burnout[0], pg[0], pg[0]["t0_s"], "DOP853", REF_RTOL, REF_ATOL)
    t_rk, y_rk, nfev = peers[0]
    aim = frames.geodetic_to_ecef(obj.aim_lat_rad, obj.aim_lon_rad, 0.0)
    lat, lon = _lat_lon(y_ref[:3], t_ref)
    print(
        f"nominal: impact {t_ref:.1f} s after epoch, "
        f"{np.linalg.norm(frames.geodetic_to_ecef(lat, lon, 0.0) - aim):.3g} m from the aim point "
        f"(DOP853 rtol {_sci(REF_RTOL)}); solve_ivp RK45 {nfev:,} f-evals over its mode segments"
    )
    print("impact against DOP853 (time; ECI position):")
    for name, t_imp, imp in (
        ("domesim", dom.t_impact_s[0], dom.impact_state_eci[0]),
        ("RK45", t_rk, y_rk),
    ):
        print(f"  {name:8s} dt {t_imp - t_ref:+.2g} s, |dr| {np.linalg.norm(imp[:3] - y_ref[:3]):.3g} m")
    dt = [abs(dom.t_impact_s[i] - s[0]) for i, s in enumerate(peers)]
    dr = [np.linalg.norm(dom.impact_state_eci[i, :3] - s[1][:3]) for i, s in enumerate(peers)]
    lat_all, lon_all = _lat_lon(dom.impact_state_eci[:, :3], dom.t_impact_s)
    miss = np.linalg.norm(frames.geodetic_to_ecef(lat_all, lon_all, 0.0) - aim, axis=-1)
    print(
        f"cross-check, {len(peers)} MC members domesim vs RK45: max |dt impact| {np.nanmax(dt):.2g} s, "
        f"max |dr impact| {np.nanmax(dr):.3g} m; domesim impacts: "
        f"{np.count_nonzero(dom.status == bal.STATUS_IMPACTED):,} of {len(dom.status):,}, miss from the "
        f"nominal aim point median {np.nanmedian(miss):.0f} m, max {np.nanmax(miss):.0f} m"
    )


def main(quick: bool = False) -> None:
    print("== hypersonic glide (hgv_regional, 1,800 km with a 15 deg dog-leg) ==")
    burnout, pg, obj, grid = members(N_MEMBERS)
    t0 = pg[0]["t0_s"]
    rng_seed = SEED + 1
    bench = harness.Benchmark(
        [
            harness.Candidate(
                f"solve_ivp RK45 rtol {_sci(RTOL)} atol {_sci(ATOL)}, {N_PEER} per call",
                lambda: [peer(burnout[i], pg[i], t0) for i in range(N_PEER)],
                N_PEER,
            ),
            harness.Candidate(
                f"domesim allocate_and_glide DP5(4) rtol {_sci(RTOL)}, {N_MEMBERS:,} per call",
                lambda: domesim_glide(burnout, pg),
                N_MEMBERS,
            ),
            harness.Candidate(
                f"domesim fly_gliders (boost + glide, 2 s grid), {N_MEMBERS:,} per call",
                lambda: tg.fly_gliders([obj], grid, np.random.default_rng(rng_seed), N_MEMBERS),
                N_MEMBERS,
            ),
        ],
        quick,
    )
    peers, dom, _ = bench.warm_up()
    accuracy_check(burnout, pg, dom, peers, obj)
    bench.run()
    bench.print_table("glide", "traj/s")
    for i in (1, 2):
        ratio = float(np.median(bench.ratios(i)))
        print(f"{bench.candidates[i].name}: median paired ratio {ratio:.0f}x solve_ivp")


if __name__ == "__main__":
    main(harness.parse_quick(__doc__.splitlines()[0]))
