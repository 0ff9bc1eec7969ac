"""Cruise-missile generation: domesim's batched route kernels against a per-missile ``solve_ivp`` integration.

Set-up: a raid of 100 Arctic-approach LACMs (catalogue class ``lacm_subsonic``, released by bombers at 10 km
and 230 m/s inside the catalogue's ``arctic_bomber_area``, two waypoints over the Canadian Arctic, aim points
Fairbanks or Anchorage; routes 1,090-2,140 km), 100 Monte Carlo trials each (speed sigma 2 %, cross-track
sigma 1 km, launch-time sigma 60 s, fixed seed): 10,000 trajectories on a two-hour grid at 10 s (721 steps).
Work: one trajectory = ECEF position, Earth-relative velocity, geodetic height and phase on the grid.

Peer, and why this one: the same kinematic model (great-circle legs, fillets at the acceleration limit, height
profile, speed law; independently coded here in NumPy, one missile at a time) with the position along the
route obtained the way a user without domesim's arc-length tables would: integrating d(sigma)/dt = v(t) /
|dr/dsigma| with ``scipy.integrate.solve_ivp`` (RK45, rtol 1e-8, atol 1e-10 rad = 0.6 mm; a terminal event at
the aim point), then evaluating the states on the grid vectorised over time. A per-step Python loop would be
slower and less accurate; a spherical-Earth shortcut (sigma = s / R) would be faster but off by up to 0.5 % in
speed, so it does not compute the same thing. The route planning of each member (its dispersed speed moves its
turn radius) is part of the timed work on both sides. Accuracy: the two must describe the same flights; the
check prints the largest position difference over the grid and the impact-time difference for the peer's
members.
"""

from __future__ import annotations

import math
import tomllib
from importlib import resources

import numpy as np
from scipy.integrate import solve_ivp

import harness
from domesim.core.constants import E2_EARTH, R_EARTH_EQ_M, R_EARTH_MEAN_M
from domesim.core.timegrid import TimeGrid
from domesim.core.units import to_si
from domesim.threats.cruise import CruiseMissile, CruiseObject, fly_cruise

SEED = 20261123
N_ROUTES, N_TRIALS, N_PEER = 100, 100, 20
GRID = TimeGrid("2026-01-01T00:00:00Z", 10.0, 7200.0)
SIGMA_SPEED, SIGMA_CROSS_M, SIGMA_T_S = 0.02, 1000.0, 60.0
AIMS_DEG = [(64.83778, -147.71639), (61.21806, -149.90028)]  # Fairbanks, Anchorage (geography.toml, GeoNames)
RTOL, ATOL = 1e-8, 1e-10  # the timed peer: RK45 at the usual tight tolerance (atol in rad: 0.6 mm)
REF_RTOL, REF_ATOL = 1e-10, 1e-12  # the reference for the accuracy check (atol 6 um)
N_REF = 5
DEG = math.pi / 180.0


def _catalogue() -> tuple[CruiseMissile, dict]:
    data = tomllib.loads((resources.files("domesim") / "data" / "cruise.toml").read_text(encoding="utf-8"))
    entry = data["threat"]["lacm_subsonic"]
    p = {key: to_si(key, item["value"]) for key, item in entry.items() if isinstance(item, dict)}
    region = {
        key: item["value"]
        for key, item in data["region"]["arctic_bomber_area"].items()
        if isinstance(item, dict)
    }
    return CruiseMissile.from_params("lacm_subsonic", p), region


def make_raid(n: int = N_ROUTES, seed: int = SEED) -> list[CruiseObject]:
    """n flyable Arctic routes (random launch points in the region's box, jittered waypoints)."""
    missile, box = _catalogue()
    rng = np.random.default_rng(seed)
    objects: list[CruiseObject] = []
    while len(objects) < n:
        lat0 = rng.uniform(box["lat_min_deg"], 77.0)
        lon0 = rng.uniform(-145.0, -120.0)
        wp = [
            (70.0 + rng.uniform(-1, 1), -133.0 + rng.uniform(-3, 3)),
            (67.5 + rng.uniform(-0.5, 0.5), -141.5 + rng.uniform(-2, 2)),
        ]
        aim = AIMS_DEG[len(objects) % 2]
        obj = CruiseObject(
            f"lacm-{len(objects)}",
            missile,
            lat0 * DEG,
            lon0 * DEG,
            aim[0] * DEG,
            aim[1] * DEG,
            launch_t_s=rng.uniform(0.0, 600.0),
            waypoints_lat_rad=[w[0] * DEG for w in wp],
            waypoints_lon_rad=[w[1] * DEG for w in wp],
            launch_alt_m=10e3,
            launch_speed_m_s=230.0,
            speed_sigma_frac=SIGMA_SPEED,
            cross_track_sigma_m=SIGMA_CROSS_M,
            launch_t_sigma_s=SIGMA_T_S,
        )
        try:
            obj.plan()
        except Exception:  # beyond range or unflyable: draw again
            continue
        objects.append(obj)
    return objects


