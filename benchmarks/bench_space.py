"""Space layer: the visibility (coverage) kernel and the SBI availability study, against NumPy.

1. Visibility, the workload of shared/peer-baselines.md section 3.2: 10,000 satellites (Walker
   100 x 100, 500 km, 50 deg) by 100 targets (70 on the ground, 30 at 0-20 km, latitudes within
   +-60 deg, fixed to the Earth) over 600 steps of 60 s; a pair is visible when the slant range is
   below 2,000 km and the line of sight clears the Earth. The NumPy peer is the baselines' "matmul
   form" on satellite positions computed beforehand (not timed); domesim's kernel computes the
   positions itself, fused, and also applies its field-of-regard test (here 90 deg).
2. Availability: 10,000 SBIs (100 x 100, 400 km, 50 deg) against a 10-missile solid-ICBM salvo from
   the North Korea region over 1,000 random epochs. Work counted as brute-force pair-checks
   (epochs x SBIs x missiles x window steps). The NumPy peer does the same brute force per epoch.
"""

from __future__ import annotations

import math

import numpy as np

import harness
from domesim.core import kepler
from domesim.core.constants import OMEGA_EARTH_RAD_S, R_EARTH_EQ_M
from domesim.core.frames import geodetic_to_ecef
from domesim.interceptors.sbi import SbiKinematics, availability, flyout_distance
from domesim.orbits.constellation import Walker
from domesim.orbits.coverage import visible_counts
from domesim.studies.salvo import SalvoSpec, build_salvo

MAX_RANGE_M = 2_000e3


def _targets() -> np.ndarray:
    rng = np.random.default_rng(11)
    lat = np.radians(rng.uniform(-60, 60, 100))
    lon = np.radians(rng.uniform(-180, 180, 100))
    alt = np.where(np.arange(100) < 70, 0.0, rng.uniform(0, 20e3, 100))
    return geodetic_to_ecef(lat, lon, alt)


