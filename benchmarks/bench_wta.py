"""Weapon-target assignment: the exact MILP against the maximum marginal return heuristic, then the
heuristic alone at raid scale against a plain NumPy implementation of the same rule.

Set-up (fixed seeds):

- Small problems, the distribution of the acceptance test (tests/validation/test_wta.py): N targets
  in 3..6, M battery types in 2..3, inventories 1..6, pk uniform in [0.2, 0.9] with 25 % zeros (out
  of the engagement window), values 1..10, salvo cap 4. ``SMALL`` problems per call, the same ones
  for both candidates: ``solve_milp`` (enumerated shot vectors, HiGHS via ``scipy.optimize.milp``,
  exact) and ``solve_greedy`` (numba heap). Work unit: one problem solved. The relative gap of the
  heuristic over these problems is printed beside the timings.
- Raid scale: N = 1,000 targets x M = 20 battery types, each battery reaching a random 30 % of the
  targets (pk uniform in [0.3, 0.9] there, 0 elsewhere), 3,000 interceptors split multinomially
  over the types (about 150 each), values 1..10, cap 4. Baseline: the rule as written, one shot at a
  time to the argmax of ``V_i S_i p_ij`` over the (N, M) array in NumPy; domesim: ``solve_greedy``.
  Both must give the same shots (checked before timing). Work unit: one complete assignment; shots/s
  are printed too.

``--quick`` (smoke test, figures not to be quoted): fewer, shorter samples (the harness's quick mode)
and 50 small problems per call instead of 200.
"""

from __future__ import annotations

import numpy as np

import harness
from domesim.c2.wta import solve_greedy, solve_milp

SEED = 20260102
SMALL = 200
N_LARGE, M_LARGE, REACH, INVENTORY_LARGE, CAP = 1000, 20, 0.3, 3000, 4


def small_problems(count: int, seed: int = SEED):
    rng = np.random.default_rng(seed)
    problems = []
    for _ in range(count):
        n, m = int(rng.integers(3, 7)), int(rng.integers(2, 4))
        values = rng.integers(1, 11, n).astype(np.float64)
        pk = rng.uniform(0.2, 0.9, (n, m))
        pk[rng.random((n, m)) < 0.25] = 0.0
        problems.append((values, pk, rng.integers(1, 7, m)))
    return problems


def large_problem(seed: int = SEED):
    rng = np.random.default_rng(seed)
    values = rng.integers(1, 11, N_LARGE).astype(np.float64)
    pk = np.where(rng.random((N_LARGE, M_LARGE)) < REACH, rng.uniform(0.3, 0.9, (N_LARGE, M_LARGE)), 0.0)
    return values, pk, rng.multinomial(INVENTORY_LARGE, np.full(M_LARGE, 1.0 / M_LARGE))


def numpy_mmr(values, pk, inventory, max_shots):
    """Maximum marginal return as written: per shot, the argmax of V_i S_i p_ij over all pairs."""
    n, m = pk.shape
    shots = np.zeros((n, m), dtype=np.int64)
    survival = np.ones(n)
    fired = np.zeros(n, dtype=np.int64)
    left = np.array(inventory, dtype=np.int64)
    gain = values[:, None] * pk
    gain[:, left == 0] = 0.0
    while True:
        k = int(np.argmax(gain))
        if gain.flat[k] <= 0.0:
            return shots
        i, j = divmod(k, m)
        shots[i, j] += 1
        fired[i] += 1
        survival[i] *= 1.0 - pk[i, j]
        left[j] -= 1
        gain[i] = 0.0 if fired[i] >= max_shots else values[i] * survival[i] * pk[i]
        gain[:, left == 0] = 0.0


def main(quick: bool = False) -> None:
    print("== weapon-target assignment: exact MILP vs maximum marginal return ==")
    problems = small_problems(50 if quick else SMALL)
    bench = harness.Benchmark(
        [
            harness.Candidate(
                f"domesim solve_milp (HiGHS, exact), {len(problems)} problems per call",
                lambda: [solve_milp(*p) for p in problems],
                len(problems),
            ),
            harness.Candidate(
                f"domesim solve_greedy (MMR, numba), {len(problems)} problems per call",
                lambda: [solve_greedy(*p) for p in problems],
                len(problems),
            ),
        ],
        quick,
    )
    exact, greedy = bench.warm_up()
    opt = np.array([a.expected_value for a in exact])
    gap = (opt - np.array([a.expected_value for a in greedy])) / opt
    print(
        f"small problems (N 3..6, M 2..3, inventories 1..6, cap {CAP}): greedy relative gap to the optimum "
        f"mean {gap.mean():.2%}, worst {gap.max():.2%}, exact in {np.mean(gap <= 1e-12):.0%} of {len(gap)}"
    )
    bench.run()
    bench.print_table("WTA small", "problems/s")

    print()
    values, pk, inventory = large_problem()
    a = solve_greedy(values, pk, inventory, CAP)
    same = np.array_equal(a.shots, numpy_mmr(values, pk, inventory, CAP))
    n_shots = int(a.shots.sum())
    print(
        f"raid scale: N = {N_LARGE:,} targets x M = {M_LARGE} types, reach {REACH:.0%}, inventory "
        f"{int(inventory.sum()):,}, cap {CAP}: {n_shots:,} shots assigned, expected value destroyed "
        f"{a.expected_value:,.1f} of {values.sum():,.0f}; same shots as the NumPy rule: {same}"
    )
    big = harness.Benchmark(
        [
            harness.Candidate(
                "NumPy MMR (argmax over N x M per shot)", lambda: numpy_mmr(values, pk, inventory, CAP), 1
            ),
            harness.Candidate(
                "domesim solve_greedy (heap, numba)", lambda: solve_greedy(values, pk, inventory, CAP), 1
            ),
        ],
        quick,
    )
    big.run()
    big.print_table("WTA 1000x20", "assignments/s")
    rate = float(np.median(big.candidates[1].rates))
    print(f"domesim solve_greedy: {rate:,.0f} assignments/s = {rate * n_shots / 1e6:.2f} M shots/s assigned")


if __name__ == "__main__":
    main(harness.parse_quick(__doc__.splitlines()[0]))