# ---- peer: the model in NumPy, one missile at a time, position along the route from solve_ivp ------------


def _unit(lat, lon):
    return np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])


def _radii(sin_lat):
    w2 = 1.0 - E2_EARTH * sin_lat**2
    return R_EARTH_EQ_M * (1.0 - E2_EARTH) / w2**1.5, R_EARTH_EQ_M / math.sqrt(w2)  # M, N


class PeerRoute:
    """One planned route: segments (circle c, e1, e2, beta, offset, start, length) and the height profile."""

    def __init__(self, obj: CruiseObject, speed_factor: float, cross_m: float):
        m = obj.missile
        self.v0 = m.launch_speed_m_s if obj.launch_speed_m_s is None else obj.launch_speed_m_s
        self.v1 = m.cruise_speed_m_s * max(speed_factor, 0.05)
        self.tb = m.boost_time_s
        lat, lon = obj.vertices_rad()
        v = [_unit(a, b) for a, b in zip(lat, lon, strict=True)]
        if cross_m != 0.0:  # parallel offset of the interior waypoints along their bisectors
            moved = list(v)
            for j in range(1, len(v) - 1):
                t_in = (v[j - 1] @ v[j]) * v[j] - v[j - 1]
                t_out = v[j + 1] - (v[j + 1] @ v[j]) * v[j]
                left = np.cross(v[j], t_in / np.linalg.norm(t_in)) + np.cross(
                    v[j], t_out / np.linalg.norm(t_out)
                )
                d = cross_m / (max(0.5 * np.linalg.norm(left), 0.25) * R_EARTH_MEAN_M)
                moved[j] = v[j] * math.cos(d) + left / np.linalg.norm(left) * math.sin(d)
            v = moved
        theta = [
            math.atan2(np.linalg.norm(np.cross(a, b)), a @ b) for a, b in zip(v[:-1], v[1:], strict=True)
        ]
        bdir = [
            (b - (a @ b) * a) / np.linalg.norm(b - (a @ b) * a) for a, b in zip(v[:-1], v[1:], strict=True)
        ]
        rho = self.v1**2 / m.max_lateral_accel_m_s2
        h_c = m.cruise_alt_m
        tan_d = [0.0] * len(v)
        turns = {}
        for j in range(1, len(v) - 1):
            t_in = -v[j - 1] * math.sin(theta[j - 1]) + bdir[j - 1] * math.cos(theta[j - 1])
            delta = math.atan2(np.linalg.norm(np.cross(t_in, bdir[j])), t_in @ bdir[j])
            side = 1.0 if np.cross(t_in, bdir[j]) @ v[j] >= 0 else -1.0
            mm, nn = _radii(v[j][2])
            beta = math.atan(rho * (nn + h_c) / (mm + h_c) ** 2)
            tan_d[j] = math.asin(math.tan(beta) * math.tan(delta / 2))
            turns[j] = (beta, side, delta)
        self.seg = []  # (c, e1, e2, cos b, sin b, tau0, sigma_start, length)
        sigma = 0.0
        for i in range(len(v) - 1):
            length = theta[i] - tan_d[i] - tan_d[i + 1]
            self.seg.append((np.cross(v[i], bdir[i]), v[i], bdir[i], 0.0, 1.0, tan_d[i], sigma, length))
            sigma += length
            j = i + 1
            if j in turns and turns[j][2] > 1e-9:
                beta, side, _ = turns[j]
                th = theta[i] - tan_d[j]
                p = v[i] * math.cos(th) + bdir[i] * math.sin(th)
                tp = -v[i] * math.sin(th) + bdir[i] * math.cos(th)
                lft = np.cross(p, tp)
                cb, sb = math.cos(beta), math.sin(beta)
                c = p * cb + side * lft * sb
                e1 = p * sb - side * lft * cb
                po = v[j] * math.cos(tan_d[j]) + bdir[j] * math.sin(tan_d[j])
                e1p = (po - c * cb) / sb
                ang = math.atan2(e1p @ tp, e1p @ e1) % (2 * math.pi)
                self.seg.append((c, e1, tp, cb, sb, 0.0, sigma, sb * ang))
                sigma += sb * ang
        self.starts = np.array([s[6] for s in self.seg])
        self.sigma_end = sigma
        v_max = max(self.v0, self.v1)
        a = m.max_lateral_accel_m_s2
        self.h_l, self.h_c, self.h_a = obj.launch_alt_m, h_c, m.apex_alt_m
        d_c = max(m.climb_distance_m, math.sqrt(6 * abs(h_c - self.h_l) * v_max**2 / a))
        d_p = (
            max(m.popup_distance_m, math.sqrt(6 * (self.h_a - h_c) * v_max**2 / a)) if self.h_a > h_c else 0.0
        )
        d_d = max(m.dive_distance_m, math.sqrt(2 * self.h_a * v_max**2 / a))
        r_launch = math.sqrt(np.prod(_radii(v[0][2])))
        r_aim = math.sqrt(np.prod(_radii(v[-1][2])))
        self.s_c = d_c / r_launch
        self.s_d = sigma - d_d / r_aim
        self.s_t = self.s_d - d_p / r_aim

    def height(self, s):
        if s < self.s_c:
            x = s / self.s_c
            return self.h_l + (self.h_c - self.h_l) * x * x * (3 - 2 * x), (self.h_c - self.h_l) * 6 * x * (
                1 - x
            ) / self.s_c
        if s < self.s_t:
            return self.h_c, 0.0
        if s < self.s_d:
            x = (s - self.s_t) / (self.s_d - self.s_t)
            dh = self.h_a - self.h_c
            return self.h_c + dh * x * x * (3 - 2 * x), dh * 6 * x * (1 - x) / (self.s_d - self.s_t)
        x = min((s - self.s_d) / (self.sigma_end - self.s_d), 1.0)
        return self.h_a * (1 - x * x), -2 * self.h_a * x / (self.sigma_end - self.s_d)

    def state(self, s):
        """ECEF position and dr/dsigma at track length s."""
        g = max(int(np.searchsorted(self.starts, s, side="right")) - 1, 0)
        c, e1, e2, cb, sb, tau0, start, _ = self.seg[g]
        x = (tau0 + s - start) / sb
        u = c * cb + sb * (e1 * math.cos(x) + e2 * math.sin(x))
        du = -e1 * math.sin(x) + e2 * math.cos(x)
        h, hp = self.height(s)
        w2 = 1 - E2_EARTH * u[2] ** 2
        n = R_EARTH_EQ_M / math.sqrt(w2)
        r = (n + h) * u - np.array([0.0, 0.0, n * E2_EARTH * u[2]])
        gg = R_EARTH_EQ_M * E2_EARTH / w2**1.5 * du[2]
        dr = (n + h) * du - gg * (np.array([0.0, 0.0, 1.0]) - u[2] * u) + hp * u
        return r, dr, h

    def speed(self, t):
        return self.v0 + (self.v1 - self.v0) * t / self.tb if t < self.tb else self.v1


