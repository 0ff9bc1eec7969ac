"""Weapon-target assignment: the exact MILP against brute force, the greedy heuristic against the MILP.

Sources:

- Problem: the static weapon-target assignment of Manne (1958), Hosein and Athans (1990) and Ahuja,
  Kumar, Jha and Orlin (Operations Research 55(6), 2007): maximise ``sum_i V_i (1 - prod_j
  (1 - p_ij)^x_ij)`` within inventories, with a per-target salvo cap here.
- Exact reference: exhaustive enumeration of every integer assignment (tiny problems only); the
  MILP must match it to 1e-9 (relative), i.e. to round-off, since both evaluate the same products.
- Heuristic: maximum marginal return (den Broeder, Ellison and Emerling, Operations Research 7(3),
  1959), optimal when weapons are identical (``p_ij = p_i``), checked here to 1e-12; and never below
  1/3 of the optimum with a cap, by the greedy bound for a monotone submodular objective under two
  partition matroids (Fisher, Nemhauser and Wolsey 1978).
- Acceptance (the issue): on 1,000 random small problems the greedy value is within a stated gap of
  the MILP optimum. Measured with the seed below (scipy 1.17 / HiGHS): mean relative gap 1.74 %,
  worst 32.9 %; 50.5 % of the problems are solved exactly. The worst cases are reach-limited: the
  greedy spends the one battery that can reach a second target on a first one that another battery
  could have covered (the doctest of :func:`domesim.c2.wta.solve_greedy` is such a case). Bounds
  asserted: mean < 2 %, worst < 35 % (the measured figures rounded up; the 1/3-approximation
  guarantee alone allows 66.7 %). The problems are deterministic, so only a change of the solvers
  moves these figures.

Note: the brief suggested MMR is optimal when pk depends only on the weapon type; it is not (515 of
1,000 such problems here have a positive gap). The theorem is for identical weapons, pk depending
only on the target, and that is what is tested.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from domesim.c2.wta import expected_value, mmr_fill, solve_greedy, solve_milp
from domesim.errors import ParameterError

SEED = 20260101
N_ACCEPTANCE = 1000
MEAN_GAP_BOUND = 0.02  # measured 0.0174
WORST_GAP_BOUND = 0.35  # measured 0.329
EXACT_RTOL = 1e-9  # MILP vs brute force: the same products, so round-off only


def random_problem(rng, n_range=(3, 6), m_range=(2, 3), inv_range=(1, 6), zero_fraction=0.25):
    """Values 1..10, pk uniform in [0.2, 0.9] with ``zero_fraction`` zeros (out of reach)."""
    n = int(rng.integers(n_range[0], n_range[1] + 1))
    m = int(rng.integers(m_range[0], m_range[1] + 1))
    values = rng.integers(1, 11, n).astype(np.float64)
    pk = rng.uniform(0.2, 0.9, (n, m))
    pk[rng.random((n, m)) < zero_fraction] = 0.0
    inventory = rng.integers(inv_range[0], inv_range[1] + 1, m)
    return values, pk, inventory


def brute_force(values, pk, inventory, max_shots):
    """Best value over every integer assignment (x_ij = 0 where pk = 0), by exhaustive enumeration."""
    n, m = pk.shape
    per_type = []
    for j in range(m):
        reach = [range(inventory[j] + 1) if pk[i, j] > 0 else range(1) for i in range(n)]
        per_type.append(np.array([c for c in itertools.product(*reach) if sum(c) <= inventory[j]]))
    best = 0.0
    for combo in itertools.product(*per_type):
        shots = np.stack(combo, axis=1)  # (N, M)
        if max_shots is not None and np.any(shots.sum(axis=1) > max_shots):
            continue
        best = max(best, float(np.dot(values, 1.0 - np.prod((1.0 - pk) ** shots, axis=1))))
    return best


def mmr_reference(values, pk, inventory, max_shots):
    """Maximum marginal return as defined: one shot at a time to the row-major argmax of V_i S_i p_ij."""
    n, m = pk.shape
    shots = np.zeros((n, m), dtype=np.int64)
    survival = np.ones(n)
    left = np.array(inventory, dtype=np.int64)
    cap = np.inf if max_shots is None else max_shots
    while True:
        gain = (values * survival)[:, None] * pk
        gain[:, left == 0] = 0.0
        gain[shots.sum(axis=1) >= cap] = 0.0
        k = int(np.argmax(gain))
        if gain.flat[k] <= 0.0:
            return shots
        i, j = divmod(k, m)
        shots[i, j] += 1
        left[j] -= 1
        survival[i] *= 1.0 - pk[i, j]


def assert_feasible(a, values, pk, inventory, max_shots):
    assert a.shots.shape == pk.shape and a.shots.dtype == np.int64
    assert np.all(a.shots >= 0)
    assert np.all(a.shots.sum(axis=0) <= inventory)
    if max_shots is not None:
        assert np.all(a.shots.sum(axis=1) <= max_shots)
    assert np.all(a.shots[pk == 0] == 0)
    np.testing.assert_allclose(a.survival, np.prod((1.0 - pk) ** a.shots, axis=1), rtol=1e-15)
    assert a.expected_value == pytest.approx(expected_value(values, pk, a.shots), rel=1e-12)


def test_milp_equals_brute_force_on_tiny_problems():
    rng = np.random.default_rng(SEED + 1)
    for trial in range(150):
        values, pk, inventory = random_problem(rng, (1, 3), (1, 2), (0, 3))
        max_shots = (1, 2, 4, None)[trial % 4]
        a = solve_milp(values, pk, inventory, max_shots)
        assert_feasible(a, values, pk, inventory, max_shots)
        best = brute_force(values, pk, inventory, max_shots)
        assert a.expected_value == pytest.approx(best, rel=EXACT_RTOL, abs=1e-12), (values, pk, inventory)
        g = solve_greedy(values, pk, inventory, max_shots)
        assert_feasible(g, values, pk, inventory, max_shots)
        assert g.expected_value <= best * (1 + EXACT_RTOL)


@pytest.mark.slow
def test_greedy_acceptance_gap_against_milp_on_1000_problems(capsys):
    """The issue's acceptance test: 1,000 random small problems, greedy within the stated gap."""
    rng = np.random.default_rng(SEED)
    problems = [random_problem(rng) for _ in range(N_ACCEPTANCE)]
    t0 = time.perf_counter()
    optimum = np.array([solve_milp(*p).expected_value for p in problems])
    milp_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    greedy = np.array([solve_greedy(*p).expected_value for p in problems])
    greedy_s = time.perf_counter() - t0
    assert np.all(optimum > 0)  # every problem has a reachable target with stock
    gap = (optimum - greedy) / optimum
    with capsys.disabled():
        print(
            f"\nWTA acceptance, {N_ACCEPTANCE} problems: greedy gap mean {gap.mean():.4f}, "
            f"worst {gap.max():.4f} (problem {int(np.argmax(gap))}), exact in {np.mean(gap <= 1e-12):.1%}; "
            f"MILP {milp_s:.2f} s, greedy {greedy_s:.2f} s"
        )
    assert np.all(gap >= -EXACT_RTOL)  # the MILP is the optimum
    assert np.all(greedy >= optimum / 3)  # Fisher, Nemhauser and Wolsey (1978), two matroids
    assert gap.mean() < MEAN_GAP_BOUND
    assert gap.max() < WORST_GAP_BOUND


