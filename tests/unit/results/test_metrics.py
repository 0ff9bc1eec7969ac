"""Tests of the confidence intervals in domesim.results.metrics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from domesim.errors import ParameterError
from domesim.results.metrics import binomial_ci, mean_ci, z_score

# SciPy's Wilson interval is the same closed form, so only rounding separates the two.
RTOL_SCIPY = 1e-12


@pytest.mark.parametrize("n", [1, 2, 7, 50, 1000, 100_000])
@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_binomial_ci_matches_scipy_wilson(n: int, level: float) -> None:
    for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        ref = binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
        lo, hi = binomial_ci(k, n, level)
        assert lo == pytest.approx(ref.low, rel=RTOL_SCIPY, abs=1e-15)
        assert hi == pytest.approx(ref.high, rel=RTOL_SCIPY, abs=1e-15)


def test_binomial_ci_exact_at_zero_and_all() -> None:
    assert binomial_ci(0, 40)[0] == 0.0
    assert binomial_ci(40, 40)[1] == 1.0
    lo, hi = binomial_ci(0, 40)
    assert 0.0 < hi < 0.1
    lo, hi = binomial_ci(40, 40)
    assert 0.9 < lo < 1.0


def test_binomial_ci_vectorised_equals_scalar() -> None:
    k = np.array([[0, 3, 10], [5, 9, 1]])
    n = np.array([10, 10, 10])
    lo, hi = binomial_ci(k, n)
    assert isinstance(lo, np.ndarray) and isinstance(hi, np.ndarray)
    assert lo.shape == hi.shape == (2, 3)
    for idx in np.ndindex(k.shape):
        assert (lo[idx], hi[idx]) == binomial_ci(int(k[idx]), int(n[idx[1]]))
    assert isinstance(binomial_ci(3, 10)[0], float)


@pytest.mark.parametrize(("k", "n", "level"), [(1, 0, 0.95), (-1, 10, 0.95), (11, 10, 0.95), (3, 10, 1.0)])
def test_binomial_ci_rejects_bad_input(k: int, n: int, level: float) -> None:
    with pytest.raises(ParameterError):
        binomial_ci(k, n, level)


def test_binomial_ci_coverage_by_simulation() -> None:
    # Wilson coverage oscillates around the nominal level (Brown, Cai & DasGupta 2001); at n = 1000 the exact
    # coverage for these p lies in 0.946-0.964 (summed binomial pmf). 20,000 draws give a Monte Carlo
    # standard error of 0.0015, so the 0.935-0.970 band is > 4 sigma from the exact values.
    rng = np.random.default_rng(20010501)
    n, draws = 1000, 20_000
    coverage = []
    for p in (0.02, 0.1, 0.3, 0.5, 0.8, 0.95, 0.99):
        k = rng.binomial(n, p, size=draws)
        lo, hi = binomial_ci(k, n)
        coverage.append(np.mean((lo <= p) & (p <= hi)))
    assert min(coverage) > 0.935 and max(coverage) < 0.970
    assert np.mean(coverage) == pytest.approx(0.95, abs=0.005)


def test_mean_ci_formula() -> None:
    x = np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    half = z_score(0.95) * np.std(x, ddof=1) / np.sqrt(x.size)
    assert mean_ci(x) == pytest.approx((5.0 - half, 5.0 + half), rel=1e-14)


def test_mean_ci_axis_and_degenerate_cases() -> None:
    x = np.arange(12.0).reshape(3, 4)
    lo, hi = mean_ci(x, axis=0)
    assert isinstance(lo, np.ndarray) and lo.shape == (4,)
    np.testing.assert_allclose((lo + hi) / 2, x.mean(axis=0))
    assert mean_ci([3.0, 3.0, 3.0]) == (3.0, 3.0)
    lo1, hi1 = mean_ci([1.0])
    assert np.isnan(lo1) and np.isnan(hi1)
    with pytest.raises(ParameterError):
        mean_ci([])


def test_mean_ci_coverage_by_simulation() -> None:
    # Poisson counts of mean 1.5 (leakers per trial), 400 trials: the CLT holds well; 5,000 repeats give a
    # standard error of 0.003 on the coverage.
    rng = np.random.default_rng(7)
    x = rng.poisson(1.5, size=(5000, 400))
    lo, hi = mean_ci(x, axis=1)
    assert np.mean((lo <= 1.5) & (1.5 <= hi)) == pytest.approx(0.95, abs=0.01)


def test_a_uniform_coverage_map_says_so() -> None:
    from domesim.results.coverage import Coverage

    lat, lon = np.array([-10.0, 0.0, 10.0]), np.array([0.0, 10.0])
    grid = {"everywhere": {1: np.ones((3, 2)), 2: np.array([[0.0, 0.5], [1.0, 0.2], [0.3, 0.3]])}}
    cov = Coverage(lat, lon, grid, {"everywhere": {}}, 1.0, 60.0, 0.0)
    assert cov.uniform("everywhere", 1) == 1.0
    assert cov.uniform("everywhere", 2) is None
    assert cov.to_dict()["layers"]["everywhere"]["uniform_at_least_1"] == 1.0