def peer_fly(
    obj: CruiseObject, speed_factor: float, cross_m: float, t0: float, t_s: np.ndarray, rtol=RTOL, atol=ATOL
):
    """One dispersed flight on the grid: (r_ecef (T, 3), v_ecef (T, 3), alt (T,), impact time)."""
    route = PeerRoute(obj, speed_factor, cross_m)

    def rhs(t, y):
        _, dr, _ = route.state(y[0])
        return [route.speed(t) / math.sqrt(dr @ dr)]

    def arrive(t, y):
        return y[0] - route.sigma_end

    arrive.terminal = True
    t_out = t_s[t_s >= t0] - t0
    sol = solve_ivp(rhs, (0.0, t_s[-1] - t0), [0.0], rtol=rtol, atol=atol, t_eval=t_out, events=arrive)
    r = np.full((t_s.size, 3), np.nan)
    v = np.full((t_s.size, 3), np.nan)
    h = np.full(t_s.size, np.nan)
    first = t_s.size - t_out.size
    for k, (tk, sk) in enumerate(zip(sol.t, sol.y[0], strict=True)):
        rr, dr, hh = route.state(sk)
        r[first + k], v[first + k], h[first + k] = rr, dr * route.speed(tk) / np.linalg.norm(dr), hh
    t_imp = t0 + sol.t_events[0][0] if sol.t_events[0].size else math.nan
    return r, v, h, t_imp