@pytest.mark.slow
def test_greedy_is_optimal_for_identical_weapons():
    """den Broeder et al. (1959): with p_ij = p_i the marginal returns decrease; greedy is optimal."""
    rng = np.random.default_rng(SEED + 2)
    for _ in range(100):
        values, pk, inventory = random_problem(rng, inv_range=(1, 4), zero_fraction=0.0)
        pk = np.repeat(rng.uniform(0.2, 0.9, (pk.shape[0], 1)), pk.shape[1], axis=1)
        for cap in (2, 4, None):
            best = solve_milp(values, pk, inventory, cap).expected_value
            assert solve_greedy(values, pk, inventory, cap).expected_value == pytest.approx(best, rel=1e-12)


def test_greedy_kernel_matches_the_definition_and_the_interpreted_path():
    """The heap kernel gives the same shots as the per-shot argmax, compiled and interpreted."""
    rng = np.random.default_rng(SEED + 3)
    for trial in range(40):
        values, pk, inventory = random_problem(rng, (1, 40), (1, 6), (0, 12), zero_fraction=0.4)
        max_shots = (1, 3, None)[trial % 3]
        a = solve_greedy(values, pk, inventory, max_shots)
        assert_feasible(a, values, pk, inventory, max_shots)
        np.testing.assert_array_equal(a.shots, mmr_reference(values, pk, inventory, max_shots))
        shots, survival = np.zeros(pk.shape, np.int64), np.ones(pk.shape[0])
        cap = inventory.sum() + 1 if max_shots is None else max_shots
        mmr_fill.py_func(values, pk, np.argsort(-pk, axis=1, kind="stable"), inventory, cap, shots, survival)
        np.testing.assert_array_equal(shots, a.shots)
        np.testing.assert_array_equal(survival, a.survival)


