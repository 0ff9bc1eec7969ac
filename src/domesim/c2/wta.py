"""Static weapon-target assignment (WTA) across defence layers, with inventories.

The problem (Manne 1958; den Broeder, Ellison and Emerling 1959; Hosein and Athans 1990; Ahuja,
Kumar, Jha and Orlin 2007): targets ``i = 0..N-1`` of value ``V_i`` (the value of the asset each one
threatens), weapon types or batteries ``j = 0..M-1`` with ``n_j`` interceptors each, and ``p_ij`` the
single-shot kill probability of type ``j`` on target ``i`` (0 where ``j`` cannot reach ``i``: outside
its engagement window). Shots are independent, so target ``i`` survives with probability

    S_i = prod_j (1 - p_ij) ** x_ij

and the assignment maximises the expected value destroyed

    max  sum_i V_i (1 - S_i)
    s.t. sum_i x_ij <= n_j            (inventory of type j)
         sum_j x_ij <= K              (optional per-target salvo cap)
         x_ij integer >= 0, x_ij = 0 where p_ij = 0.

Two solvers fill an :class:`Assignment`:

- :func:`solve_milp`, exact, for small problems. The product over types makes the usual "at least
  k shots of type j" linearisation inexact, so each target's shot-count *vectors*
  ``k = (k_0..k_{M-1})`` with ``sum(k) <= K`` (and ``k_j <= n_j``, ``k_j = 0`` where ``p_ij = 0``)
  are enumerated, each with its exact survival ``prod_j (1 - p_ij)^k_j``; one binary per
  (target, vector), at most one vector per target, the inventories linear in the binaries. The cap
  ``K`` is what makes the enumeration finite: the model is exact for the capped problem, and for
  the uncapped one with ``max_shots=None`` (then ``K = sum(n_j)``, and each ``k_j <= n_j``). It is
  solved by HiGHS through :func:`scipy.optimize.milp` with a zero relative MIP gap. A target has
  ``C(K + M, M) - 1`` vectors at most (34 for ``M = 3, K = 4``; 10,625 for ``M = 20``), so this is a
  reference for small problems and for tests, not for a 1,000-target raid.
- :func:`solve_greedy`, the maximum marginal return (MMR) heuristic of den Broeder et al. (1959):
  repeatedly give the next interceptor to the (target, type) pair with the largest gain
  ``V_i S_i p_ij``, within the inventories and the cap. It is optimal when the weapons are
  identical (``p_ij = p_i``: a separable concave allocation, den Broeder et al. 1959) and a
  1/3-approximation in general (1/2 without the cap), because the objective is a monotone
  submodular function of the set of (interceptor, target) pairs and the constraints are two
  partition matroids (Fisher, Nemhauser and Wolsey 1978). A numba kernel keeps, per target, its
  types sorted by ``p_ij`` and a max-heap of the targets' best gains, updated lazily when a type
  runs out: ``O(N M log M + (W + N M) log N)`` for ``W`` shots. ``NUMBA_DISABLE_JIT=1`` runs the
  same source interpreted (design.md section 5).

Notation follows the literature (``N`` targets, ``M`` weapon types) rather than design.md's letters,
which name threat objects and sensors; here ``N`` targets are threat objects and ``M`` batteries.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numba as nb
import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from domesim.errors import DomesimError, ParameterError

__all__ = ["Assignment", "expected_value", "solve_greedy", "solve_milp"]

MAX_MILP_VARIABLES = 250_000
"""Largest number of (target, vector) binaries :func:`solve_milp` builds before refusing."""


@dataclass(frozen=True)
class Assignment:
    """A weapon-target assignment and its value.

    Attributes
    ----------
    shots : ndarray of int64, shape (N, M)
        Interceptors of type ``j`` assigned to target ``i``.
    expected_value : float
        ``sum_i V_i (1 - survival_i)``, in the unit of the target values.
    survival : ndarray of float64, shape (N,)
        Probability that target ``i`` survives all its shots, ``prod_j (1 - p_ij) ** shots_ij``.
    """

    shots: np.ndarray
    expected_value: float
    survival: np.ndarray


# ---- validation -----------------------------------------------------------------------------------------


def _as_float_array(x, name: str, ndim: int) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"{name} must be an array of numbers ({exc})") from None
    if a.ndim != ndim:
        raise ParameterError(f"{name} must be {ndim}-D, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ParameterError(f"{name} must be finite; found NaN or infinity")
    return a


def _as_count_array(x, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """Non-negative integers (integer dtype, or floats with integral values) of the given shape."""
    a = np.asarray(x)
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise ParameterError(f"{name} must hold non-negative integers, got dtype {a.dtype}")
    if a.shape != shape:
        raise ParameterError(f"{name} must have shape {shape}, got {a.shape}")
    if np.issubdtype(a.dtype, np.floating) and not np.all(np.isfinite(a) & (a == np.floor(a))):
        raise ParameterError(f"{name} must hold non-negative integers; found a non-integral value")
    if np.any(a < 0):
        raise ParameterError(f"{name} must be >= 0; found {a.min()}")
    return a.astype(np.int64)


def _check_problem(values, pk) -> tuple[np.ndarray, np.ndarray]:
    v = _as_float_array(values, "values", 1)
    p = _as_float_array(pk, "pk", 2)
    if p.shape[0] != v.shape[0]:
        raise ParameterError(f"pk must have one row per target: shape ({v.shape[0]}, M), got {p.shape}")
    if np.any(v < 0):
        raise ParameterError(f"values must be >= 0 (asset value threatened); found {v.min()}")
    if np.any((p < 0) | (p > 1)):
        raise ParameterError(f"pk must lie in [0, 1]; found values in [{p.min()}, {p.max()}]")
    return v, p


def _check_cap(max_shots) -> int | None:
    if max_shots is None:
        return None
    if isinstance(max_shots, bool):
        raise ParameterError("max_shots must be a non-negative integer or None, got a bool")
    try:
        k = operator.index(max_shots)
    except TypeError:
        if isinstance(max_shots, float) and max_shots.is_integer():
            k = int(max_shots)
        else:
            raise ParameterError(
                f"max_shots must be a non-negative integer or None, got {max_shots!r}"
            ) from None
    if k < 0:
        raise ParameterError(f"max_shots must be >= 0 (or None for no cap), got {k}")
    return k


def _check_all(values, pk, inventory, max_shots):
    v, p = _check_problem(values, pk)
    n = _as_count_array(inventory, "inventory", (p.shape[1],))
    return v, p, n, _check_cap(max_shots)


def _survival(pk: np.ndarray, shots: np.ndarray) -> np.ndarray:
    # (1 - p) ** 0 == 1 even for p == 1, so unassigned types never zero a survival.
    return np.prod((1.0 - pk) ** shots, axis=1)


def _result(values: np.ndarray, pk: np.ndarray, shots: np.ndarray) -> Assignment:
    survival = _survival(pk, shots)
    return Assignment(shots, float(np.dot(values, 1.0 - survival)), survival)


def expected_value(values, pk, shots) -> float:
    """Expected value destroyed by an assignment, ``sum_i V_i (1 - prod_j (1 - p_ij) ** x_ij)``.

    Parameters
    ----------
    values : array_like, shape (N,)
        Value of each target (the asset it threatens), >= 0, any consistent unit.
    pk : array_like, shape (N, M)
        Single-shot kill probability of weapon type ``j`` on target ``i``, in [0, 1].
    shots : array_like of int, shape (N, M)
        Interceptors of type ``j`` assigned to target ``i``, >= 0.

    Returns
    -------
    float
        Expected value destroyed, in the unit of ``values``.

    Raises
    ------
    ParameterError
        On a shape mismatch, a probability outside [0, 1], or negative or non-integral shots.

    Examples
    --------
    >>> expected_value([10.0, 4.0], [[0.5, 0.8], [0.5, 0.0]], [[1, 1], [1, 0]])
    11.0
    """
    v, p = _check_problem(values, pk)
    x = _as_count_array(shots, "shots", p.shape)
    return float(np.dot(v, 1.0 - _survival(p, x)))


# ---- exact: enumerated shot vectors + MILP -----------------------------------------------------------------


def _count_vectors(caps: np.ndarray, total: int) -> float:
    """Number of ``k`` with ``0 <= k_j <= caps_j`` and ``sum(k) <= total`` (a float: it may be huge)."""
    counts = np.zeros(total + 1)
    counts[0] = 1.0
    for c in caps:
        counts = np.convolve(counts, np.ones(min(int(c), total) + 1))[: total + 1]
    return float(counts.sum())


def _shot_vectors(caps: np.ndarray, total: int) -> np.ndarray:
    """All ``k`` with ``0 <= k_j <= caps_j`` and ``sum(k) <= total``, shape (P, M), zero vector first."""
    vectors = np.zeros((1, 0), dtype=np.int64)
    for c in caps:
        col = np.arange(min(int(c), total) + 1, dtype=np.int64)
        grown = np.hstack([np.repeat(vectors, col.size, axis=0), np.tile(col, vectors.shape[0])[:, None]])
        vectors = grown[grown.sum(axis=1) <= total]
    return vectors


def solve_milp(values, pk, inventory, max_shots: int | None = 4) -> Assignment:
    """Exact weapon-target assignment of a small problem, by MILP over enumerated shot vectors.

    Each target ``i`` picks at most one vector ``k`` of shot counts per type (the empty salvo when
    it picks none), with ``sum(k) <= max_shots``, ``k_j <= n_j`` and ``k_j = 0`` where
    ``p_ij = 0``; its exact survival ``prod_j (1 - p_ij) ** k_j`` makes the objective linear in one
    binary per (target, vector). HiGHS (:func:`scipy.optimize.milp`, ``mip_rel_gap = 0``) solves it.

    Parameters
    ----------
    values : array_like, shape (N,)
        Value of each target (the asset it threatens), >= 0.
    pk : array_like, shape (N, M)
        Single-shot kill probability of type ``j`` on target ``i``, in [0, 1]; 0 where ``j`` cannot
        engage ``i``.
    inventory : array_like of int, shape (M,)
        Interceptors available per type, >= 0.
    max_shots : int or None, default 4
        Per-target salvo cap ``K``. ``None`` means uncapped (the exact WTA optimum); the number of
        vectors per target then grows as ``prod_j (n_j + 1)``, so keep problems small.

    Returns
    -------
    Assignment
        ``shots`` (N, M), ``expected_value`` and ``survival`` (N,) of an optimal assignment.

    Raises
    ------
    ParameterError
        On invalid inputs, or when the enumeration would exceed ``MAX_MILP_VARIABLES`` binaries.
    DomesimError
        If HiGHS does not report an optimal solution.

    References
    ----------
    Ahuja, Kumar, Jha and Orlin, "Exact and heuristic algorithms for the weapon-target assignment
    problem", Operations Research 55(6), 2007; Manne, Operations Research 6(3), 1958.

    Examples
    --------
    Two targets; battery 0 (one interceptor, pk 0.9) reaches both, battery 1 (one, pk 0.8) only
    the first. The optimum keeps battery 0 for the second target:

    >>> a = solve_milp([10.0, 8.0], [[0.9, 0.8], [0.9, 0.0]], [1, 1])
    >>> a.shots.tolist(), round(a.expected_value, 3)
    ([[0, 1], [1, 0]], 15.2)
    """
    v, p, n, cap = _check_all(values, pk, inventory, max_shots)
    n_targets, n_types = p.shape
    total = int(n.sum()) if cap is None else min(cap, int(n.sum()))
    shots = np.zeros((n_targets, n_types), dtype=np.int64)
    if n_targets == 0 or n_types == 0 or total == 0:
        return _result(v, p, shots)

    # Targets that can be reached by the same types share their vectors: enumerate once per pattern.
    engaged = v > 0
    patterns, inverse = np.unique(p[engaged] > 0, axis=0, return_inverse=True)
    caps = np.where(patterns, n[None, :], 0)  # (G, M): k_j <= n_j, and 0 where out of reach
    counts = np.array([_count_vectors(c, total) - 1.0 for c in caps])  # empty salvo excluded
    n_bin_total = float(np.dot(np.bincount(inverse.ravel(), minlength=len(patterns)), counts))
    if n_bin_total > MAX_MILP_VARIABLES:
        raise ParameterError(
            f"problem too large for solve_milp: {n_bin_total:,.0f} (target, shot vector) binaries "
            f"(limit {MAX_MILP_VARIABLES:,}); lower max_shots or use solve_greedy"
        )
    targets = np.flatnonzero(engaged)
    tgt_parts, k_parts = [], []
    for g, c in enumerate(caps):
        members = targets[inverse.ravel() == g]
        vectors = _shot_vectors(c, total)[1:]
        tgt_parts.append(np.repeat(members, len(vectors)))
        k_parts.append(np.tile(vectors, (len(members), 1)))
    tgt = np.concatenate(tgt_parts) if tgt_parts else np.zeros(0, dtype=np.int64)
    if tgt.size == 0:
        return _result(v, p, shots)
    k = np.concatenate(k_parts)  # (B, M) shot counts of each binary
    gain = v[tgt] * (1.0 - np.prod((1.0 - p[tgt]) ** k, axis=1))

    n_bin = tgt.size
    one_per_target = sp.csr_array((np.ones(n_bin), (tgt, np.arange(n_bin))), shape=(n_targets, n_bin))
    rows, cols = np.nonzero(k.T)  # inventory row j uses k_j of binary b
    stock = sp.csr_array((k.T[rows, cols].astype(np.float64), (rows, cols)), shape=(n_types, n_bin))
    constraints = LinearConstraint(
        sp.vstack([one_per_target, stock]).tocsr(),
        -np.inf,
        np.concatenate([np.ones(n_targets), n.astype(np.float64)]),
    )
    res = milp(
        -gain,
        integrality=np.ones(n_bin),
        bounds=Bounds(0.0, 1.0),
        constraints=constraints,
        options={"mip_rel_gap": 0.0},
    )
    if res.status != 0 or res.x is None:
        raise DomesimError(
            f"solve_milp: HiGHS found no optimal assignment (status {res.status}: {res.message})"
        )
    chosen = np.rint(res.x) > 0.5
    shots[tgt[chosen]] = k[chosen]
    return _result(v, p, shots)


# ---- heuristic: maximum marginal return ------------------------------------------------------------------


@nb.njit(cache=True)
def _ahead(key_a, tgt_a, key_b, tgt_b):
    """Heap order: larger gain first, then the lower target index (the row-major argmax's ties)."""
    return key_a > key_b or (key_a == key_b and tgt_a < tgt_b)


@nb.njit(cache=True)
def _heap_push(keys, tgts, size, key, tgt):
    pos = size
    while pos > 0:
        parent = (pos - 1) // 2
        if not _ahead(key, tgt, keys[parent], tgts[parent]):
            break
        keys[pos], tgts[pos] = keys[parent], tgts[parent]
        pos = parent
    keys[pos], tgts[pos] = key, tgt
    return size + 1


@nb.njit(cache=True)
def _heap_pop(keys, tgts, size):
    """Remove the top entry (read it from ``keys[0], tgts[0]`` first); return the new size."""
    size -= 1
    key, tgt = keys[size], tgts[size]
    pos = 0
    while True:
        child = 2 * pos + 1
        if child >= size:
            break
        if child + 1 < size and _ahead(keys[child + 1], tgts[child + 1], keys[child], tgts[child]):
            child += 1
        if not _ahead(keys[child], tgts[child], key, tgt):
            break
        keys[pos], tgts[pos] = keys[child], tgts[child]
        pos = child
    if size > 0:
        keys[pos], tgts[pos] = key, tgt
    return size


@nb.njit(cache=True)
def _next_type(pk, order, left, ptr, i):
    """Advance ``ptr[i]`` to target i's best type with stock and pk > 0; return it, or -1."""
    n_types = order.shape[1]
    while ptr[i] < n_types:
        j = order[i, ptr[i]]
        if pk[i, j] <= 0.0:  # sorted by pk, descending: no reachable type is left
            break
        if left[j] > 0:
            return j
        ptr[i] += 1
    ptr[i] = n_types
    return -1


@nb.njit(cache=True)
def mmr_fill(values, pk, order, inventory, cap, shots, survival):
    """Maximum marginal return: fill ``shots`` (N, M) and ``survival`` (N,), allocated by the caller.

    ``order`` (N, M) lists each target's types by decreasing pk (ties: lower type first); ``cap`` is
    the per-target salvo cap (``sum(inventory)`` or more for none).
    """
    n_targets = pk.shape[0]
    left = inventory.copy()
    stock = left.sum()
    ptr = np.zeros(n_targets, dtype=np.int64)
    fired = np.zeros(n_targets, dtype=np.int64)
    keys = np.empty(n_targets, dtype=np.float64)
    tgts = np.empty(n_targets, dtype=np.int64)
    size = 0
    for i in range(n_targets):
        survival[i] = 1.0
        if cap <= 0 or values[i] <= 0.0:
            continue
        j = _next_type(pk, order, left, ptr, i)
        if j >= 0:
            size = _heap_push(keys, tgts, size, values[i] * survival[i] * pk[i, j], i)
    while size > 0 and stock > 0:
        i = tgts[0]
        size = _heap_pop(keys, tgts, size)
        j = order[i, ptr[i]]
        if left[j] == 0:  # stale entry: its best type ran out since it was pushed; gain can only drop
            j = _next_type(pk, order, left, ptr, i)
            if j >= 0:
                size = _heap_push(keys, tgts, size, values[i] * survival[i] * pk[i, j], i)
            continue
        shots[i, j] += 1
        left[j] -= 1
        stock -= 1
        survival[i] *= 1.0 - pk[i, j]
        fired[i] += 1
        if fired[i] < cap and survival[i] > 0.0:
            j = _next_type(pk, order, left, ptr, i)
            if j >= 0:
                size = _heap_push(keys, tgts, size, values[i] * survival[i] * pk[i, j], i)


def solve_greedy(values, pk, inventory, max_shots: int | None = 4) -> Assignment:
    """Weapon-target assignment by maximum marginal return (den Broeder et al. 1959).

    Repeatedly gives one interceptor to the (target, type) pair of largest gain ``V_i S_i p_ij``
    (``S_i`` the target's current survival) among types with stock left, targets under the salvo
    cap and ``p_ij > 0``, until no pair gains anything. Ties go to the lower target, then the lower
    type. Optimal for identical weapons (``p_ij = p_i``); near-optimal otherwise, and never below
    1/3 of the optimum (1/2 uncapped) by the submodular greedy bound (Fisher, Nemhauser and Wolsey
    1978). Cost ``O(N M log M + (W + N M) log N)`` for ``W`` shots.

    Parameters
    ----------
    values : array_like, shape (N,)
        Value of each target (the asset it threatens), >= 0.
    pk : array_like, shape (N, M)
        Single-shot kill probability of type ``j`` on target ``i``, in [0, 1]; 0 where ``j`` cannot
        engage ``i``.
    inventory : array_like of int, shape (M,)
        Interceptors available per type, >= 0.
    max_shots : int or None, default 4
        Per-target salvo cap; ``None`` for none.

    Returns
    -------
    Assignment
        ``shots`` (N, M), ``expected_value`` and ``survival`` (N,).

    Raises
    ------
    ParameterError
        On a shape mismatch, a probability outside [0, 1], a negative value, or an inventory or
        cap that is not a non-negative integer.

    References
    ----------
    den Broeder, Ellison and Emerling, "On optimum target assignments", Operations Research 7(3),
    1959; Hosein and Athans, MIT LIDS-P-1998, 1990; Fisher, Nemhauser and Wolsey, Math. Programming
    Study 8, 1978.

    Examples
    --------
    The example of :func:`solve_milp`: the first choice spends battery 0 on the first target
    (gain 9 > 8 > 7.2), which leaves the second target unengaged; 9.8 against the optimum 15.2.
    Such reach-limited cases are the heuristic's worst; random problems fare far better.

    >>> a = solve_greedy([10.0, 8.0], [[0.9, 0.8], [0.9, 0.0]], [1, 1])  # doctest: +SKIP
    >>> a.shots.tolist(), round(a.expected_value, 3)  # doctest: +SKIP
    ([[1, 1], [0, 0]], 9.8)
    """
    v, p, n, cap = _check_all(values, pk, inventory, max_shots)
    shots = np.zeros(p.shape, dtype=np.int64)
    survival = np.ones(p.shape[0], dtype=np.float64)
    if p.size:
        order = np.argsort(-p, axis=1, kind="stable")
        big = int(n.sum()) + 1
        mmr_fill(v, p, order, n, big if cap is None else min(cap, big), shots, survival)
    return Assignment(shots, float(np.dot(v, 1.0 - survival)), survival)