def draws(objects, trials):
    """The dispersion draws of fly_cruise (three (trials, objects) normal arrays, in its order)."""
    rng = np.random.default_rng(SEED)
    shape = (trials, len(objects))
    return [rng.standard_normal(shape) for _ in range(3)]


def peer_members(objects, trials, count, rtol=RTOL, atol=ATOL):
    z_v, z_x, z_t = draws(objects, trials)
    out = []
    for i in range(count):
        tr, j = divmod(i, len(objects))
        o = objects[j]
        out.append(
            peer_fly(
                o,
                1.0 + o.speed_sigma_frac * z_v[tr, j],
                o.cross_track_sigma_m * z_x[tr, j],
                o.launch_t_s + o.launch_t_sigma_s * z_t[tr, j],
                GRID.t_s,
                rtol,
                atol,
            )
        )
    return out


def domesim_fly(objects, trials):
    return fly_cruise(objects, GRID, np.random.default_rng(SEED), trials)


def accuracy_check(dom, peers, refs, n_objects: int) -> None:
    """Errors of domesim and of the timed peer against the peer at rtol 1e-10, over the grid."""
    rows = {"domesim": [0.0, 0.0, 0.0], f"solve_ivp rtol {RTOL:g}": [0.0, 0.0, 0.0]}
    for i, (r_ref, v_ref, _, t_ref) in enumerate(refs):
        tr, j = divmod(i, n_objects)
        for name, (r, v, t_imp) in (
            ("domesim", (dom.r_ecef[tr, j], dom.v_ecef[tr, j], float(dom.impact_t_s[tr, j]))),
            (f"solve_ivp rtol {RTOL:g}", (peers[i][0], peers[i][1], peers[i][3])),
        ):
            both = np.isfinite(r[:, 0]) & np.isfinite(r_ref[:, 0])
            row = rows[name]
            row[0] = max(row[0], float(np.max(np.linalg.norm(r[both] - r_ref[both], axis=-1))))
            row[1] = max(row[1], float(np.max(np.linalg.norm(v[both] - v_ref[both], axis=-1))))
            row[2] = max(row[2], abs(t_imp - t_ref) if np.isfinite(t_ref) else 0.0)
    print(
        f"accuracy over the grid, {len(refs)} members, against solve_ivp RK45 rtol {REF_RTOL:g} "
        f"atol {REF_ATOL:g}:"
    )
    for name, (dr, dv, dt) in rows.items():
        print(f"  {name:22s} max |dr| {dr:.3g} m, max |dv| {dv:.3g} m/s, max |dt impact| {dt:.2g} s")
    flown = np.isfinite(dom.impact_t_s)
    print(
        f"domesim impacts within the grid: {np.count_nonzero(flown):,} of {flown.size:,} "
        "(the rest still fly at 2 h)"
    )


def main(quick: bool = False) -> None:
    print("== cruise missiles: route following on the ellipsoid ==")
    objects = make_raid()
    n_traj = N_ROUTES * N_TRIALS
    bench = harness.Benchmark(
        [
            harness.Candidate(
                f"per-missile solve_ivp RK45 rtol {RTOL:g}, {N_PEER} per call",
                lambda: peer_members(objects, N_TRIALS, N_PEER),
                N_PEER,
            ),
            harness.Candidate(
                f"domesim fly_cruise, {N_ROUTES} routes x {N_TRIALS} trials per call",
                lambda: domesim_fly(objects, N_TRIALS),
                n_traj,
            ),
        ],
        quick,
    )
    peers, dom = bench.warm_up()
    refs = peer_members(objects, N_TRIALS, N_REF, REF_RTOL, REF_ATOL)
    accuracy_check(dom, peers, refs, N_ROUTES)
    bench.run()
    bench.print_table("cruise", "traj/s")
    ratio = float(np.median(bench.ratios(1)))
    print(
        f"work: {n_traj:,} trajectories x {GRID.steps} steps ({GRID.duration_s / 3600:g} h at "
        f"{GRID.step_s:g} s); median paired ratio {ratio:,.0f}x"
    )


if __name__ == "__main__":
    main(harness.parse_quick(__doc__.splitlines()[0]))
