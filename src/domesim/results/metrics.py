"""Confidence intervals for Monte Carlo estimates.

Two intervals cover what a run reports: :func:`binomial_ci` for a probability estimated from
``successes`` out of ``n`` independent trials (the probability that no threat object leaks through),
and :func:`mean_ci` for the mean of a per-trial quantity (expected leakers, shots fired).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from domesim.errors import ParameterError

__all__ = ["binomial_ci", "mean_ci", "z_score"]


def z_score(level: float) -> float:
    """Two-sided standard normal quantile ``z = Phi^-1((1 + level) / 2)``.

    Parameters
    ----------
    level : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    float
        The quantile (1.959964 for ``level = 0.95``).

    Examples
    --------
    >>> round(z_score(0.95), 6)
    1.959964
    """
    if not 0.0 < level < 1.0:
        raise ParameterError(f"confidence level must be strictly between 0 and 1, got {level!r}")
    return NormalDist().inv_cdf(0.5 + 0.5 * level)


def binomial_ci(
    successes: npt.ArrayLike, n: npt.ArrayLike, level: float = 0.95
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Wilson score interval for a binomial proportion.

    With ``p = k / n`` and ``z`` the two-sided normal quantile of ``level``::

        centre = (k + z^2 / 2) / (n + z^2)
        half   = z / (n + z^2) * sqrt(k (n - k) / n + z^2 / 4)
        lo, hi = centre - half, centre + half

    The Wilson interval inverts the score test, so unlike the Wald interval ``p +- z sqrt(p q / n)`` it
    stays inside [0, 1] and keeps close to nominal coverage for ``p`` near 0 or 1, where a missile-defence
    run lives (Brown, Cai & DasGupta 2001 recommend it for every ``n``). At ``k = 0`` the lower bound is
    set to exactly 0 and at ``k = n`` the upper bound to exactly 1 (the formula gives them only up to
    rounding), as SciPy's ``binomtest(...).proportion_ci(method='wilson')`` does.

    Parameters
    ----------
    successes : array_like of int
        Number of successes ``k``, ``0 <= k <= n``; any shape broadcastable with ``n``.
    n : array_like of int
        Number of trials, ``n >= 1``.
    level : float, optional
        Two-sided confidence level, default 0.95.

    Returns
    -------
    lo, hi : float or ndarray
        Bounds of the interval, floats for scalar input, else arrays of the broadcast shape.

    Raises
    ------
    ParameterError
        If ``n < 1``, ``k`` is outside ``[0, n]`` or ``level`` is outside (0, 1).

    References
    ----------
    E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
    J. Am. Stat. Assoc. 22 (158), 209-212, 1927.
    L. D. Brown, T. T. Cai, A. DasGupta, "Interval estimation for a binomial proportion",
    Statistical Science 16 (2), 101-133, 2001.

    Examples
    --------
    >>> lo, hi = binomial_ci(90, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.8256, 0.9448)
    >>> binomial_ci(0, 10)[0]
    0.0
    """
    z = z_score(level)
    k_arr = np.asarray(successes, dtype=np.float64)
    n_arr = np.asarray(n, dtype=np.float64)
    if np.any(n_arr < 1):
        raise ParameterError("binomial_ci needs n >= 1 trials; a run with no trials has no interval")
    if np.any((k_arr < 0) | (k_arr > n_arr)):
        raise ParameterError("binomial_ci needs 0 <= successes <= n")
    z2 = z * z
    denom = n_arr + z2
    centre = (k_arr + 0.5 * z2) / denom
    half = z / denom * np.sqrt(k_arr * (n_arr - k_arr) / n_arr + 0.25 * z2)
    lo = np.where(k_arr == 0, 0.0, centre - half)
    hi = np.where(k_arr == n_arr, 1.0, centre + half)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def mean_ci(
    values: npt.ArrayLike, level: float = 0.95, axis: int | None = None
) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Normal-approximation confidence interval of a mean.

    ``mean +- z s / sqrt(n)`` with ``s`` the sample standard deviation (``ddof = 1``). By the central
    limit theorem it is good once ``n`` is in the tens for the bounded per-trial counts a run produces;
    for a 0/1 outcome use :func:`binomial_ci` instead.

    Parameters
    ----------
    values : array_like of float
        Samples, one per trial.
    level : float, optional
        Two-sided confidence level, default 0.95.
    axis : int, optional
        Axis along which the samples lie; ``None`` (default) uses all values.

    Returns
    -------
    lo, hi : float or ndarray
        Bounds of the interval; NaN where fewer than two samples leave the spread unknown.

    Raises
    ------
    ParameterError
        If there are no values or ``level`` is outside (0, 1).

    Examples
    --------
    >>> lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0])
    >>> round(lo, 3), round(hi, 3)
    (1.235, 3.765)
    """
    z = z_score(level)
    x = np.asarray(values, dtype=np.float64)
    count = x.size if axis is None else x.shape[axis]
    if count == 0:
        raise ParameterError("mean_ci needs at least one value")
    mean = np.mean(x, axis=axis)
    if count < 2:
        nan = np.full_like(mean, np.nan)
        return (float(nan), float(nan)) if nan.ndim == 0 else (nan, nan)
    half = z * np.std(x, axis=axis, ddof=1) / np.sqrt(count)
    lo, hi = mean - half, mean + half
    if np.ndim(lo) == 0:
        return float(lo), float(hi)
    return lo, hi
