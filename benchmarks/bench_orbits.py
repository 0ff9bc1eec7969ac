"""Orbit propagation: domesim's Kepler + J2 kernel against sgp4 ``SatrecArray`` and skyfield.

Set-up of shared/peer-baselines.md section 3.1 (results in its section 4.1):

- Walker delta 50 deg: 10,000/100/1 at 500 km (100 planes of 100 satellites, phasing F = 1), built as
  SGP4 satellites with ``Satrec.sgp4init(WGS72, 'i', ...)``: e = 1e-7, B* = 0, mean motion of a
  500 km circular orbit. T = 1,440 steps of 60 s (one day) from the epoch 2026-01-01T00:00:00Z.
  Work unit: one satellite-step, position and velocity in float64.
- Candidates, the same constellation and time grid for all, timed interleaved:
  - sgp4 ``SatrecArray(sats).sgp4(jd, fr)``, TEME, one thread (the baseline of the ratios);
  - skyfield ``EarthSatellite.from_satrec``, then ``.at(t)`` with one shared ``Time`` array of the
    1,440 steps, looping over the satellites in Python (GCRS: more work than TEME). Run on the first
    2,000 satellites only: its cost is per satellite, independent of N;
  - domesim ``kepler.propagate`` on the constellation as circular elements (e = 0: the rotation
    recurrence, the path of domesim's own Walker constellations), writing into reused output
    buffers, then into fresh ones;
  - domesim ``kepler.propagate`` on the elements ``orbits.tle`` imports from the same SGP4 satellites
    (e ~ 1e-3 after SGP4's long-period J3 terms are folded in: a Kepler solve per step), reused
    buffers: the path of a TLE catalogue.
- Accuracy cross-check before timing: position and velocity differences against sgp4 over the day for
  every 50th satellite, with both element sets.

``--quick`` (smoke test, figures not to be quoted) uses N = 1,000 (40 planes of 25) and 200 skyfield
satellites.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from sgp4.api import WGS72, Satrec, SatrecArray
from skyfield.api import EarthSatellite, load

import harness
from domesim.core import kepler
from domesim.orbits.tle import elements_from_satrecs

ALT_KM, INC_DEG, PHASING = 500.0, 50.0, 1
PLANES, PER_PLANE = 100, 100
QUICK_PLANES, QUICK_PER_PLANE = 40, 25
N_SKYFIELD, QUICK_N_SKYFIELD = 2_000, 200
STEPS, STEP_S = 1440, 60.0
EPOCH_JD = 2461041.5  # 2026-01-01T00:00:00Z
EPOCH_UTC = (2026, 1, 1, 0, 0)
CHECK_EVERY = 50  # satellites in the accuracy cross-check: every 50th
TARGET_RATIO = 50.0  # the goal for domesim against sgp4 SatrecArray (peer-baselines 6.2)
# WGS72, the constants of SGP4 (Vallado et al. 2006): Earth radius, km, and GM, km3/s2
R_WGS72_KM, MU_WGS72_KM3_S2 = 6378.135, 398600.8


def walker_satrecs(planes: int, per_plane: int) -> list:
    """The Walker delta constellation as SGP4 satellites (peer-baselines 3.1)."""
    n_sats = planes * per_plane
    no_kozai = math.sqrt(MU_WGS72_KM3_S2 / (R_WGS72_KM + ALT_KM) ** 3) * 60.0  # rad/min
    sats = []
    for p in range(planes):
        raan = 2.0 * math.pi * p / planes
        for s in range(per_plane):
            m = 2.0 * math.pi * (s / per_plane + p * PHASING / n_sats) % (2.0 * math.pi)
            sat = Satrec()
            sat.sgp4init(
                WGS72, "i", p * per_plane + s, EPOCH_JD - 2433281.5, 0.0, 0.0, 0.0, 1e-7, 0.0,
                math.radians(INC_DEG), m, no_kozai, raan,
            )  # fmt: skip
            sats.append(sat)
    return sats


def circular(elements: np.ndarray) -> np.ndarray:
    """The same orbits with e = 0: argument of latitude argp + M kept, in M."""
    out = elements.copy()
    out[:, 5] = (elements[:, 4] + elements[:, 5]) % (2.0 * math.pi)
    out[:, 1] = out[:, 4] = 0.0
    return out


def accuracy_check(sats: list, imported: np.ndarray, t_s: np.ndarray) -> None:
    """Max position / velocity difference against sgp4 (TEME) over the day, every CHECK_EVERY-th satellite."""
    sample = list(range(0, len(sats), CHECK_EVERY))
    _, r_km, v_km_s = SatrecArray([sats[i] for i in sample]).sgp4(np.full(t_s.size, EPOCH_JD), t_s / 86400.0)
    print(f"accuracy against sgp4 (TEME), {len(sample)} satellites (every {CHECK_EVERY}th), one day at 60 s:")
    for name, el in (("circular elements (e = 0)", circular(imported)), ("imported elements", imported)):
        r, v = kepler.propagate(el[sample], t_s)
        dr = np.linalg.norm(r - r_km * 1e3, axis=-1)
        dv = np.linalg.norm(v - v_km_s * 1e3, axis=-1)
        print(
            f"  domesim {name:26s} max |dr| {dr.max() / 1e3:.1f} km (last hour "
            f"{dr[:, -60:].max() / 1e3:.1f} km), max |dv| {dv.max():.1f} m/s"
        )
    print(
        "  (budget: SGP4's short-period J2 terms, which kepler leaves out; e = 0 also drops the frozen "
        "long-period J3 terms)"
    )


def main(quick: bool = False) -> None:
    print("== orbit propagation (peer-baselines 3.1 / 4.1) ==")
    planes, per_plane = (QUICK_PLANES, QUICK_PER_PLANE) if quick else (PLANES, PER_PLANE)
    n_skyfield = QUICK_N_SKYFIELD if quick else N_SKYFIELD
    sats = walker_satrecs(planes, per_plane)
    n_sats = len(sats)
    t_s = np.arange(STEPS) * STEP_S
    jd, fr = np.full(STEPS, EPOCH_JD), t_s / 86400.0
    sat_array = SatrecArray(sats)

    ts = load.timescale(builtin=True)
    times = ts.utc(*EPOCH_UTC, t_s)
    sky_sats = [EarthSatellite.from_satrec(s, ts) for s in sats[:n_skyfield]]

    imported = elements_from_satrecs(sats, EPOCH_JD, frame="teme")
    circ = circular(imported)
    r_buf, v_buf = np.empty((n_sats, STEPS, 3)), np.empty((n_sats, STEPS, 3))
    print(
        f"Walker delta {INC_DEG:g} deg: {n_sats:,}/{planes}/{PHASING} at {ALT_KM:g} km; {STEPS:,} steps of "
        f"{STEP_S:g} s; numba {numba.get_num_threads()} threads (sgp4 and skyfield: 1)"
    )

    bench = harness.Benchmark(
        [
            harness.Candidate(
                f"sgp4 SatrecArray.sgp4, {n_sats:,} sats", lambda: sat_array.sgp4(jd, fr), n_sats * STEPS
            ),
            harness.Candidate(
                f"skyfield .at(shared Time), {n_skyfield:,} sats",
                lambda: [s.at(times) for s in sky_sats],
                n_skyfield * STEPS,
            ),
            harness.Candidate(
                f"domesim kepler, e = 0, reused buffers, {n_sats:,} sats",
                lambda: kepler.propagate(circ, t_s, r_buf, v_buf),
                n_sats * STEPS,
            ),
            harness.Candidate(
                f"domesim kepler, e = 0, fresh outputs, {n_sats:,} sats",
                lambda: kepler.propagate(circ, t_s),
                n_sats * STEPS,
            ),
            harness.Candidate(
                f"domesim kepler, imported (Kepler solve), reused, {n_sats:,} sats",
                lambda: kepler.propagate(imported, t_s, r_buf, v_buf),
                n_sats * STEPS,
            ),
        ],
        quick,
    )
    bench.warm_up()
    accuracy_check(sats, imported, t_s)
    bench.run()
    bench.print_table("propagation", "sat-steps/s")
    ratio = float(np.median(bench.ratios(2)))
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(
        f"target >= {TARGET_RATIO:g}x sgp4: {verdict} (domesim e = 0 with reused buffers, median paired "
        f"ratio {ratio:.1f}x; imported elements {float(np.median(bench.ratios(4))):.1f}x)"
    )


if __name__ == "__main__":
    main(harness.parse_quick(__doc__.splitlines()[0]))