def _numpy_counts(sat_ecef: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Peer: per step, s.g by BLAS, then elementwise work on (S, G) (peer-baselines 'matmul form')."""
    g2 = (g * g).sum(axis=1)
    counts = np.empty((sat_ecef.shape[1], g.shape[0]), dtype=np.int32)
    r2 = R_EARTH_EQ_M**2
    for k in range(sat_ecef.shape[1]):
        s = sat_ecef[:, k]
        s2 = (s * s).sum(axis=1)
        sg = s @ g.T
        d2 = s2[:, None] - 2 * sg + g2[None, :]
        gd = sg - g2[None, :]
        clear = (gd >= 0) | ((g2[None, :] - r2) * d2 >= gd * gd)
        sd = s2[:, None] - sg
        counts[k] = ((d2 <= MAX_RANGE_M**2) & clear & (sd >= 0)).sum(axis=0)
    return counts


def visibility(quick: bool) -> None:
    print("== visibility kernel (peer-baselines 3.2: 10,000 sats x 100 targets x 600 steps) ==")
    el = Walker(500e3, math.radians(50.0), 100, 100, 1).elements()
    g = _targets()
    t = np.arange(600) * 60.0
    r, _ = kepler.propagate(el, t)
    theta = OMEGA_EARTH_RAD_S * t
    c, s = np.cos(theta)[None, :], np.sin(theta)[None, :]
    sat_ecef = np.stack([c * r[..., 0] + s * r[..., 1], -s * r[..., 0] + c * r[..., 1], r[..., 2]], -1)
    pairs = 10_000 * 100 * 600
    bench = harness.Benchmark(
        [
            harness.Candidate(
                "NumPy matmul form (positions given)", lambda: _numpy_counts(sat_ecef, g), pairs
            ),
            harness.Candidate(
                "domesim visible_counts (fused propagation)",
                lambda: visible_counts(el, g, t, 0.0, MAX_RANGE_M, math.pi / 2),
                pairs,
            ),
        ],
        quick,
    )
    peer, dom = bench.warm_up()
    differ = int(np.count_nonzero(peer != dom))
    print(
        f"cross-check: counts differ in {differ} of {peer.size:,} (step, target) cells; "
        f"mean {dom.mean():.1f} satellites see a target"
    )
    bench.run()
    bench.print_table("visibility", "pair-checks/s")
    rate = float(np.median(bench.candidates[1].rates))
    print(f"target >= 2 G pair-checks/s: {'met' if rate >= 2e9 else 'not met'} ({rate / 1e9:.2f} G/s)")


def _numpy_availability(elements, salvo, offsets, kin):
    """Peer: per epoch, every SBI at every window step against every missile, in NumPy."""
    t = salvo.t_s
    ok = salvo.usable & (t[None, :] > salvo.t_commit_s[:, None])
    window = np.flatnonzero(ok.any(axis=0))
    t, ok, r_ecef = t[window], ok[:, window], salvo.r_ecef[:, window]
    reach = flyout_distance(t[None, :] - salvo.t_commit_s[:, None], kin.accel_m_s2, kin.flyout_dv_m_s)
    counts = np.zeros((offsets.size, ok.shape[0]), dtype=np.int64)
    for e, offset in enumerate(offsets):
        r_sat, _ = kepler.propagate(elements, t + offset)  # inertial (S, W, 3)
        theta = salvo.theta0_rad + OMEGA_EARTH_RAD_S * (t + offset)
        c, s = np.cos(theta), np.sin(theta)
        track = np.stack(
            [
                c * r_ecef[..., 0] - s * r_ecef[..., 1],
                s * r_ecef[..., 0] + c * r_ecef[..., 1],
                r_ecef[..., 2],
            ],
            -1,
        )
        d2 = ((r_sat[:, None] - track[None]) ** 2).sum(-1)  # (S, M, W)
        counts[e] = ((d2 <= reach[None] ** 2) & ok[None]).any(axis=2).sum(axis=0)
    return counts


def sbi_availability(quick: bool) -> None:
    print("== SBI availability: 10,000 SBIs x 1,000 epochs x a 10-missile salvo ==")
    kin = SbiKinematics(
        accel_m_s2=98.0665, flyout_dv_m_s=3500.0, commit_delay_s=60.0, min_intercept_alt_m=100e3
    )
    salvo = build_salvo(SalvoSpec(missiles=10, salvo_from="spread"), kin)
    el = Walker(400e3, math.radians(50.0), 100, 100, 1).elements()
    epochs = 100 if quick else 1000
    offsets = np.random.default_rng(0).uniform(0.0, 86164.0905, epochs)
    ok = salvo.usable & (salvo.t_s[None, :] > salvo.t_commit_s[:, None])
    window = int(np.ptp(np.flatnonzero(ok.any(axis=0)))) + 1
    per_epoch = len(el) * 10 * window
    peer_epochs = offsets[:5]

    def study():
        return availability(
            el, salvo.r_ecef, salvo.usable, salvo.t_s, salvo.t_commit_s, salvo.theta0_rad, offsets, kin, 1
        )

    bench = harness.Benchmark(
        [
            harness.Candidate(
                f"NumPy brute force, {peer_epochs.size} epochs per call",
                lambda: _numpy_availability(el, salvo, peer_epochs, kin),
                peer_epochs.size * per_epoch,
            ),
            harness.Candidate(f"domesim availability, {epochs:,} epochs per call", study, epochs * per_epoch),
        ],
        quick,
    )
    peer, (in_reach, assigned) = bench.warm_up()
    same = np.array_equal(peer, in_reach[: peer_epochs.size])
    print(
        f"cross-check on {peer_epochs.size} epochs: SBIs in reach per missile identical: {same}; "
        f"window {window} steps of 2 s"
    )
    print(
        f"mean SBIs in reach of one missile {in_reach.mean():.2f}; P(every missile gets its own) "
        f"{(assigned >= 1).all(axis=1).mean():.3f}"
    )
    bench.run()
    bench.print_table("availability", "pair-checks/s")
    call = bench.candidates[1].call_s
    print(f"one full study ({epochs:,} epochs): {call:.2f} s ({'seconds' if call < 60 else 'minutes'})")


def main(quick: bool = False) -> None:
    visibility(quick)
    print()
    sbi_availability(quick)


if __name__ == "__main__":
    main(harness.parse_quick(__doc__.splitlines()[0]))