def test_milp_optimum_never_drops_when_an_inventory_grows():
    """Monotonicity: one more interceptor of any type never lowers the optimum (feasible set grows)."""
    rng = np.random.default_rng(SEED + 4)
    for _ in range(60):
        values, pk, inventory = random_problem(rng, inv_range=(0, 4))
        base = solve_milp(values, pk, inventory).expected_value
        for j in range(pk.shape[1]):
            grown = inventory.copy()
            grown[j] += 1
            assert solve_milp(values, pk, grown).expected_value >= base * (1 - EXACT_RTOL)


@pytest.mark.parametrize("solve", [solve_milp, solve_greedy])
def test_degenerate_problems_assign_nothing(solve):
    assert solve(np.zeros(0), np.zeros((0, 2)), [3, 1]).shots.shape == (0, 2)
    a = solve([5.0, 2.0], [[0.5, 0.5], [0.5, 0.5]], [0, 0])
    assert a.expected_value == 0.0 and not a.shots.any() and np.all(a.survival == 1.0)
    assert not solve([5.0], [[0.5]], [3], max_shots=0).shots.any()
    assert not solve([5.0], [[0.0]], [3]).shots.any()  # out of reach
    assert solve([5.0, 2.0], [[1.0, 0.5], [0.0, 0.5]], [1, 1]).expected_value == pytest.approx(6.0)


@pytest.mark.parametrize("solve", [solve_milp, solve_greedy])
@pytest.mark.parametrize(
    ("values", "pk", "inventory", "max_shots", "name"),
    [
        ([[1.0, 2.0]], [[0.5]], [1], 4, "values"),
        ([1.0, -2.0], [[0.5], [0.5]], [1], 4, "values"),
        ([1.0, np.nan], [[0.5], [0.5]], [1], 4, "values"),
        ([1.0, 2.0], [0.5, 0.5], [1], 4, "pk"),
        ([1.0, 2.0], [[0.5, 0.5]], [1, 1], 4, "pk"),
        ([1.0, 2.0], [[0.5], [1.5]], [1], 4, "pk"),
        ([1.0, 2.0], [[0.5], [-0.1]], [1], 4, "pk"),
        ([1.0, 2.0], [[0.5], [np.nan]], [1], 4, "pk"),
        ([1.0, 2.0], [["a"], ["b"]], [1], 4, "pk"),
        ([1.0, 2.0], [[0.5], [0.5]], [1, 2], 4, "inventory"),
        ([1.0, 2.0], [[0.5], [0.5]], [-1], 4, "inventory"),
        ([1.0, 2.0], [[0.5], [0.5]], [1.5], 4, "inventory"),
        ([1.0, 2.0], [[0.5], [0.5]], [True], 4, "inventory"),
        ([1.0, 2.0], [[0.5], [0.5]], [1], -1, "max_shots"),
        ([1.0, 2.0], [[0.5], [0.5]], [1], 2.5, "max_shots"),
        ([1.0, 2.0], [[0.5], [0.5]], [1], "4", "max_shots"),
    ],
)
def test_bad_inputs_raise_parameter_error_naming_the_argument(solve, values, pk, inventory, max_shots, name):
    with pytest.raises(ParameterError, match=name):
        solve(values, pk, inventory, max_shots)


def test_expected_value_checks_and_too_large_milp():
    with pytest.raises(ParameterError, match="shots"):
        expected_value([1.0], [[0.5]], [[-1]])
    with pytest.raises(ParameterError, match="shots"):
        expected_value([1.0], [[0.5]], [[1, 1]])
    assert expected_value([1.0], [[0.5]], np.array([[2.0]])) == pytest.approx(0.75)
    with pytest.raises(ParameterError, match="too large for solve_milp"):
        solve_milp(np.ones(2), np.full((2, 20), 0.5), np.full(20, 10), max_shots=None)
